import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import type {
  AppInfo,
  DatasetReport,
  HostEvent,
  HostEvents,
  ImportSettings,
  TrainingStatus,
} from '../shared/contract';
import type { AppPaths } from '../disk/app-paths';
import { isInside, realpathInsideAny, realpathNearest, resolveInside } from '../disk/inside';
import { existingExportFiles, MODEL_EXPORT_FILES } from '../disk/model-export';
import { assertSafeId } from '../shared/ids';
import { HostError, type Host, type HostHandlers } from './dispatch';
import { UploadStore, type UploadLimits } from './uploads';
import { writeRunConfig } from '../disk/run-folder';
import { RunStore } from './runs';
import type { TrainerClient } from './trainer-client';
import { importDataset, listRecentDatasets } from '../data/import';
import { ensureDemoDataset } from '../data/demo-avatars';

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
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp', '.tif', '.tiff', '.avif']);
export const DEFAULT_IMPORT_SETTINGS: ImportSettings = { size: 64, mode: 'crop', background: '#ffffff' };

const TRAINING_STATES = ['starting', 'running', 'paused', 'stopping'];

/** Whether two paths name the same existing folder (same device and inode); false when either is missing. */
async function sameFolder(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)]);
  return !!x && !!y && x.dev === y.dev && x.ino === y.ino;
}

