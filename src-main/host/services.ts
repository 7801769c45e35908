import { homedir } from 'node:os';
import type { AppInfo } from '../shared/contract';
import type { AppPaths } from '../disk/app-paths';
import { appHandlers } from './app';
import { baselineHandlers } from './baselines';
import { createDatasetService } from './datasets';
import { diskFullLine } from '../disk/disk-full';
import { TypedPathError } from '../disk/inside';
import { HostError, type Host, type HostHandlers } from './dispatch';
import { HostEventBus } from './events';
import { estimateHandlers } from './estimate';
import { createExperimentService } from './experiments';
import { generationHandlers } from './generation';
import { isImageAllowed } from './local-files';
import { RunStore } from './runs';
import { UploadStore, type UploadLimits } from './uploads';
import { runHandlers } from './runs-service';
import { nodeTrainerLauncher, type TrainerClient, type TrainerLauncher } from './trainer-client';
import { trainingHandlers, TrainingTracker, watchTrainer } from './training';

export interface HostDeps {
  paths: AppPaths;
  trainer: TrainerClient;
  mode: AppInfo['mode'];
  version: string;
  /** The system folder picker; only Electron has one. */
  chooseFolder?: (title?: string) => Promise<string | null>;
  /**
   * Where `generate.save` and `generate.exportModel` may write: inside one of these folders, or
   * anywhere for null. Default: the home folder in browser mode (any client holding the token
   * names the folder), anywhere in Electron (the user picked it in the app's own window). The app
   * data folder is refused either way: only the app writes there.
   */
  clientWriteRoots?: readonly string[] | null;
  /** Caps on dropped files (default UPLOAD_LIMITS); tests lower them. */
  uploadLimits?: UploadLimits;
  /**
   * Starts one trainer process of an experiment's pool of `jobs` (host/experiment-runner.ts), whose backend
   * takes cores ÷ jobs threads (GAN_STUDIO_JOBS). Default: a Node child process of the trainer entry.
   */
  experimentLauncher?: (jobs: number) => TrainerLauncher;
  /** The folder a typed `~` means (disk/inside.ts typedPath), and browser mode's write root: default os.homedir(). */
  home?: string;
}

/**
 * Business logic of the app, free of Electron: the two transports only map the contract onto it.
 * One module per area (app, datasets, runs, training, generation); the state they share is made
 * here and handed to each: the event listeners, the training status, and the dataset folders
 * whose images the renderer may be shown.
 */
export function createHost(deps: HostDeps): Host {
  const { paths, trainer } = deps;
  const runs = new RunStore(paths.runs);
  const events = new HostEventBus();
  const imageFolders = new Set<string>();
  const training = new TrainingTracker(events);
  watchTrainer(trainer, training, events);
  const uploads = new UploadStore(paths.uploads, deps.uploadLimits);
  const home = deps.home ?? homedir();
  const writeRoots = deps.clientWriteRoots !== undefined ? deps.clientWriteRoots : deps.mode === 'browser' ? [home] : null;
  const datasets = createDatasetService(paths, events, imageFolders, uploads, home);
  const folders = { dataDir: paths.root, cacheDir: paths.cache, demoDir: paths.demo };
  const experimentLauncher =
    deps.experimentLauncher ?? ((jobs: number) => nodeTrainerLauncher(undefined, { ...process.env, GAN_STUDIO_HOME: paths.root, GAN_STUDIO_JOBS: String(jobs) }));
  const experiments = createExperimentService({ root: paths.experiments, runsDir: paths.runs, folders, launch: experimentLauncher }, events, home);

  const handlers: HostHandlers = {
    ...appHandlers({ version: deps.version, mode: deps.mode, dataDir: paths.root }, deps.chooseFolder),
    ...datasets.handlers,
    ...runHandlers(runs, training),
    ...trainingHandlers(trainer, runs, training, folders, home),
    ...generationHandlers(paths, trainer, runs, writeRoots, home),
    ...baselineHandlers(paths, trainer, runs, training, events),
    ...estimateHandlers(trainer, paths.speedCache),
    ...experiments.handlers,
  };

  // A full disk says which folder and what to do, whichever request wrote (import, upload, save);
  // a typed path that names no folder (relative, empty) is the user's to fix, whichever request had it.
  const rethrowDiskFull = (error: unknown): never => {
    if (error instanceof TypedPathError) throw new HostError(error.message);
    const full = diskFullLine(error, paths.root);
    throw full ? new HostError(full) : error;
  };
  for (const method of Object.keys(handlers) as Array<keyof HostHandlers>) {
    const handler = handlers[method] as (params: unknown) => Promise<unknown>;
    (handlers as Record<string, (params: unknown) => Promise<unknown>>)[method] = (params) => handler(params).catch(rethrowDiskFull);
  }

  return {
    handlers,
    on: (event, listener) => events.on(event, listener),
    isImageAllowed: (path) => isImageAllowed(path, paths.root, imageFolders),
    receiveUpload: (uploadId, name, body, declaredBytes) => uploads.receive(uploadId, name, body, declaredBytes).catch(rethrowDiskFull),
    async dispose() {
      datasets.cancelImport();
      await Promise.all([trainer.stop(), experiments.dispose()]);
    },
  };
}
