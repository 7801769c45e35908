/**
 * The one contract: every request, reply and event that crosses a process boundary
 * (renderer ⇄ host ⇄ trainer). Main, preload, renderer, browser-mode server and trainer import it.
 * A new message is one entry in a map below and one handler.
 */
import { z } from 'zod';
import { assertSafeId, isSafeId } from './ids';
import type { SpeedEstimateReply } from './estimate';
import { EXPERIMENT_PRESET_NAMES, type ExperimentPreset, type ExperimentState, type ExperimentSummary, type ExperimentVary } from './experiment';
import { GMM_OPTIONS, ImportSettingsSchema, objectOf, RESUMABLE_OPTIONS, RUN_OPTIONS, RunConfigSchema, RunOptionsSchema, type GmmConfig, type ImportSettings, type RunConfig, type RunOptions } from './schema';

export type { SpeedEstimate, SpeedEstimateReply } from './estimate';
export type * from './experiment';
export type { ImportSettings, ResizeMode, RunConfig, Prior, Architecture, AugmentName, GeneratorLossName } from './schema';

// ---------------------------------------------------------------------------------------------
// Datasets (issue 3)

/** Why a file was skipped, as a category: the key of DatasetReport.skippedByReason. */
export type SkipCode = 'unreadable' | 'empty' | 'too-large' | 'not-image' | 'unsupported' | 'corrupt' | 'too-small';

export interface SkippedFile {
  path: string;
  /** One plain line, e.g. "too small (1×1 px; the shorter side must be at least 32 px)". */
  reason: string;
  code: SkipCode;
}

export interface DuplicateFile {
  path: string;
  duplicateOf: string;
  /** 'exact': the same bytes, or the same pixels at the same size; 'near': the same picture resized or re-encoded. */
  kind: 'exact' | 'near';
  /** Used all the same: settings.keepDuplicates, or (near duplicates only) its path in settings.keepPairs. */
  kept?: boolean;
}

export interface ImportProgress {
  phase: 'scanning' | 'reading' | 'writing';
  done: number;
  total: number;
  current: string;
}

export interface DatasetReport {
  /** Stable id of this dataset + settings (the cache key). */
  id: string;
  folders: string[];
  settings: ImportSettings;
  /** Files in the folders (hidden ones aside): found = used + skipped + duplicates not kept. */
  found: number;
  /** Images in the set (ImageSet.count). */
  used: number;
  /** In path order. */
  skipped: SkippedFile[];
  /** Count of skipped files per SkipCode. */
  skippedByReason: Record<string, number>;
  /** Exact and near duplicates of an earlier file, in path order; left out unless `kept`. */
  duplicates: DuplicateFile[];
  /** PNG files written beside the cache. */
  mosaicPath: string;
  meanImagePath: string;
  /**
   * Histogram of the shorter sides (after EXIF orientation) of every decodable original, used or
   * not: counts[i] images have bins[i - 1] <= side < bins[i] (bins[-1] = 0).
   */
  sizeHistogram: { bins: number[]; counts: number[] };
  fromCache: boolean;
  createdAt: string;
}

// ---------------------------------------------------------------------------------------------
// Training metrics (THEORY.md §3-4)

/** One logged training step. */
export interface StepMetrics {
  step: number;
  dLoss: number;
  gLoss: number;
  /** mean D(x) on real images */
  dReal: number;
  /** mean D(G(z)) */
  dFake: number;
  /** minibatch estimate of V(G, D) */
  v: number;
  /** clamp((v + 2 log 2) / 2, 0, log 2), nats */
  jsd: number;
  /**
   * r_t = mean sign of D's logits on the real images, in [-1, 1] (StyleGAN2-ADA's overfitting
   * heuristic: near 1 when D calls nearly every training image real). Absent in runs logged before it existed.
   */
  rt?: number;
  /**
   * Adaptive augmentation's probability p in [0, 1] after this step (StyleGAN2-ADA): each augmentation
   * applies to each image D sees with this probability. Present only while adaptive augmentation is on.
   */
  augmentP?: number;
  imgPerSec: number;
  /** seconds since the run (or its resumption) started */
  time: number;
}

/**
 * A quality score taken during training (engine/quality-eval.ts): a line of metrics.jsonl of its own kind,
 * told from a StepMetrics line by its `eval` key. Written every `evalEvery` steps and at the end.
 */
