import * as tf from '@tensorflow/tfjs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import {
  createGan,
  disposeGan,
  generateImages,
  nonFiniteWeights,
  samplingGenerator,
  toUint8,
  trainIteration,
  NonFiniteLossError,
  type GanState, type RealBatchSource } from '../engine/gan';
import { nonFiniteTensors, restoreGan, serializeGan } from '../engine/checkpoint';
import { DivergenceWatch, RESUME_HINT, type DivergenceLimits } from '../engine/divergence';
import { HealthMonitor, setDiversity, type HealthUpdate } from '../engine/health';
import type { EvalMetrics, RunConfig, StepMetrics } from '../shared/contract';
import { evalDue, evalReferenceSeed, QualityEvaluator } from '../engine/quality-eval';
import { drawTrainingIndices, HELD_OUT_SEED, scoringSets, splitHeldOut, unscoredReason } from '../engine/held-out';
import { landscapeProbe, landscapeSeed, measureLandscape, type LandscapeProbe } from '../engine/landscape';
import { samplePrior } from '../engine/prior';
import { applyResumeChanges, describeErrors, validateRunConfig, type RunCompute } from '../shared/schema';
import { trainingMemoryError } from '../engine/memory';
import { imagesPerStep } from '../shared/estimate';
import { currentMemoryLimit } from './backend';
import { withTargetPath, writeFileAtomic } from '../disk/atomic-write';
import { diskFullMessage, isDiskFull } from '../disk/disk-full';
import { acquireRunLock } from '../disk/run-lock';
import { describeBackend, type BackendReport, type DatasetReport, type ImportProgress, type TrainingState } from '../shared/contract';
import type { ImageSet } from '../data/types';
import { gridPng } from './images';
import { latestCheckpoint, parseMetricsRecords, readMetricsFile, readRunConfig, removeTempFiles, runFiles, writeRunConfig } from '../disk/run-folder';
import { loadNewestIntactCheckpoint, setAsideDamagedCheckpoints, writeCheckpoint, type IntactCheckpoint } from '../disk/checkpoint-files';

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
  /**
   * The run's health findings changed (engine/health.ts): evaluated at every sample grid, and at once when
   * the losses start exploding. `added`: the new ones (print these); `findings`: all current ones.
   */
  onHealth?: (update: HealthUpdate) => void;
  /** A quality score was taken (every config.evalEvery steps and at the end), after its line is in metrics.jsonl. */
  onEval?: (evaluation: EvalMetrics) => void;
  /** Warnings and notes for the user (dataset changed since the run started, ...). */
  onLog?: (message: string) => void;
  /** Awaited between iterations: resolve to go on. A stop must also resolve it (then the signal is checked). */
  waitIfPaused?: () => Promise<void>;
}

