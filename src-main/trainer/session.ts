import * as tf from '@tensorflow/tfjs';
import { appendFile, mkdir } from 'node:fs/promises';
import {
  createGan,
  disposeGan,
  generateImages,
  samplingGenerator,
  toUint8,
  trainIteration,
  NonFiniteLossError,
  type Augmenter, type GanState, type RealBatchSource } from '../engine/gan';
import { restoreGan, serializeGan } from '../engine/checkpoint';
import type { RunConfig, StepMetrics } from '../engine/config';
import { samplePrior } from '../engine/prior';
import { runConfigErrors } from '../engine/run-config';
import { trainingMemoryError } from '../engine/memory';
import { currentMemoryLimit } from './backend';
import { writeFileAtomic } from '../disk/atomic-write';
import { appPaths } from '../disk/app-paths';
import type { BackendReport, DatasetReport, ImportProgress, TrainingState } from '../shared/contract';
import type { ImageSet } from '../data/types';
import { gridPng } from './images';
import { latestCheckpoint, readMetrics, readRunConfig, runFiles, writeRunConfig } from '../disk/run-folder';
import { readCheckpoint, writeCheckpoint } from '../disk/checkpoint-files';

export interface TrainingHooks {
  /** Every logged step, after its line is in metrics.jsonl. */
  onMetrics?: (metrics: StepMetrics) => void;
  /** A sample grid was written. */
  onSample?: (sample: { step: number; path: string }) => void;
  onCheckpoint?: (checkpoint: { step: number; path: string }) => void;
  /** 'starting' while the dataset loads, then 'running'; the caller reports the end from the promise. */
  onState?: (state: TrainingState, message?: string) => void;
  onImportProgress?: (progress: ImportProgress) => void;
  onDataset?: (report: DatasetReport) => void;
  /** Warnings and notes for the user (dataset changed since the run started, ...). */
  onLog?: (message: string) => void;
  /** Awaited between iterations: resolve to go on. A stop must also resolve it (then the signal is checked). */
  waitIfPaused?: () => Promise<void>;
}

export interface RunTrainingOptions {
  runDir: string;
  /**
   * The run's configuration. On resume, config.json in runDir is used; only steps, lrD, lrG,
   * sampleEvery and checkpointEvery are taken from here.
   */
  config: RunConfig;
  resume: boolean;
  /** Steps to train beyond config.steps (the host's "train N more"). */
  extraSteps?: number;
  backendReport?: BackendReport;
  /** Where the dataset import caches preprocessed pixels. */
  cacheDir: string;
  /** Abort = stop: the loop saves a checkpoint and the promise resolves with state 'stopped'. */
  signal?: AbortSignal;
  hooks?: TrainingHooks;
  /** Pixels already loaded (tests, or a host that imported the dataset itself): skips the import. */
  images?: ImageSet;
}

export interface TrainingResult {
  state: 'finished' | 'stopped';
  step: number;
  totalSteps: number;
  /** The newest checkpoint on disk, if any. */
  checkpoint: string | null;
}

/** Sample grids: 8×8 tiles up to 64 px, 6×6 above (keeps the PNG near 512 px wide). */
function sampleCount(size: number): number {
  return size <= 64 ? 64 : 36;
}

/** The fixed z of the sample grids: a function of the seed only, so a resumed run draws the same. */
export function sampleLatents(config: RunConfig): tf.Tensor2D {
  return samplePrior(config.prior, sampleCount(config.size), config.latent, (config.seed ^ 0x5bd1e995) >>> 1);
}

interface DataModules {
  imageBatch: (set: ImageSet, indices: ArrayLike<number>) => tf.Tensor4D;
  augmentBatch?: Augmenter;
}

// Loaded on first use: the dataset issue's modules are only needed once a run starts.
async function dataModules(needAugment: boolean): Promise<DataModules> {
  const { imageBatch } = await import('../data/batches');
  if (!needAugment) return { imageBatch };
  const { augmentBatch } = await import('../data/augment');
  return { imageBatch, augmentBatch };
}