export interface EvalMetrics {
  step: number;
  /** Real images shown to D so far: step × k × batch (with the run's current k). */
  imagesSeen: number;
  eval: {
    /** SWD × 10³, the mean over pyramid levels: lower is better, near 0 for real images against real ones. */
    swd: number;
    /** SWD × 10³ per pyramid level (image side in px), full size first. */
    swdLevels: Array<{ size: number; swd: number }>;
    /** Share of NDB's K bins where generated and real shares differ at p < 0.05, in [0, 1]: lower is better. */
    ndbK: number;
    /** K, the number of NDB bins. */
    bins: number;
    /** Share of generated images nearer a training image than training images are to each other, in [0, 1]. */
    memorised: number;
    /** Generated images scored. */
    n: number;
    /** Real images scored against. */
    real: number;
    /** Image side the sets were scored at, px (the run's size, halved down to 32 px or less). */
    size: number;
    /** Wall-clock seconds the evaluation took. */
    seconds: number;
    /** What the real side was: the run's held-out images, or its training images (none held out, or under 2). Absent before schema 4. */
    against?: 'held-out' | 'training';
  };
  /** D's outputs on real, generated and off-manifold images at this step (engine/landscape.ts); absent before schema 4. */
  landscape?: DLandscape;
}

/** D's outputs on one set of images, binned on the landscape's fixed bins. */
export interface LandscapeSet {
  /** Images D scored. */
  n: number;
  /** Images per bin, `bins.count` of them from bins.min to bins.max; the last bin includes bins.max. */
  counts: number[];
  /** Images whose value fell below bins.min or above bins.max (never folded onto the edge bins). */
  below: number;
  above: number;
  /** Mean and population standard deviation of the value over the set. */
  mean: number;
  std: number;
}

/**
 * The discriminator's landscape on images at one evaluation (issue 15): the lecture's question whether D
 * ends flat (Goodfellow et al. 2014: D* = 1/2 everywhere once P_G = P_data) or keeps a landscape that
 * reflects the data (LeCun's picture).
 */
export interface DLandscape {
  /**
   * What is binned: 'probability' is D(x) = σ(logit) in [0, 1] (MMGAN, NSGAN); 'score' is D's raw output
   * (hinge, least squares: not a probability).
   */
  value: 'probability' | 'score';
  /** The fixed bins: the same for every evaluation of a run (and of every run with the same loss). */
  bins: { min: number; max: number; count: number };
  /** Held-out real images (the training images when the run holds none out: see realFrom). */
  real: LandscapeSet;
  realFrom: 'held-out' | 'training';
  /** Images from the generator D trains against (not the EMA copy). */
  fake: LandscapeSet;
  /** Pixel-space midpoints of two different real images: off the data manifold, between its points. */
  interp: LandscapeSet;
  /** Uniform noise images: far off the manifold. */
  noise: LandscapeSet;
  /** Population standard deviation of the value over real ∪ generated images: the playground's D flatness (0 = flat). */
  flatness: number;
}

// ---------------------------------------------------------------------------------------------
// Compute backend

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** What `--backend` accepts, in the auto order: the one list the CLI's choices come from. */
export const BACKEND_PREFERENCES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

/** The WebGPU adapter a webgpu backend runs on (Dawn's GPUAdapterInfo, and what it was judged to be). */
export interface GpuAdapterReport {
  /** The adapter's device name ("NVIDIA GeForce RTX 4070", "llvmpipe-llvm-15-0-6-256-bits-"). */
  name: string;
  /** The vendor as the driver names it; may be empty (Mesa's OpenGL adapters give none). */
  vendor: string;
  /** The driver's own description ("OpenGL version 4.5 (Core Profile) Mesa 22.3.6"). */
  description: string;
  /** "hardware" or "software": software adapters (llvmpipe, lavapipe, SwiftShader) run on the CPU. */
  type: 'hardware' | 'software';
  /** The native API Dawn drives it through: "default" (Vulkan, Metal or D3D12) or "opengl" (compatibility mode). */
  api: 'default' | 'opengl';
}

export interface BackendReport {
  backend: BackendName;
  /** The package in words: "tfjs-node-gpu", "tfjs-node", "webgpu", "wasm", "cpu". */
  label: string;
  device: 'GPU' | 'CPU';
  threads: number;
  tfjsVersion: string;
  /** Why each better backend was not used, best first. */
  skipped: Array<{ backend: string; reason: string }>;
  pid: number;
  runtime: string;
  /** The backend webgpu only: the adapter it runs on. */
  adapter?: GpuAdapterReport;
  /** One line the user should see, e.g. that an explicitly chosen WebGPU adapter is a software one. */
  warning?: string;
}