export interface RunTrainingOptions {
  runDir: string;
  /**
   * The run's configuration. On resume, config.json in runDir is used; only the options the run schema
   * marks as changeable on resume (RESUMABLE_OPTIONS: the length, learning rates, how often to log) are
   * taken from here.
   */
  config: RunConfig;
  resume: boolean;
  /** Steps to train beyond config.steps (the host's "train N more"). */
  extraSteps?: number;
  backendReport?: BackendReport;
  /** Where the dataset import caches preprocessed pixels (handed down by the host or the CLI). */
  cacheDir: string;
  /** Where the built-in demo set is (re)created when the run trains on it (required for demo runs). */
  demoDir?: string;
  /** The app's data folder, when the run lives in it: a full disk there is reported as the app's folder. */
  dataDir?: string;
  /** Abort = stop: the loop saves a checkpoint and the promise resolves with state 'stopped'. */
  signal?: AbortSignal;
  hooks?: TrainingHooks;
  /** Pixels already loaded (tests, or a host that imported the dataset itself): skips the import. */
  images?: ImageSet;
  /**
   * How to continue after a stop the user has to fix first (a full disk), in the caller's words:
   * "continue with: gan-studio train --resume --out RUN"; by default "resume the run from Runs".
   */
  resumeHint?: string;
  /** When losses count as exploding; DEFAULT_DIVERGENCE_LIMITS where not given. */
  divergence?: Partial<DivergenceLimits>;
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

/**
 * A run's images as its config.json describes them (its folders or the demo set, prepared at the run's size
 * through the import cache), or `options.images` when given. Throws the import's one-line errors (a folder
 * gone, no usable images) and when a demo run gets no demo folder.
 */
export async function loadRunImages(
  config: RunConfig,
  options: Pick<RunTrainingOptions, 'images' | 'cacheDir' | 'demoDir' | 'dataDir' | 'hooks' | 'signal'>,
): Promise<{ images: ImageSet; report: DatasetReport | null }> {
  if (options.images) return { images: options.images, report: null };
  const { importDataset } = await import('../data/import');
  let folders = config.data.folders;
  if (config.data.demo) {
    const { ensureDemoDataset } = await import('../data/demo-avatars');
    if (!options.demoDir) throw new Error('the run trains on the demo set, but no demo folder was handed to the trainer');
    folders = [await ensureDemoDataset(options.demoDir)];
  }
  if (folders.length === 0) throw new Error('the run has no dataset folder (config.data.folders is empty)');
  const settings = { ...config.data.settings, size: config.size };
  const { report, images } = await importDataset(folders, settings, {
    cacheDir: options.cacheDir,
    appDataDir: options.dataDir,
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
 * checkpoints/, and run.lock while it writes. Resolves when the run reaches its step count or is
 * stopped through `signal` (after a checkpoint). Rejects, keeping the last good checkpoint, on
 * errors: a folder another process writes (RunLockedError), a NaN/Inf loss, exploding losses or
 * non-finite weights (divergence), a full disk (one line: which file, the intact checkpoint, how
 * to resume), and the rest.
 */
export async function runTraining(options: RunTrainingOptions): Promise<TrainingResult> {
  const { runDir, hooks = {} } = options;
  hooks.onState?.('starting', options.resume ? 'resuming' : 'loading the dataset');
  // Nothing is written for a configuration that cannot train (the host and the CLI checked already).
  if (!options.resume) {
    const checked = validateRunConfig(options.config);
    if (!checked.ok) throw new Error(`invalid run configuration: ${describeErrors(checked.errors)}`);
  }
  // One writer per run folder: refuses a folder another live process trains (RunLockedError).
  const lock = await acquireRunLock(runDir);
  const progress: Progress = { checkpoint: null };
  try {
    return await trainLocked(options, progress);
  } catch (error) {
    if (isDiskFull(error)) {
      throw new Error(
        diskFullMessage(error, {
          appRoot: options.dataDir,
          lastCheckpoint: progress.checkpoint,
          resumeHint: options.resumeHint ?? 'resume the run from Runs',
        }),
      );
    }
    throw error;
  } finally {
    await lock.release();
  }
}

/** What the error paths need to know about the run so far. */
interface Progress {
  /** The newest checkpoint known intact: read at resume or written since. */
  checkpoint: { step: number; path: string } | null;
}

async function trainLocked(options: RunTrainingOptions, progress: Progress): Promise<TrainingResult> {
  const { runDir, hooks = {}, signal } = options;
  // We are the one writer now: what an interrupted write left behind is garbage.
  await removeTempFiles(runDir);

  let config: RunConfig;
  let restored: IntactCheckpoint | null = null;
  if (options.resume) {
    restored = await loadNewestIntactCheckpoint(runDir);
    if (!restored) throw new Error(`${runDir} has no checkpoint to resume from`);
    for (const skipped of restored.skipped) {
      hooks.onLog?.(`${skipped.message}; resuming from step ${restored.step} (${restored.path}) instead, the damaged file is kept as ${skipped.path}.damaged`);
    }
    await setAsideDamagedCheckpoints(restored.skipped);
    progress.checkpoint = { step: restored.step, path: restored.path };
    // The run's own config.json rules, except what may change between sittings without
    // invalidating the checkpoint (the schema's RESUMABLE_OPTIONS).
    config = applyResumeChanges(await readRunConfig(runDir), options.config);
  } else {
    if (await latestCheckpoint(runDir)) {
      throw new Error(`${runDir} already holds a trained run: resume it or choose another folder`);
    }
    config = structuredClone(options.config);
  }
  config.steps += options.extraSteps ?? 0;
  // Defence in depth: the host and the CLI validated already, with the same schema.
  const checked = validateRunConfig(config);
  if (!checked.ok) throw new Error(`invalid run configuration: ${describeErrors(checked.errors)}`);
  // Before the dataset is read or a network built: a batch too large for the backend fails here, at once.
  const memory = trainingMemoryError(config, currentMemoryLimit());
  if (memory) throw new Error(memory);
  await mkdir(runDir, { recursive: true });

  const stoppedBeforeTraining = async (): Promise<TrainingResult> => ({
    state: 'stopped',
    step: (await latestCheckpoint(runDir))?.step ?? 0,
    totalSteps: config.steps,
    checkpoint: progress.checkpoint?.path ?? null,
  });
  let loaded: Awaited<ReturnType<typeof loadRunImages>>;
  try {
    loaded = await loadRunImages(config, options);
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

  // The held-out split (engine/held-out.ts): drawn from the seed config.json recorded when the run started,
  // so a resume sets aside the same images; never trained on, only scored against.
  // A new run draws from HELD_OUT_SEED whatever split a copied configuration carries.
  const splitSeed = (options.resume ? config.split?.seed : undefined) ?? HELD_OUT_SEED;
  if (options.resume && config.split && config.split.images !== images.count && config.heldOut > 0) {
    hooks.onLog?.(`the dataset holds ${images.count} images now, ${config.split.images} when the run started: the held-out images are drawn again from its seed`);
  }
  const split = splitHeldOut(images.count, config.heldOut, splitSeed);
  config.split = { seed: splitSeed, images: images.count, heldOut: split.heldOut.length };

  // Loaded on first use: the dataset issue's module is only needed once a run starts.
  const { imageBatch } = await import('../data/batches');
  let state: GanState;
  if (restored) {
    state = restoreGan(config, restored.checkpoint);
    restored = null;
  } else {
    state = createGan(config);
  }
  const startStep = state.step;
  // What the run trained on until now, and what it trains on from here (unknown without a report).
  const previousCompute = options.resume ? config.compute : undefined;
  if (options.backendReport) config.compute = { backend: options.backendReport.backend, threads: options.backendReport.threads };
  else delete config.compute;
  await writeRunConfig(runDir, config);
  await mkdir(runFiles.samples(runDir), { recursive: true });
  await dropMetricsAfter(runDir, startStep);

  // Training batches draw from the training indices only (all of them, in order, when none are held out).
  const trainIndices = split.train;
  const realBatch: RealBatchSource = (n, rng) => imageBatch(images, drawTrainingIndices(trainIndices, n, rng));
  const fixedZ = sampleLatents(config);
  const totalSteps = config.steps;
  // Quality scores draw from streams of their own (engine/quality-eval.ts), never the training stream.
  // They compare with the held-out images when there are at least 2, else with the training images.
  let evaluator: QualityEvaluator | null = null;
  let landscape: LandscapeProbe | null = null;
  let against: 'held-out' | 'training' = 'training';
  const unscored = unscoredReason(images.count, split);
  if (config.evalEvery > 0 && unscored) {
    hooks.onLog?.(`${unscored}: this run is not scored`);
  } else if (config.evalEvery > 0) {
    const sets = scoringSets(images, split, config.evalSamples, evalReferenceSeed(config.seed));
    against = sets.against;
    evaluator = new QualityEvaluator(config, sets.real, sets.training);
    // D's landscape (engine/landscape.ts) on the same schedule, from a stream of its own.
    landscape = landscapeProbe(sets.real, against, landscapeSeed(config.seed));
  }
  const evaluatedSteps = new Set(evaluator ? (await readMetricsFile(runDir)).evals.map((e) => e.step) : []);
  let lastCheckpointStep = progress.checkpoint ? startStep : -1;
  let lastSampleStep = -1;
  let lastCheckedStep = -1;
  const watch = new DivergenceWatch(options.divergence);
  // The health detectors compare the grid's spread with the training images'. They judge this sitting's
  // steps only: a resume may have changed the settings (a remedy), and the steps before would repeat the old finding.
  const health = new HealthMonitor(config, setDiversity(images));
  const reportHealth = () => {
    const update = health.evaluate(state.step);
    if (update) hooks.onHealth?.(update);
  };
  const keptNote = () =>
    progress.checkpoint ? `The last good checkpoint (step ${progress.checkpoint.step}) is kept.` : 'No checkpoint was written before it.';
  const diverged = (bad: string[]) =>
    new Error(
      `training diverged at step ${state.step}: NaN or infinite values in ${bad.slice(0, 3).join(', ')}` +
        `${bad.length > 3 ? ` and ${bad.length - 3} more` : ''}. ${RESUME_HINT} ${keptNote()}`,
    );
  /** Weights and batch-norm statistics, once per step at most: a finite loss does not vouch for them. */
  const checkWeights = async () => {
    if (lastCheckedStep === state.step) return;
    const bad = await nonFiniteWeights(state);
    if (bad.length > 0) throw diverged(bad);
    lastCheckedStep = state.step;
  };

  /** `final`: the end or a stop; periodic checkpoints wait while the losses explode, so a good one stays. */
  const saveCheckpoint = async (final: boolean) => {
    if (lastCheckpointStep === state.step) return;
    if (!final && watch.exploding) return;
    await checkWeights();
    const serialized = await serializeGan(state);
    const bad = nonFiniteTensors(serialized);
    if (bad.length > 0) throw diverged(bad);
    const path = await writeCheckpoint(runDir, serialized);
    lastCheckpointStep = state.step;
    progress.checkpoint = { step: state.step, path };
    hooks.onCheckpoint?.({ step: state.step, path });
  };
  const saveSample = async () => {
    if (lastSampleStep === state.step) return;
    await checkWeights();
    const pixels = tf.tidy(() => generateImages(samplingGenerator(state), fixedZ));
    const rgb = await toUint8(pixels);
    const count = pixels.shape[0];
    pixels.dispose();
    const png = await gridPng({ pixels: rgb, count, size: config.size });
    const path = runFiles.sample(runDir, state.step);
    await writeFileAtomic(path, png);
    lastSampleStep = state.step;
    hooks.onSample?.({ step: state.step, path });
    health.observeGrid(state.step, rgb, count, config.size);
    reportHealth();
  };

  /** Scores the sampling generator at this step and logs the line; a stop midway abandons it (a resume redoes it). */
  const evaluateQuality = async () => {
    if (!evaluator || evaluatedSteps.has(state.step)) return;
    checkWeights();
    const t0 = performance.now();
    const result = await evaluator.evaluate(samplingGenerator(state), state.step, {
      between: yieldToEventLoop,
      cancelled: () => aborted(signal),
    });
    if (!result) return;
    const { scores } = result;
    const dLandscape = landscape
      ? await measureLandscape({ generator: state.generator, discriminator: state.discriminator }, landscape, config, landscapeSeed(config.seed))
      : undefined;
    const record: EvalMetrics = {
      step: result.step,
      imagesSeen: result.imagesSeen,
      eval: {
        swd: scores.swd,
        swdLevels: scores.swdLevels,
        ndbK: scores.ndbK,
        bins: scores.bins,
        memorised: scores.memorised,
        n: scores.counts.fake,
        real: scores.counts.real,
        size: scores.size,
        seconds: (performance.now() - t0) / 1000,
        against,
      },
      ...(dLandscape ? { landscape: dLandscape } : {}),
    };
    const metricsPath = runFiles.metrics(runDir);
    await appendFile(metricsPath, JSON.stringify(record) + '\n').catch((error: unknown) => {
      throw withTargetPath(error, metricsPath);
    });
    evaluatedSteps.add(state.step);
    hooks.onEval?.(record);
  };

  const started = performance.now();
  const recent: number[] = [];
  try {
    // The one description of a backend: it names the WebGPU adapter where there is one.
    if (options.backendReport) hooks.onLog?.(`training on ${describeBackend(options.backendReport)}`);
    hooks.onState?.('running');
    const moved = computeChange(previousCompute, config.compute);
    if (moved) hooks.onLog?.(moved);
    if (startStep === 0) await saveSample();
    // A score due at the checkpoint we resume from that a stop or crash cut short: the same generator, the same score.
    if (evalDue(startStep, totalSteps, config.evalEvery)) await evaluateQuality();
    while (state.step < totalSteps) {
      await hooks.waitIfPaused?.();
      if (aborted(signal)) break;
      const t0 = performance.now();
      let iteration;
      try {
        iteration = await trainIteration(state, realBatch);
      } catch (error) {
        if (error instanceof NonFiniteLossError) throw new Error(`${error.message} ${keptNote()}`);
        throw error;
      }
      recent.push(performance.now() - t0);
      if (recent.length > 20) recent.shift();
      const msPerIter = recent.reduce((a, b) => a + b, 0) / recent.length;
      const metrics: StepMetrics = {
        ...iteration,
        imgPerSec: (imagesPerStep(config) * 1000) / msPerIter,
        time: (performance.now() - started) / 1000,
      };
      const metricsPath = runFiles.metrics(runDir);
      await appendFile(metricsPath, JSON.stringify(metrics) + '\n').catch((error: unknown) => {
        throw withTargetPath(error, metricsPath);
      });
      hooks.onMetrics?.(metrics);
      health.observe(metrics);
      const verdict = watch.observe(metrics);
      if (verdict.kind === 'warn') {
        hooks.onLog?.(verdict.message);
        health.setDivergence(state.step, verdict.message);
        reportHealth();
      } else if (!watch.exploding) {
        health.setDivergence(state.step, null);
      }
      if (verdict.kind === 'stop') throw new Error(`${verdict.message} ${keptNote()}`);
      if (state.step % config.sampleEvery === 0 || state.step === totalSteps) await saveSample();
      if (state.step % config.checkpointEvery === 0 || state.step === totalSteps) await saveCheckpoint(state.step === totalSteps);
      // After the checkpoint: a stop or crash during the score loses no training, and the resume scores again.
      if (evalDue(state.step, totalSteps, config.evalEvery)) await evaluateQuality();
      await yieldToEventLoop();
    }
    // A stop (or a crash-free end) always leaves a checkpoint of the last completed step.
    await saveCheckpoint(true);
    return {
      state: state.step >= totalSteps ? 'finished' : 'stopped',
      step: state.step,
      totalSteps,
      checkpoint: progress.checkpoint?.path ?? null,
    };
  } finally {
    fixedZ.dispose();
    disposeGan(state);
  }
}

/**
 * The warning for a run resumed on another backend or thread count than it trained on, or null:
 * float sums may then round differently, so the run may not repeat an uninterrupted one bit for bit.
 */
export function computeChange(before: RunCompute | undefined, now: RunCompute | undefined): string | null {
  if (!before || !now || (before.backend === now.backend && before.threads === now.threads)) return null;
  const describe = (c: RunCompute) => `${c.backend}, ${c.threads} thread${c.threads === 1 ? '' : 's'}`;
  return (
    `this run trained on ${describe(before)} until now and goes on on ${describe(now)}: ` +
    'rounding may differ, so it may not match a run trained on one setup throughout bit for bit'
  );
}

/**
 * After a crash, metrics.jsonl may run past the checkpoint we resume from (those steps and scores are
 * redone) and end in a half-written line (the next record would be glued onto it): both are dropped.
 */
async function dropMetricsAfter(runDir: string, step: number): Promise<void> {
  const path = runFiles.metrics(runDir);
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return;
  const kept = parseMetricsRecords(text).filter((m) => m.step <= step);
  const clean = kept.map((m) => JSON.stringify(m) + '\n').join('');
  if (clean !== text) await writeFileAtomic(path, clean);
}