/** Business logic of the app, free of Electron: the two transports only map the contract onto it. */
export function createHost(deps: HostDeps): Host {
  const { paths, trainer } = deps;
  const runs = new RunStore(paths.runs);
  const uploads = new UploadStore(paths.uploads, deps.uploadLimits);
  const writeRoots = deps.clientWriteRoots !== undefined ? deps.clientWriteRoots : deps.mode === 'browser' ? [homedir()] : null;
  const listeners = new Map<HostEvent, Set<(payload: unknown) => void>>();
  const datasetFolders = new Set<string>();
  let importAbort: AbortController | null = null;
  let status: TrainingStatus = { runId: null, state: 'idle', step: 0, totalSteps: 0 };

  function emit<E extends HostEvent>(event: E, payload: HostEvents[E]): void {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  }

  function setStatus(next: Partial<TrainingStatus>): void {
    status = { ...status, ...next };
    emit('train.status', status);
  }

  trainer.onEvent('train.metrics', ({ metrics }) => {
    if (status.runId) emit('train.metrics', { runId: status.runId, metrics });
  });
  trainer.onEvent('train.sample', (sample) => {
    if (status.runId) emit('train.sample', { runId: status.runId, ...sample });
  });
  trainer.onEvent('train.state', ({ state, step, totalSteps, message }) => setStatus({ state, step, totalSteps, message }));
  trainer.onExit(({ code, signal, reason }) => {
    const wasTraining = ['starting', 'running', 'paused', 'stopping'].includes(status.state);
    emit('trainer.exited', { code, signal, reason, runId: wasTraining ? status.runId : null });
    if (wasTraining) setStatus({ state: 'failed', message: reason });
  });

  async function importFolders(folders: string[], settings: ImportSettings): Promise<DatasetReport> {
    if (importAbort) throw new HostError('an import is already running; cancel it first');
    importAbort = new AbortController();
    try {
      const absolute = folders.map((folder) => resolve(folder));
      const { report } = await importDataset(absolute, settings, {
        cacheDir: paths.cache,
        signal: importAbort.signal,
        onProgress: (progress) => emit('datasets.progress', progress),
      });
      for (const folder of report.folders) datasetFolders.add(resolve(folder));
      return report;
    } finally {
      importAbort = null;
    }
  }

  /**
   * The real path of a folder a client named to write into (generate.save, exportModel), after
   * checking it against the write rules of `clientWriteRoots`; the folder need not exist yet.
   */
  async function clientWritableFolder(folder: unknown): Promise<string> {
    if (typeof folder !== 'string' || !folder.trim()) throw new HostError('folder: type the full path of the folder to write into');
    const typed = folder.trim().replace(/^~(?=$|[\\/])/, homedir());
    if (!isAbsolute(typed)) throw new HostError(`folder: give the full path, e.g. ${join(homedir(), 'Pictures', 'gan-output')} (got ${typed})`);
    if (typed.includes('\0')) throw new HostError('folder: the path holds a NUL character');
    const real = await realpathNearest(typed);
    if (isInside(real, await realpathNearest(paths.root))) {
      throw new HostError(`folder: ${typed} is inside GAN Studio's data folder (${paths.root}); choose a folder of your own`);
    }
    if (writeRoots && !(await realpathInsideAny(real, writeRoots))) {
      throw new HostError(`folder: ${typed} is outside ${writeRoots.join(', ')}; browser mode writes only inside your home folder`);
    }
    return real;
  }

  function requireIdle(): void {
    if (TRAINING_STATES.includes(status.state)) {
      throw new HostError('a run is training; stop it before starting another');
    }
  }

  const handlers: HostHandlers = {
    'app.info': async () => ({ version: deps.version, mode: deps.mode, dataDir: paths.root, platform: process.platform }),
    'trainer.backend': () => trainer.ready(),
    'trainer.restart': async () => {
      await trainer.stop();
      return trainer.ready();
    },
    'datasets.import': ({ folders, settings }) => importFolders(folders, settings),
    'datasets.cancelImport': async () => importAbort?.abort(),
    'datasets.recent': async () => {
      const reports = await listRecentDatasets(paths.cache);
      for (const report of reports) for (const folder of report.folders) datasetFolders.add(resolve(folder));
      return reports;
    },
    'datasets.demo': async ({ settings }) => {
      const folder = await ensureDemoDataset(paths.demo);
      return importFolders([folder], { ...DEFAULT_IMPORT_SETTINGS, ...settings });
    },
    'datasets.upload': async (params) => uploads.open((params as { name?: unknown } | null)?.name),
    'dialog.chooseFolder': async ({ title }) => {
      if (!deps.chooseFolder) throw new HostError('no folder dialog in browser mode: type the folder path instead');
      return deps.chooseFolder(title);
    },
    'runs.list': () => runs.list(),
    'runs.get': ({ runId }) => runs.detail(runId),
    'runs.delete': async ({ runId }) => {
      const dir = runs.dirOf(runId);
      // Compared as folders, not names: another spelling of the same folder must not slip past.
      if (status.runId && TRAINING_STATES.includes(status.state) && (status.runId === runId || (await sameFolder(dir, runs.dirOf(status.runId))))) {
        throw new HostError('this run is training; stop it before deleting it');
      }
      await runs.delete(runId);
    },
    'train.start': async ({ config }) => {
      requireIdle();
      const runId = runs.newRunId();
      const runDir = runs.dirOf(runId);
      await mkdir(runDir, { recursive: true });
      await writeRunConfig(runDir, config);
      setStatus({ runId, state: 'starting', step: 0, totalSteps: config.steps, message: undefined });
      await trainer.request('train.start', { runDir, config, resume: false });
      return runs.summary(runId);
    },
    'train.resume': async ({ runId, extraSteps }) => {
      requireIdle();
      const summary = await runs.summary(runId);
      if (!summary.hasCheckpoint) throw new HostError('this run has no checkpoint to resume from');
      const config = await runs.config(runId);
      setStatus({ runId, state: 'starting', step: summary.stepsDone, totalSteps: config.steps + (extraSteps ?? 0), message: undefined });
      await trainer.request('train.start', { runDir: summary.dir, config, resume: true, extraSteps });
      return summary;
    },
    'train.pause': async () => {
      await trainer.request('train.pause', undefined);
      return status;
    },
    'train.continue': async () => {
      await trainer.request('train.continue', undefined);
      return status;
    },
    'train.stop': async () => {
      if (trainer.running) await trainer.request('train.stop', undefined);
      return status;
    },
    'train.status': async () => status,
    'generate.images': async ({ runId, n, seed, rankByD }) => {
      const runDir = runs.dirOf(runId);
      const outDir = resolveInside(paths.generated, assertSafeId('run id', runId), `${Date.now()}`);
      return trainer.request('generate.images', { runDir, outDir, n, seed, rankByD });
    },
    'generate.interpolation': async ({ runId, frames, seed }) => {
      const runDir = runs.dirOf(runId);
      const gifPath = resolveInside(paths.generated, assertSafeId('run id', runId), `walk-${Date.now()}.gif`);
      await trainer.request('generate.interpolation', { runDir, outFile: gifPath, frames, seed });
      return { gifPath };
    },
    'generate.save': async ({ paths: files, folder }) => {
      if (!Array.isArray(files) || files.length === 0) throw new HostError('paths: choose the generated images to save');
      const target = await clientWritableFolder(folder);
      const generatedRoot = await realpath(paths.generated).catch(() => null);
      const sources: string[] = [];
      for (const file of files) {
        const source = typeof file === 'string' && generatedRoot ? await realpath(file).catch(() => null) : null;
        if (!source || !isInside(source, generatedRoot!)) throw new HostError(`not a generated image: ${String(file).slice(0, 200)}`);
        sources.push(source);
      }
      await mkdir(target, { recursive: true });
      const existing = new Set(await readdir(target));
      const saved: string[] = [];
      for (const source of sources) {
        const ext = extname(source);
        const stem = basename(source, ext);
        for (let i = 0; ; i++) {
          const name = `${i === 0 ? stem : `${stem}-${i}`}${ext}`;
          if (existing.has(name)) continue;
          existing.add(name);
          try {
            // COPYFILE_EXCL: a file that appeared since the listing is never replaced either.
            await copyFile(source, join(target, name), fsConstants.COPYFILE_EXCL);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
            throw error;
          }
          saved.push(join(target, name));
          break;
        }
      }
      return { saved };
    },
    'generate.exportModel': async ({ runId, folder, overwrite }) => {
      const runDir = runs.dirOf(runId);
      const outDir = await clientWritableFolder(folder);
      if (overwrite !== true) {
        const existing = await existingExportFiles(outDir);
        if (existing.length > 0) return { existing };
      }
      await trainer.request('generate.exportModel', { runDir, outDir });
      return { modelJson: join(outDir, MODEL_EXPORT_FILES.model) };
    },
  };

  return {
    handlers,
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    async isImageAllowed(path) {
      if (typeof path !== 'string' || !isAbsolute(path) || !IMAGE_EXTENSIONS.has(extname(path).toLowerCase())) return false;
      const real = await realpath(path).catch(() => null);
      return real !== null && (await realpathInsideAny(real, [paths.root, ...datasetFolders])) !== null;
    },
    receiveUpload: (uploadId, name, body, declaredBytes) => uploads.receive(uploadId, name, body, declaredBytes),
    async dispose() {
      importAbort?.abort();
      await trainer.stop();
    },
  };
}
