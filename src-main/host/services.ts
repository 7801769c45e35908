import { copyFile, mkdir, readdir, realpath } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import type {
  AppInfo,
  DatasetReport,
  HostEvent,
  HostEvents,
  ImportSettings,
  TrainingStatus,
} from '../shared/contract';
import type { AppPaths } from '../disk/app-paths';
import { writeFileAtomic } from '../disk/atomic-write';
import { HostError, type Host, type HostHandlers } from './dispatch';
import { writeRunConfig } from '../disk/run-folder';
import { RunStore } from './runs';
import type { TrainerClient } from './trainer-client';
import { importDataset, listRecentDatasets } from '../data/import';
import { ensureDemoDataset } from '../data/demo-avatars';
import type { RunConfig } from '../engine/config';
import { backendMemoryLimit, trainingMemoryError } from '../engine/memory';

export interface HostDeps {
  paths: AppPaths;
  trainer: TrainerClient;
  mode: AppInfo['mode'];
  version: string;
  /** The system folder picker; only Electron has one. */
  chooseFolder?: (title?: string) => Promise<string | null>;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp', '.tif', '.tiff', '.avif']);
export const DEFAULT_IMPORT_SETTINGS: ImportSettings = { size: 64, mode: 'crop', background: '#ffffff' };


function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Business logic of the app, free of Electron: the two transports only map the contract onto it. */
export function createHost(deps: HostDeps): Host {
  const { paths, trainer } = deps;
  const runs = new RunStore(paths.runs);
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
        appDataDir: paths.root,
        signal: importAbort.signal,
        onProgress: (progress) => emit('datasets.progress', progress),
      });
      for (const folder of report.folders) datasetFolders.add(resolve(folder));
      return report;
    } finally {
      importAbort = null;
    }
  }

  function requireIdle(): void {
    if (['starting', 'running', 'paused', 'stopping'].includes(status.state)) {
      throw new HostError('a run is training; stop it before starting another');
    }
  }

  /** Refuses, before anything is written, a run too large for the trainer's backend (engine/memory.ts). */
  async function requireMemoryFor(config: RunConfig): Promise<void> {
    const report = await trainer.ready();
    let message: string | null;
    try {
      message = trainingMemoryError(config, backendMemoryLimit(report.backend, totalmem()));
    } catch {
      return; // a malformed configuration is refused by its validation, with the field it names
    }
    if (message) throw new HostError(message);
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
    'datasets.upload': async ({ name, files }) => {
      if (files.length === 0) throw new HostError('nothing was dropped');
      const safeName = name.replace(/[^\w.-]+/g, '-').slice(0, 60) || 'dropped';
      const folder = join(paths.uploads, `${new Date().toISOString().slice(0, 10)}-${safeName}-${Math.random().toString(36).slice(2, 6)}`);
      await mkdir(folder, { recursive: true });
      const used = new Set<string>();
      for (const file of files) {
        let fileName = basename(file.name.replace(/\\/g, '/')) || 'image';
        while (used.has(fileName)) fileName = `_${fileName}`;
        used.add(fileName);
        await writeFileAtomic(join(folder, fileName), Buffer.from(file.base64, 'base64'));
      }
      return { folder };
    },
    'dialog.chooseFolder': async ({ title }) => {
      if (!deps.chooseFolder) throw new HostError('no folder dialog in browser mode: type the folder path instead');
      return deps.chooseFolder(title);
    },
    'runs.list': () => runs.list(),
    'runs.get': ({ runId }) => runs.detail(runId),
    'runs.delete': async ({ runId }) => {
      if (status.runId === runId && ['starting', 'running', 'paused', 'stopping'].includes(status.state)) {
        throw new HostError('this run is training; stop it before deleting it');
      }
      await runs.delete(runId);
    },
    'train.start': async ({ config }) => {
      requireIdle();
      await requireMemoryFor(config);
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
      await requireMemoryFor(config);
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
      const outDir = join(paths.root, 'generated', runId, `${Date.now()}`);
      return trainer.request('generate.images', { runDir: runs.dirOf(runId), outDir, n, seed, rankByD });
    },
    'generate.interpolation': async ({ runId, frames, seed }) => {
      const gifPath = join(paths.root, 'generated', runId, `walk-${Date.now()}.gif`);
      await trainer.request('generate.interpolation', { runDir: runs.dirOf(runId), outFile: gifPath, frames, seed });
      return { gifPath };
    },
    'generate.save': async ({ paths: files, folder }) => {
      const generatedRoot = join(paths.root, 'generated');
      const target = resolve(folder);
      await mkdir(target, { recursive: true });
      const existing = new Set(await readdir(target));
      const saved: string[] = [];
      for (const file of files) {
        const source = await realpath(file);
        if (!isInside(source, await realpath(generatedRoot))) throw new HostError(`not a generated image: ${file}`);
        const ext = extname(source);
        let name = basename(source, ext);
        for (let i = 1; existing.has(`${name}${ext}`); i++) name = `${basename(source, ext)}-${i}`;
        existing.add(`${name}${ext}`);
        const destination = join(target, `${name}${ext}`);
        await copyFile(source, destination);
        saved.push(destination);
      }
      return { saved };
    },
    'generate.exportModel': async ({ runId, folder }) => {
      const outDir = resolve(folder);
      await trainer.request('generate.exportModel', { runDir: runs.dirOf(runId), outDir });
      return { modelJson: join(outDir, 'model.json') };
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
      if (!IMAGE_EXTENSIONS.has(extname(path).toLowerCase())) return false;
      let real: string;
      try {
        real = await realpath(path);
      } catch {
        return false;
      }
      const roots = [paths.root, ...datasetFolders];
      for (const root of roots) {
        const realRoot = await realpath(root).catch(() => null);
        if (realRoot && isInside(real, realRoot)) return true;
      }
      return false;
    },
    async dispose() {
      importAbort?.abort();
      await trainer.stop();
    },
  };
}