async function loadImages(config: RunConfig, options: RunTrainingOptions): Promise<{ images: ImageSet; report: DatasetReport | null }> {
  if (options.images) return { images: options.images, report: null };
  const { importDataset } = await import('../data/import');
  let folders = config.data.folders;
  if (config.data.demo) {
    const { ensureDemoDataset } = await import('../data/demo-avatars');
    folders = [await ensureDemoDataset(appPaths().demo)];
  }
  if (folders.length === 0) throw new Error('the run has no dataset folder (config.data.folders is empty)');
  const settings = { ...config.data.settings, size: config.size };
  const { report, images } = await importDataset(folders, settings, {
    cacheDir: options.cacheDir,
    appDataDir: appPaths().root,
    onProgress: options.hooks?.onImportProgress,
    signal: options.signal,
  });
  return { images, report };
}

function aborted(signal?: AbortSignal): boolean {
  return signal?.aborted === true;
}

/** Lets IPC messages, signals and timers run between the synchronous tfjs steps. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Trains one run into its folder (DESIGN.md "Files on disk"): config.json, metrics.jsonl, samples/,
 * checkpoints/. Resolves when the run reaches its step count or is stopped through `signal` (after
 * a checkpoint); rejects on errors, including a NaN/Inf loss (the last good checkpoint stays).
 */
