import { bridge } from '../lib/bridge';
import type { EstimateEntry } from '../lib/estimate-text';
import { errorMessage } from '../lib/format';
import { speedKey, type SpeedEstimate } from '../../src-main/shared/estimate';
import { RUN_OPTIONS, type RunOptionKey, type RunOptions } from '../../src-main/shared/schema';
import type { BackendReport } from '../../src-main/shared/contract';

/** The run options of a run's configuration (without its data, version and compute). */
export function optionsOf(config: RunOptions): RunOptions {
  return Object.fromEntries((Object.keys(RUN_OPTIONS) as RunOptionKey[]).map((key) => [key, $state.snapshot(config[key])])) as RunOptions;
}

/**
 * Speed estimates before Start (issue 14), kept for the app's lifetime: the New run form asks for its own
 * settings and each preset's, one request at a time in the order asked (the trainer measures one at a
 * time anyway), so the form's own figure comes first; the Training view reads the cached figure of the
 * run it shows, to print it beside the speed the run measures.
 */
class Estimates {
  /** By speed key (shared/estimate.ts): backend and the options that change the cost. */
  entries = $state<Record<string, EstimateEntry>>({});
  private queue: Array<{ key: string; options: RunOptions }> = [];
  private running = false;

  /** The entry for these settings on this backend (undefined: never asked, or no backend yet). */
  entry(options: RunOptions, backend: BackendReport | null): EstimateEntry | undefined {
    return backend ? this.entries[speedKey(options, backend)] : undefined;
  }

  /** The measured seconds per step of these settings, or null. */
  secondsPerStep(options: RunOptions, backend: BackendReport | null): number | null {
    const entry = this.entry(options, backend);
    return entry?.state === 'ready' ? entry.estimate.secondsPerStep : null;
  }

  /**
   * Asks for the estimates of `list`, first to last. What was queued and is no longer asked for is
   * dropped (the form changed meanwhile); `busy` entries are asked again once no run trains.
   */
  want(list: RunOptions[], backend: BackendReport | null, training: boolean): void {
    if (!backend) return;
    const wanted = list.map((options) => ({ key: speedKey(options, backend), options: optionsOf(options) }));
    for (const { key } of this.queue) if (!wanted.some((w) => w.key === key)) delete this.entries[key];
    this.queue = [];
    for (const item of wanted) {
      const entry = this.entries[item.key];
      if (entry && entry.state !== 'busy' && entry.state !== 'unknown' && entry.state !== 'queued') continue;
      if (entry?.state === 'busy' && training) continue;
      if (this.queue.some((q) => q.key === item.key)) continue;
      this.entries[item.key] = { state: 'queued' };
      this.queue.push(item);
    }
    void this.pump();
  }

  /** Looks up the cached figure only (never measures): for a run that already trains. */
  async cached(options: RunOptions, backend: BackendReport | null): Promise<void> {
    if (!backend) return;
    const key = speedKey(options, backend);
    if (this.entries[key]?.state === 'ready') return;
    try {
      const reply = await bridge.invoke('estimate.speed', { options: optionsOf(options), cachedOnly: true });
      if (reply.state === 'ready') this.entries[key] = { state: 'ready', estimate: reply.estimate };
      else this.entries[key] ??= { state: 'unknown' };
    } catch {
      // A figure to compare with, no more: the run's own speed is shown either way.
    }
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        this.entries[next.key] = { state: 'measuring' };
        try {
          const reply = await bridge.invoke('estimate.speed', { options: next.options });
          this.entries[next.key] = reply.state === 'ready' ? { state: 'ready', estimate: reply.estimate } : reply;
        } catch (error) {
          this.entries[next.key] = { state: 'error', message: errorMessage(error) };
        }
      }
    } finally {
      this.running = false;
    }
  }
}

export const estimates = new Estimates();
