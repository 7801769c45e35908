import type { AppPaths } from '../disk/app-paths';
import { baselineDir, latestBaseline } from '../disk/baseline-folder';
import { listRecentDatasets } from '../data/import';
import type { RunSummary } from '../shared/contract';
import { HostError, type HostHandlers } from './dispatch';
import type { HostEventBus } from './events';
import type { RunStore } from './runs';
import type { TrainerClient } from './trainer-client';
import type { TrainingTracker } from './training';

type BaselineMethod = 'baseline.fit' | 'baseline.cancel' | 'baseline.get';

/**
 * GAN runs scored beside a baseline: the newest ones with a checkpoint, at most this many (each costs a
 * draw of 1,000 images and their scores, about 15 s at 32 px on two cores).
 */
export const MAX_BASELINE_GANS = 3;

/** What the trainer answers when the fit is cancelled (engine/baseline's ImageGmmCancelled). */
const CANCELLED = 'the GMM fit was cancelled';

/**
 * The GMM baseline of a dataset (issue 12): fitted by the trainer process — never on the host's event
 * loop — into <data>/baselines/<datasetId>-<options hash>/ (disk/baseline-folder.ts), one fit at a time,
 * with 'baseline.progress' events and a cancel. The renderer names the dataset by its id only; the host
 * finds its folders in the import cache and hands the trainer every path.
 */
export function baselineHandlers(
  paths: AppPaths,
  trainer: TrainerClient,
  runs: RunStore,
  training: TrainingTracker,
  events: HostEventBus,
): Pick<HostHandlers, BaselineMethod> {
  let fitting: string | null = null;
  trainer.onEvent('gmm.progress', (progress) => {
    if (fitting) events.emit('baseline.progress', { datasetId: fitting, ...progress });
  });

  return {
    'baseline.fit': async ({ datasetId, options }) => {
      if (fitting) throw new HostError('a baseline fit is already running; cancel it first');
      if (training.active) throw new HostError('a run is training, and the baseline is fitted by the same trainer process: stop the run or let it finish, then fit');
      const report = (await listRecentDatasets(paths.cache)).find((r) => r.id === datasetId);
      if (!report) throw new HostError(`dataset ${datasetId} is not among the imported datasets: import its folder again`);
      if (options.components > report.used) {
        throw new HostError(`Components (K) must be at most ${report.used}, the number of images in the set, got ${options.components}`);
      }
      const candidates = (await runs.list())
        .filter((run): run is RunSummary => !run.broken)
        .filter((run) => run.hasCheckpoint && run.config.data.datasetId === datasetId)
        .slice(0, MAX_BASELINE_GANS);
      fitting = datasetId;
      try {
        return await trainer.request('gmm.fit', {
          datasetId,
          folders: report.folders,
          settings: report.settings,
          options,
          outDir: baselineDir(paths.baselines, datasetId, options),
          runs: candidates.map((run) => ({ runId: run.id, runDir: run.dir })),
          dataDir: paths.root,
          cacheDir: paths.cache,
        });
      } catch (error) {
        if (error instanceof Error && error.message === CANCELLED) throw new HostError('the baseline fit was cancelled');
        throw error;
      } finally {
        fitting = null;
      }
    },
    'baseline.cancel': async () => {
      if (fitting && trainer.running) await trainer.request('gmm.cancel', undefined);
    },
    'baseline.get': async ({ datasetId }) => latestBaseline(paths.baselines, datasetId),
  };
}