export async function runTraining(options: RunTrainingOptions): Promise<TrainingResult> {
  const { runDir, hooks = {}, signal } = options;
  hooks.onState?.('starting', options.resume ? 'resuming' : 'loading the dataset');
  await mkdir(runDir, { recursive: true });

  let config: RunConfig;
  let checkpointPath: string | null = null;
  if (options.resume) {
    const latest = await latestCheckpoint(runDir);
    if (!latest) throw new Error(`${runDir} has no checkpoint to resume from`);
    checkpointPath = latest.path;
    // The run's own config.json rules, except what may change between sittings without
    // invalidating the checkpoint: the length, the learning rates (the way out of a divergence)
    // and how often to sample and checkpoint.
    const { steps, lrD, lrG, sampleEvery, checkpointEvery } = options.config;
    config = { ...(await readRunConfig(runDir)), steps, lrD, lrG, sampleEvery, checkpointEvery };
  } else {
    if (await latestCheckpoint(runDir)) {
      throw new Error(`${runDir} already holds a trained run: resume it or choose another folder`);
    }
    config = structuredClone(options.config);
  }
  config.steps += options.extraSteps ?? 0;
  const errors = runConfigErrors(config);
  if (errors.length > 0) throw new Error(`invalid run configuration: ${errors.join('; ')}`);
  // Before the dataset is read or a network built: a batch too large for the backend fails here, at once.
  const memory = trainingMemoryError(config, currentMemoryLimit());
  if (memory) throw new Error(memory);

  const stoppedBeforeTraining = async (): Promise<TrainingResult> => ({
    state: 'stopped',
    step: (await latestCheckpoint(runDir))?.step ?? 0,
    totalSteps: config.steps,
    checkpoint: checkpointPath,
  });
  let loaded: Awaited<ReturnType<typeof loadImages>>;
  try {
    loaded = await loadImages(config, options);
  } catch (error) {
    // A stop while the dataset loads is a stop, not a failure: nothing was trained, nothing is lost.
    if (aborted(signal)) return stoppedBeforeTraining();
    throw error;
  }
  if (aborted(signal)) return stoppedBeforeTraining();
  const { images, report } = loaded;
  if (report) {
    hooks.onDataset?.(report);
    if (options.resume && config.data.datasetId && config.data.datasetId !== report.id) {
      hooks.onLog?.('the dataset changed since this run started (different files or settings); training goes on with the current images');
    }
    config.data = { ...config.data, datasetId: report.id };
  }
  if (images.count === 0) throw new Error('the dataset has no usable images');
  if (images.size !== config.size) throw new Error(`the dataset was prepared at ${images.size} px, the run trains at ${config.size} px`);

  const modules = await dataModules(config.augment.length > 0);
  let state: GanState;
  if (checkpointPath) {
    state = restoreGan(config, await readCheckpoint(checkpointPath), { augment: modules.augmentBatch });
  } else {
    state = createGan(config, { augment: modules.augmentBatch });
  }
  const startStep = state.step;
  await writeRunConfig(runDir, config);
  await mkdir(runFiles.samples(runDir), { recursive: true });
  await dropMetricsAfter(runDir, startStep);

  const realBatch: RealBatchSource = (n, rng) => {
    const indices = new Int32Array(n);
    for (let i = 0; i < n; i++) indices[i] = rng.int(images.count);
    return modules.imageBatch(images, indices);
  };
  const fixedZ = sampleLatents(config);
  const totalSteps = config.steps;
  let lastCheckpointStep = checkpointPath ? startStep : -1;
  let lastSampleStep = -1;

  const saveCheckpoint = async () => {
    if (lastCheckpointStep === state.step) return;
    checkpointPath = await writeCheckpoint(runDir, await serializeGan(state));
    lastCheckpointStep = state.step;
    hooks.onCheckpoint?.({ step: state.step, path: checkpointPath });
  };
  const saveSample = async () => {
    if (lastSampleStep === state.step) return;
    const pixels = tf.tidy(() => generateImages(samplingGenerator(state), fixedZ));
    const png = await gridPng({ pixels: toUint8(pixels), count: pixels.shape[0], size: config.size });
    pixels.dispose();
    const path = runFiles.sample(runDir, state.step);
    await writeFileAtomic(path, png);
    lastSampleStep = state.step;
    hooks.onSample?.({ step: state.step, path });
  };

  const started = performance.now();
  const recent: number[] = [];
  try {
    if (options.backendReport) {
      const b = options.backendReport;
      hooks.onLog?.(`training on ${b.device} · ${b.label}, ${b.threads} thread${b.threads === 1 ? '' : 's'}`);
    }
    hooks.onState?.('running');
    if (startStep === 0) await saveSample();
    while (state.step < totalSteps) {
      await hooks.waitIfPaused?.();
      if (aborted(signal)) break;
      const t0 = performance.now();
      let iteration;
      try {
        iteration = trainIteration(state, realBatch);
      } catch (error) {
        if (error instanceof NonFiniteLossError) {
          const kept = lastCheckpointStep >= 0 ? ` The last good checkpoint (step ${lastCheckpointStep}) is kept.` : '';
          throw new Error(`${error.message}${kept}`);
        }
        throw error;
      }
      recent.push(performance.now() - t0);
      if (recent.length > 20) recent.shift();
      const msPerIter = recent.reduce((a, b) => a + b, 0) / recent.length;
      const metrics: StepMetrics = {
        ...iteration,
        imgPerSec: (config.k * config.batch * 1000) / msPerIter,
        time: (performance.now() - started) / 1000,
      };
      await appendFile(runFiles.metrics(runDir), JSON.stringify(metrics) + '\n');
      hooks.onMetrics?.(metrics);
      if (state.step % config.sampleEvery === 0 || state.step === totalSteps) await saveSample();
      if (state.step % config.checkpointEvery === 0 || state.step === totalSteps) await saveCheckpoint();
      await yieldToEventLoop();
    }
    // A stop (or a crash-free end) always leaves a checkpoint of the last completed step.
    await saveCheckpoint();
    return { state: state.step >= totalSteps ? 'finished' : 'stopped', step: state.step, totalSteps, checkpoint: checkpointPath };
  } finally {
    fixedZ.dispose();
    disposeGan(state);
  }
}

/** After a crash, metrics.jsonl may run past the checkpoint we resume from: those steps are redone. */
async function dropMetricsAfter(runDir: string, step: number): Promise<void> {
  const metrics = await readMetrics(runDir);
  if (metrics.length === 0 && step === 0) return;
  const kept = metrics.filter((m) => m.step <= step);
  if (kept.length === metrics.length && step > 0) return;
  await writeFileAtomic(runFiles.metrics(runDir), kept.map((m) => JSON.stringify(m) + '\n').join(''));
}