/**
 * "GPU · tfjs-node-gpu, 16 threads", "CPU · wasm, 1 thread" or "GPU · webgpu on NVIDIA GeForce RTX 4070":
 * the badge the UI and the CLI show.
 */
export function describeBackend(report: BackendReport): string {
  if (report.adapter) {
    return `${report.device} · ${report.label} on ${report.adapter.name}${report.adapter.type === 'software' ? ' (software adapter)' : ''}`;
  }
  return `${report.device} · ${report.label}, ${report.threads} thread${report.threads === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// Runs

export type TrainingState = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'stopped' | 'finished' | 'failed';

export interface RunSummary {
  id: string;
  dir: string;
  config: RunConfig;
  stepsDone: number;
  latestSample: string | null;
  createdAt: string;
  updatedAt: string;
  hasCheckpoint: boolean;
  /** Never set on a readable run: see BrokenRun. */
  broken?: undefined;
}

/**
 * A run folder whose files cannot be read (config.json cut short, `null`, missing settings): listed
 * so that it can be seen and deleted, never opened, resumed or generated from.
 */
export interface BrokenRun {
  id: string;
  dir: string;
  /** Why, in one line naming the file and what to do. */
  broken: string;
  createdAt: string;
  updatedAt: string;
}

/** What runs.list returns: readable runs and broken ones, newest first; tell them apart by `broken`. */
export type RunListEntry = RunSummary | BrokenRun;

export interface SampleInfo {
  runId: string;
  step: number;
  path: string;
}

export interface TrainingStatus {
  runId: string | null;
  state: TrainingState;
  step: number;
  totalSteps: number;
  message?: string;
}

export interface GeneratedImage {
  path: string;
  /** The discriminator's logit for the image, when ranked by D. */
  score?: number;
}

// ---------------------------------------------------------------------------------------------
// Renderer → host: method name → params and result.

// ---------------------------------------------------------------------------------------------
// Training health (issue 12): what the detectors of src-main/engine/health.ts find.

/** d-won: D separates real from generated; mode-collapse: the samples look alike; d-overfit: r_t near 1; divergence: exploding losses. */
export type HealthKind = 'd-won' | 'mode-collapse' | 'd-overfit' | 'divergence';

/** A suggested change of the run's settings. */
export interface HealthRemedy {
  /** What the button says, e.g. "Resume with k 5 → 1, Learning rate D 0.01 → 0.00001". */
  label: string;
  /** The options to change (run schema keys). */
  changes: Partial<RunOptions>;
  /**
   * True: the run resumes from its checkpoint with the changes (they are all RESUMABLE_OPTIONS).
   * False: they change the networks, so they take a new run with the run's settings plus the changes.
   */
  resumable: boolean;
}

export interface HealthFinding {
  kind: HealthKind;
  severity: 'warning';
  /** One line in plain words: what is wrong, with the numbers that show it. */
  message: string;
  remedy: HealthRemedy;
  /** The step at which it was found. */
  step: number;
}

// ---------------------------------------------------------------------------------------------
// The GMM baseline on a dataset (issue 12): the lecture's maximum-likelihood model beside the GAN.

/**
 * Offline quality scores of one generated set against real images (engine/metrics computes them; SWD after
 * Karras et al. 2018, NDB/K after Richardson & Weiss 2018).
 */
export interface ImageQualityScores {
  /** SWD × 10³, the mean over pyramid levels: ≥ 0, lower is better; near 0 for a sample of the real images. */
  swd: number;
  /** SWD × 10³ per pyramid level, full size first (ProGAN reports 128, 64, 32, 16 for 128 px). */
  swdLevels: Array<{ size: number; swd: number }>;
  /** Share of the K bins whose generated share differs from the real share at p < 0.05, in [0, 1]: lower is better. */
  ndbK: number;
  /** JS divergence of the real and generated bin histograms, nats, in [0, ln 2]. */
  ndbJs: number;
  /** K, the number of bins used (the option, or the real count when smaller). */
  bins: number;
  /** Share of generated images nearer a training image than training images are to each other, in [0, 1]; about 0.5 for fresh samples of the real distribution, 1 for copies. */
  memorised: number;
  counts: { real: number; fake: number };
  /** Image side the sets were scored at, pixels. */
  size: number;
}

/**
 * D as an evaluator, measured (issue 15): the n images D ranks highest out of 4n drawn, against the first n
 * of the same draw (what `generate` without ranking writes with that seed), each scored against the run's
 * real side as its quality scores are (held-out images when it has them).
 */
export type RankVerdict = 'helps' | 'does-not-help' | 'mixed';

export interface RankCheck {
  n: number;
  /** Images drawn: 4n. */
  drawn: number;
  seed: number;
  /** The checkpoint's step. */
  step: number;
  ranked: ImageQualityScores;
  random: ImageQualityScores;
  /** What the real side was, and how many images. */
  against: 'held-out' | 'training';
  real: number;
  /**
   * 'helps': the ranked images score a lower SWD and an NDB/K no higher than the random ones; 'does-not-help':
   * neither score is lower; 'mixed': the two scores disagree.
   */
  verdict: RankVerdict;
}

/** A GAN run scored against the same real images as the baseline, from its checkpoint (EMA generator). */
export interface BaselineGanScores {
  runId: string;
  /** The checkpoint's step. */
  step: number;
  scores: ImageQualityScores;
  /** Grid of the first of the scored images (as many as the baseline's samples), in the baseline's folder. */
  grid: string;
}

/** One fit of the baseline: what <data>/baselines/<datasetId>-<options hash>/scores.json holds. */
export interface GmmBaselineResult {
  datasetId: string;
  /** The baseline's folder (samples/, grid.png, scores.json). */
  dir: string;
  options: GmmConfig;
  /** Images fitted, at `size` px. */
  images: number;
  size: number;
  /** PCA dimensions used (the option, lowered to images − 1 on a small set). */
  pca: number;
  /** Share of the pixel variance the PCA keeps, in [0, 1]. */
  explainedVariance: number;
  /** Mean log-likelihood per image in the PCA space, nats. */
  logLikelihood: number;
  /** Mean log-likelihood per image in pixel space, nats; null when degenerate (see engine/baseline). */
  pixelLogLikelihood: number | null;
  iterations: number;
  converged: boolean;
  /** The sample grid and the sample files. */
  grid: string;
  samples: string[];
  /** What the scores compare with: the dataset's held-out images, or (none held out) its training images. */
  reference: 'held-out' | 'training';
  scores: ImageQualityScores;
  /** The GAN runs on this dataset that were scored the same way, best (lowest SWD) first. */
  gans: BaselineGanScores[];
  /** Seconds: loading the images, PCA, EM, sampling and writing, scoring (the GANs included), all. */
  seconds: { load: number; pca: number; em: number; samples: number; scores: number; total: number };
  createdAt: string;
}

export interface BaselineProgress {
  datasetId: string;
  phase: 'loading' | 'pca' | 'em' | 'samples' | 'scores';
  done: number;
  total: number;
  /** e.g. "log-likelihood −118.8" or the run being scored. */
  note?: string;
}

export interface AppInfo {
  version: string;
  mode: 'electron' | 'browser';
  dataDir: string;
  platform: string;
}

export interface HostApi {
  'app.info': { params: void; result: AppInfo };
  'trainer.backend': { params: void; result: BackendReport };
  'trainer.restart': { params: void; result: BackendReport };
  'datasets.import': { params: { folders: string[]; settings: ImportSettings }; result: DatasetReport };
  'datasets.cancelImport': { params: void; result: void };
  'datasets.recent': { params: void; result: DatasetReport[] };
  'datasets.demo': { params: { settings?: Partial<ImportSettings> }; result: DatasetReport };
  /**
   * Opens a new folder (under the app data folder's uploads/) for files dropped on the page, named
   * after `name`; the files then travel one by one with the bridge's `uploadFile` (browser mode:
   * POST /upload, streamed to disk; Electron: IPC), within UPLOAD_LIMITS.
   */
  'datasets.upload': { params: { name: string }; result: { uploadId: string; folder: string } };
  'dialog.chooseFolder': { params: { title?: string }; result: string | null };
  'runs.list': { params: void; result: RunListEntry[] };
  'runs.get': { params: { runId: string }; result: RunDetail };
  'runs.delete': { params: { runId: string }; result: void };
  'train.start': { params: { config: RunConfig }; result: RunSummary };
  /** `changes`: options to change on resume (only RESUMABLE_OPTIONS), e.g. a health remedy's. */
  'train.resume': { params: { runId: string; extraSteps?: number; changes?: Partial<RunOptions> }; result: RunSummary };
  'train.pause': { params: void; result: TrainingStatus };
  'train.continue': { params: void; result: TrainingStatus };
  'train.stop': { params: void; result: TrainingStatus };
  'train.status': { params: void; result: TrainingStatus };
  /**
   * The training speed of these settings on the trainer's backend (shared/estimate.ts): from the cache,
   * else measured now with a few steps (only while no run trains: then `busy`). `cachedOnly`: never measure.
   */
  'estimate.speed': { params: { options: RunOptions; cachedOnly?: boolean }; result: SpeedEstimateReply };
  'generate.images': {
    params: { runId: string; n: number; seed: number; rankByD: boolean };
    result: GeneratedImage[];
  };
  'generate.interpolation': { params: { runId: string; frames: number; seed: number }; result: { gifPath: string } };
  /** Measures D's ranking for `generate.images` with rankByD and the same n and seed (RankCheck): needs the run's dataset. */
  'generate.rankCheck': { params: { runId: string; n: number; seed: number }; result: RankCheck };
  /**
   * Copies generated images into `folder` (an absolute path; README "Folders the app writes"),
   * never over an existing file: a taken name gets a -1, -2… suffix.
   */
  'generate.save': { params: { paths: string[]; folder: string }; result: { saved: string[] } };
  /**
   * Writes the generator as a tfjs model into `folder`. When the folder already holds an export and
   * `overwrite` is not true, nothing is written and `existing` names the files that are in the way.
   */
  'generate.exportModel': {
    params: { runId: string; folder: string; overwrite?: boolean };
    result: { modelJson: string } | { existing: string[] };
  };
  /**
   * Fits the GMM baseline to an imported dataset in the trainer process (progress as 'baseline.progress'),
   * writes its samples and scores under the app's data folder, and scores the dataset's GAN runs the same way.
   */
  'baseline.fit': { params: { datasetId: string; options: GmmConfig }; result: GmmBaselineResult };
  'baseline.cancel': { params: void; result: void };
  /** The dataset's latest baseline fit, or null when it has none. */
  'baseline.get': { params: { datasetId: string }; result: GmmBaselineResult | null };
  /** Experiments (issue 15, shared/experiment.ts): newest first. */
  'experiments.list': { params: void; result: ExperimentSummary[] };
  'experiments.get': { params: { id: string }; result: ExperimentState };
  /**
   * Starts an experiment: the base run `config` (dataset + options, as train.start takes) varied by a preset
   * or by `vary` (run option keys or CLI flag names), `seeds` runs per variant, each shown `images` real images.
   */
  'experiments.start': {
    params: { config: RunConfig; preset?: ExperimentPreset; vary?: ExperimentVary[]; seeds: number; images: number; name?: string };
    result: ExperimentSummary;
  };
  /** Stops the experiment: runs done so far stay; its status becomes 'cancelled'. */
  'experiments.cancel': { params: { id: string }; result: void };
  /** Continues pending and interrupted runs. */
  'experiments.resume': { params: { id: string }; result: ExperimentSummary };
}

export interface RunDetail {
  summary: RunSummary;
  metrics: StepMetrics[];
  /** The quality scores taken during training (metrics.jsonl's eval lines), by step. */
  evals: EvalMetrics[];
  samples: SampleInfo[];
}

export type HostMethod = keyof HostApi;
export type HostParams<M extends HostMethod> = HostApi[M]['params'];
export type HostResult<M extends HostMethod> = HostApi[M]['result'];

// ---------------------------------------------------------------------------------------------
// Host → renderer events.

export interface HostEvents {
  'trainer.exited': { code: number | null; signal: string | null; reason: string; runId: string | null };
  'trainer.ready': BackendReport;
  'datasets.progress': ImportProgress;
  'train.metrics': { runId: string; metrics: StepMetrics[] };
  'train.sample': SampleInfo;
  'train.status': TrainingStatus;
  /** The live run's health findings changed (one appeared, changed or cleared): all current ones. */
  'train.health': { runId: string; step: number; findings: HealthFinding[] };
  /** The live run was scored (a line in its metrics.jsonl). */
  'train.eval': { runId: string; evaluation: EvalMetrics };
  'baseline.progress': BaselineProgress;
  /** An experiment's state changed (a run started, scored, finished): the view refetches experiments.get. */
  'experiment.progress': ExperimentSummary;
}

export type HostEvent = keyof HostEvents;

/** What the renderer sees: the preload exposes exactly this as window.ganStudio. */
export interface GanStudioBridge {
  invoke<M extends HostMethod>(method: M, params: HostParams<M>): Promise<HostResult<M>>;
  on<E extends HostEvent>(event: E, listener: (payload: HostEvents[E]) => void): () => void;
  /** The URL under which the renderer may show a local image the host handed it. */
  imageUrl(path: string): string;
  /** Electron only: the local path of a dropped File (webUtils.getPathForFile). */
  pathForFile?(file: DroppedFile): string;
  /**
   * Sends one dropped file's bytes into the upload folder `datasets.upload` opened. Rejects with a
   * one-line reason (over UPLOAD_LIMITS, unknown upload) and then nothing of the file is kept.
   */
  uploadFile(uploadId: string, name: string, file: FileBytes): Promise<void>;
}

/**
 * A file dropped on the page: the DOM's `File`, named structurally because the contract is pure
 * (tsconfig.engine.json has no DOM types). A DOM `File` is one; the preload hands it to webUtils as is.
 */
export interface DroppedFile {
  readonly name: string;
  readonly size: number;
}

/** A file's bytes as the page has them (a DOM Blob or File is one). */
export interface FileBytes {
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Caps on dropped files sent to the host: per file, and per upload folder (all its files together). */
export const UPLOAD_LIMITS = { fileBytes: 64 * 1024 * 1024, totalBytes: 4 * 1024 * 1024 * 1024 } as const;

// ---------------------------------------------------------------------------------------------
// Host ⇄ trainer process.

export interface TrainerApi {
  'backend.report': { params: void; result: BackendReport };
  /** The host hands the trainer every folder it may use: it never works them out itself. */
  'train.start': {
    params: { runDir: string; config: RunConfig; resume: boolean; extraSteps?: number; dataDir: string; cacheDir: string; demoDir: string };
    result: void;
  };
  'train.pause': { params: void; result: void };
  'train.continue': { params: void; result: void };
  'train.stop': { params: void; result: void };
  /** HostApi's 'estimate.speed'; `cacheFile`: the JSON file of measured speeds (the host's AppPaths.speedCache). */
  'estimate.speed': { params: { options: RunOptions; cacheFile: string; cachedOnly?: boolean }; result: SpeedEstimateReply };
  'generate.images': {
    params: { runDir: string; outDir: string; n: number; seed: number; rankByD: boolean };
    result: GeneratedImage[];
  };
  'generate.interpolation': { params: { runDir: string; outFile: string; frames: number; seed: number }; result: void };
  /** HostApi's 'generate.rankCheck'; the folders find the run's images as training does (train.start). */
  'generate.rankCheck': { params: { runDir: string; n: number; seed: number; dataDir: string; cacheDir: string; demoDir: string }; result: RankCheck };
  'generate.exportModel': { params: { runDir: string; outDir: string }; result: void };
  /**
   * The GMM baseline: the dataset's images (import cache), the fit, samples and scores.json into `outDir`,
   * and the runs in `runs` scored against the same real images. The host hands every folder down.
   */
  'gmm.fit': {
    params: {
      datasetId: string;
      folders: string[];
      settings: ImportSettings;
      options: GmmConfig;
      outDir: string;
      runs: Array<{ runId: string; runDir: string }>;
      dataDir: string;
      cacheDir: string;
    };
    result: GmmBaselineResult;
  };
  /** Cancels the GMM fit in progress (its gmm.fit rejects with "the GMM fit was cancelled"). */
  'gmm.cancel': { params: void; result: void };
  /** Test hook: keeps the trainer busy for the given time. */
  'debug.sleep': { params: { ms: number }; result: void };
}

export type TrainerMethod = keyof TrainerApi;

export interface TrainerEvents {
  'train.metrics': { metrics: StepMetrics[] };
  'train.sample': { step: number; path: string };
  'train.state': { state: TrainingState; step: number; totalSteps: number; message?: string };
  'train.health': { step: number; findings: HealthFinding[] };
  'train.eval': { evaluation: EvalMetrics };
  'gmm.progress': Omit<BaselineProgress, 'datasetId'>;
}

export type TrainerEvent = keyof TrainerEvents;

/** Messages on the host ⇄ trainer channel. */
export type TrainerRequestMessage = { kind: 'request'; id: number; method: TrainerMethod; params: unknown };
export type TrainerReplyMessage =
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string };
export type TrainerEventMessage = { kind: 'event'; event: TrainerEvent; payload: unknown };
export type TrainerMessage = TrainerReplyMessage | TrainerEventMessage | { kind: 'ready'; report: BackendReport };

// ---------------------------------------------------------------------------------------------
// Browser-mode wire format (WebSocket), mirroring IPC.

export type WireRequest = { id: number; method: HostMethod; params: unknown };
/** Replies carry the request's id; a message too malformed to have one is answered with id null. */
export type WireMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; error: string }
  | { event: HostEvent; payload: unknown };

// ---------------------------------------------------------------------------------------------
// Electron IPC channels and the local-image URL scheme.

export const IPC_INVOKE_CHANNEL = 'gan-studio:invoke';
export const IPC_EVENT_CHANNEL = 'gan-studio:event';
/** Electron's counterpart of POST /upload: (uploadId, name, bytes). */
export const IPC_UPLOAD_CHANNEL = 'gan-studio:upload';
export const IMAGE_SCHEME = 'gan-image';

export const HOST_EVENTS: readonly HostEvent[] = [
  'trainer.exited',
  'trainer.ready',
  'datasets.progress',
  'train.metrics',
  'train.sample',
  'train.status',
  'train.health',
  'train.eval',
  'baseline.progress',
  'experiment.progress',
];

// ---------------------------------------------------------------------------------------------
// Parameter schemas: every request is checked against these before any handler runs (host and trainer alike).

/** The one id check (shared/ids.ts), with its message: "not a valid runId: "..", (…)". */
const id = (what: string) => z.custom<string>(isSafeId, { error: (issue) => idMessage(what, issue.input) });

function idMessage(what: string, value: unknown): string {
  try {
    assertSafeId(what, value);
    return `${what} is not valid`;
  } catch (error) {
    return (error as Error).message;
  }
}
const path = (what: string) =>
  z.custom<string>((v) => typeof v === 'string' && v.trim().length > 0 && v.length <= 4096 && !v.includes('\0'), {
    error: `${what} must be a folder or file path`,
  });
const int = (what: string, min: number, max: number) =>
  z.custom<number>((v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max, {
    error: `${what} must be a whole number from ${min} to ${max}`,
  });
const flag = (what: string) => z.custom<boolean>((v) => typeof v === 'boolean', { error: `${what} must be true or false` });
const params = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { error: 'the request needs an object of parameters' });
/** Options to change on resume: each checked by its schema entry, and only those that may change on resume. */
const resumeChanges = z
  .strictObject(RunOptionsSchema.partial().shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `changes: unknown setting${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`
        : 'changes must be an object of run settings',
  })
  .superRefine((changes, ctx) => {
    const fixed = Object.keys(changes).filter((key) => !(RESUMABLE_OPTIONS as string[]).includes(key));
    if (fixed.length > 0) {
      const labels = fixed.map((key) => RUN_OPTIONS[key as keyof typeof RUN_OPTIONS].label).join(', ');
      ctx.addIssue({ code: 'custom', message: `changes: ${labels} cannot change when a run resumes: start a new run instead` });
    }
  });
/** The baseline's options, each checked by its GMM_OPTIONS entry; unknown keys refused. */
const gmmOptions = z.strictObject(objectOf(GMM_OPTIONS).shape, {
  error: (issue) => (issue.code === 'unrecognized_keys' ? `options: unknown setting${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}` : 'options must be an object of baseline settings'),
});
/** Methods without parameters ignore whatever a client sends. */
const none = z.unknown().transform((): void => undefined);

export const HOST_PARAMS: { [M in HostMethod]: z.ZodType<HostParams<M>, unknown> } = {
  'app.info': none,
  'trainer.backend': none,
  'trainer.restart': none,
  'datasets.import': params({ folders: z.array(path('folders'), { error: 'folders must be a list of folder paths' }).min(1).max(64), settings: ImportSettingsSchema }),
  'datasets.cancelImport': none,
  'datasets.recent': none,
  'datasets.demo': params({ settings: ImportSettingsSchema.partial().optional() }),
  'datasets.upload': params({ name: z.string({ error: 'name must be text' }).max(200) }),
  'dialog.chooseFolder': params({ title: z.string().max(200).optional() }),
  'runs.list': none,
  'runs.get': params({ runId: id('run id') }),
  'runs.delete': params({ runId: id('run id') }),
  'train.start': params({ config: RunConfigSchema }),
  'train.resume': params({ runId: id('run id'), extraSteps: int('extraSteps', 1, 10_000_000).optional(), changes: resumeChanges.optional() }),
  'train.pause': none,
  'train.continue': none,
  'train.stop': none,
  'train.status': none,
  'estimate.speed': params({ options: RunOptionsSchema, cachedOnly: flag('cachedOnly').optional() }),
  'generate.images': params({ runId: id('run id'), n: int('n', 1, 1000), seed: int('seed', 0, 2 ** 32 - 1), rankByD: flag('rankByD') }),
  'generate.interpolation': params({ runId: id('run id'), frames: int('frames', 2, 600), seed: int('seed', 0, 2 ** 32 - 1) }),
  'generate.rankCheck': params({ runId: id('run id'), n: int('n', 1, 1000), seed: int('seed', 0, 2 ** 32 - 1) }),
  'generate.save': params({ paths: z.array(path('paths')).min(1).max(10_000), folder: path('folder') }),
  'generate.exportModel': params({ runId: id('run id'), folder: path('folder'), overwrite: flag('overwrite').optional() }),
  'baseline.fit': params({ datasetId: id('dataset id'), options: gmmOptions }),
  'baseline.cancel': none,
  'baseline.get': params({ datasetId: id('dataset id') }),
  'experiments.list': none,
  'experiments.get': params({ id: id('experiment id') }),
  'experiments.start': params({
    config: RunConfigSchema,
    preset: z.enum(EXPERIMENT_PRESET_NAMES as [ExperimentPreset, ...ExperimentPreset[]], { error: `preset must be one of ${EXPERIMENT_PRESET_NAMES.join(', ')}` }).optional(),
    vary: z
      .array(params({ option: z.string({ error: 'vary.option must be an option name' }).min(1).max(60), values: z.array(z.unknown(), { error: 'vary.values must be a list' }).min(1).max(10) }), { error: 'vary must be a list of { option, values }' })
      .max(2, { error: 'vary: at most two options' })
      .optional(),
    seeds: int('seeds', 1, 10),
    images: int('images', 1, 1_000_000_000),
    name: z.string({ error: 'name must be text' }).max(200).optional(),
  }),
  'experiments.cancel': params({ id: id('experiment id') }),
  'experiments.resume': params({ id: id('experiment id') }),
};

export const TRAINER_PARAMS: { [M in TrainerMethod]: z.ZodType<TrainerApi[M]['params'], unknown> } = {
  'backend.report': none,
  'train.start': params({
    runDir: path('runDir'),
    config: RunConfigSchema,
    resume: flag('resume'),
    extraSteps: int('extraSteps', 1, 10_000_000).optional(),
    dataDir: path('dataDir'),
    cacheDir: path('cacheDir'),
    demoDir: path('demoDir'),
  }),
  'train.pause': none,
  'train.continue': none,
  'train.stop': none,
  'estimate.speed': params({ options: RunOptionsSchema, cacheFile: path('cacheFile'), cachedOnly: flag('cachedOnly').optional() }),
  'generate.images': params({ runDir: path('runDir'), outDir: path('outDir'), n: int('n', 1, 10_000_000), seed: int('seed', 0, 2 ** 32 - 1), rankByD: flag('rankByD') }),
  'generate.interpolation': params({ runDir: path('runDir'), outFile: path('outFile'), frames: int('frames', 2, 10_000), seed: int('seed', 0, 2 ** 32 - 1) }),
  'generate.rankCheck': params({
    runDir: path('runDir'),
    n: int('n', 1, 1000),
    seed: int('seed', 0, 2 ** 32 - 1),
    dataDir: path('dataDir'),
    cacheDir: path('cacheDir'),
    demoDir: path('demoDir'),
  }),
  'generate.exportModel': params({ runDir: path('runDir'), outDir: path('outDir') }),
  'gmm.fit': params({
    datasetId: id('dataset id'),
    folders: z.array(path('folders'), { error: 'folders must be a list of folder paths' }).min(1).max(64),
    settings: ImportSettingsSchema,
    options: gmmOptions,
    outDir: path('outDir'),
    runs: z.array(params({ runId: id('run id'), runDir: path('runDir') })).max(100),
    dataDir: path('dataDir'),
    cacheDir: path('cacheDir'),
  }),
  'gmm.cancel': none,
  'debug.sleep': params({ ms: int('ms', 0, 600_000) }),
};
