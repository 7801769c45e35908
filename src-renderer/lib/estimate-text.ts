import { describeRunEstimate, type SpeedEstimate } from '../../src-main/shared/estimate';
import type { RunOptions } from '../../src-main/shared/schema';
import { formatRate } from './format';

/**
 * What the studio knows of one set of settings' speed. `queued`/`measuring`: asked, not answered yet;
 * `busy`: a run trains, the estimate comes after it; `unknown`: not measured (only the cache was asked).
 */
export type EstimateEntry =
  | { state: 'queued' | 'measuring' }
  | { state: 'ready'; estimate: SpeedEstimate }
  | { state: 'busy'; message: string }
  | { state: 'unknown' }
  | { state: 'error'; message: string };

/**
 * The estimate line for `steps` steps of a run, e.g. "≈ 12 min · 40k images seen · 56 img/s", or what is
 * under way instead ("measuring this machine's speed…", "estimate after the current run"). `pending`: a
 * figure is on its way.
 */
export function estimateLine(entry: EstimateEntry | undefined, steps: number | null, options: Pick<RunOptions, 'k' | 'batch'>): { text: string; pending: boolean } {
  if (!entry) return { text: 'speed not measured yet', pending: true };
  switch (entry.state) {
    case 'queued':
    case 'measuring':
      return { text: 'measuring this machine’s speed…', pending: true };
    case 'ready': {
      const rate = `${formatRate(entry.estimate.imgPerSec)} img/s`;
      return { text: steps !== null && steps > 0 ? `${describeRunEstimate(steps, options, entry.estimate)} · ${rate}` : rate, pending: false };
    }
    case 'busy':
      return { text: entry.message, pending: false };
    case 'unknown':
      return { text: 'no estimate (measured only while no run trains)', pending: false };
    case 'error':
      return { text: `no estimate: ${entry.message}`, pending: false };
  }
}
