import type { BaselineProgress, GmmBaselineResult } from '../../src-main/shared/contract';
import type { GmmConfig } from '../../src-main/shared/schema';
import { bridge } from '../lib/bridge';
import { errorMessage } from '../lib/format';

/**
 * The GMM baselines of datasets (issue 12): the last fit of each dataset shown so far, and the one fit
 * the host runs at a time with its progress. Kept outside the view, so leaving the Datasets view and
 * coming back never loses a fit in progress or its result.
 */
class Baselines {
  /** Last fit per dataset id: null when it has none, absent until asked. */
  results = $state.raw<Record<string, GmmBaselineResult | null>>({});
  /** The dataset whose baseline is being fitted. */
  fitting = $state<string | null>(null);
  progress = $state<BaselineProgress | null>(null);
  /** The last fit's failure, per dataset id. */
  errors = $state<Record<string, string>>({});
  private started = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    bridge.on('baseline.progress', (progress) => {
      if (progress.datasetId === this.fitting) this.progress = progress;
    });
  }

  /** Loads the dataset's last fit from the host (once per dataset unless `force`). */
  async load(datasetId: string, force = false): Promise<void> {
    this.start();
    if (!force && datasetId in this.results) return;
    try {
      const result = await bridge.invoke('baseline.get', { datasetId });
      this.results = { ...this.results, [datasetId]: result };
    } catch (error) {
      this.errors[datasetId] = errorMessage(error);
    }
  }

  async fit(datasetId: string, options: GmmConfig): Promise<void> {
    this.start();
    if (this.fitting) return;
    this.fitting = datasetId;
    this.progress = null;
    delete this.errors[datasetId];
    try {
      const result = await bridge.invoke('baseline.fit', { datasetId, options });
      this.results = { ...this.results, [datasetId]: result };
    } catch (error) {
      const message = errorMessage(error);
      this.errors[datasetId] = /cancelled/.test(message) ? 'Fit cancelled.' : message;
    } finally {
      this.fitting = null;
      this.progress = null;
    }
  }

  async cancel(): Promise<void> {
    try {
      await bridge.invoke('baseline.cancel', undefined);
    } catch (error) {
      if (this.fitting) this.errors[this.fitting] = errorMessage(error);
    }
  }
}

export const baselines = new Baselines();

/** The fit's progress as a share of the whole job, in [0, 1] (phases weighted by their usual time). */
export function progressShare(progress: BaselineProgress | null): number {
  if (!progress) return 0;
  const spans: Record<BaselineProgress['phase'], [number, number]> = {
    loading: [0, 0.05],
    pca: [0.05, 0.45],
    em: [0.45, 0.6],
    samples: [0.6, 0.65],
    scores: [0.65, 1],
  };
  const [from, to] = spans[progress.phase];
  const share = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  return from + (to - from) * share;
}

/** What the fit is doing, in a few words: "PCA, pass 3 of 10", "EM, iteration 12 (log-likelihood −118.8)". */
export function progressLabel(progress: BaselineProgress | null): string {
  if (!progress) return 'Starting the trainer';
  const { phase, done, total, note } = progress;
  switch (phase) {
    case 'loading':
      return `Reading the images, ${done} of ${total}`;
    case 'pca':
      return `PCA, pass ${done} of ${total}`;
    case 'em':
      return `EM, iteration ${done}${note ? ` (${note.replace('-', '−')})` : ''}`;
    case 'samples':
      return `Writing the samples, ${done} of ${total}`;
    case 'scores':
      return `Scoring ${note ?? ''}`.trim() + (total > 1 ? `, ${Math.min(done + 1, total)} of ${total}` : '');
  }
}
