/**
 * The one contract: every request, reply and event that crosses a process boundary
 * (renderer ⇄ host ⇄ trainer). Main, preload, renderer, browser-mode server and trainer import it.
 * A new message is one entry in a map below and one handler.
 */
import type { DatasetReport, ImportProgress, ImportSettings } from '../data/types';
import type { RunConfig, StepMetrics } from '../engine/config';

export type { DatasetReport, ImportProgress, ImportSettings, ResizeMode, SkippedFile, DuplicateFile } from '../data/types';
export type { RunConfig, StepMetrics, Prior, Architecture, AugmentName } from '../engine/config';
export type { GeneratorLossName } from '../engine/losses';

// ---------------------------------------------------------------------------------------------
// Compute backend

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendReport {
  backend: BackendName;
  /** The package in words: "tfjs-node-gpu", "tfjs-node", "wasm", "cpu". */
  label: string;
  device: 'GPU' | 'CPU';
  threads: number;
  tfjsVersion: string;
  /** Why each better backend was not used, best first. */
  skipped: Array<{ backend: string; reason: string }>;
  pid: number;
  runtime: string;
}

/** "GPU · tfjs-node-gpu, 16 threads" or "CPU · wasm, 1 thread": the badge the UI and the CLI show. */
export function describeBackend(report: BackendReport): string {
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
}

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
  'runs.list': { params: void; result: RunSummary[] };
  'runs.get': { params: { runId: string }; result: RunDetail };
  'runs.delete': { params: { runId: string }; result: void };
  'train.start': { params: { config: RunConfig }; result: RunSummary };
  'train.resume': { params: { runId: string; extraSteps?: number }; result: RunSummary };
  'train.pause': { params: void; result: TrainingStatus };
  'train.continue': { params: void; result: TrainingStatus };
  'train.stop': { params: void; result: TrainingStatus };
  'train.status': { params: void; result: TrainingStatus };
  'generate.images': {
    params: { runId: string; n: number; seed: number; rankByD: boolean };
    result: GeneratedImage[];
  };
  'generate.interpolation': { params: { runId: string; frames: number; seed: number }; result: { gifPath: string } };
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
}

export interface RunDetail {
  summary: RunSummary;
  metrics: StepMetrics[];
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
}

export type HostEvent = keyof HostEvents;

/** What the renderer sees: the preload exposes exactly this as window.ganStudio. */
export interface GanStudioBridge {
  invoke<M extends HostMethod>(method: M, params: HostParams<M>): Promise<HostResult<M>>;
  on<E extends HostEvent>(event: E, listener: (payload: HostEvents[E]) => void): () => void;
  /** The URL under which the renderer may show a local image the host handed it. */
  imageUrl(path: string): string;
  /** Electron only: the local path of a dropped File (webUtils.getPathForFile). */
  pathForFile?(file: File): string;
  /**
   * Sends one dropped file's bytes into the upload folder `datasets.upload` opened. Rejects with a
   * one-line reason (over UPLOAD_LIMITS, unknown upload) and then nothing of the file is kept.
   */
  uploadFile(uploadId: string, name: string, file: Blob): Promise<void>;
}

/** Caps on dropped files sent to the host: per file, and per upload folder (all its files together). */
export const UPLOAD_LIMITS = { fileBytes: 64 * 1024 * 1024, totalBytes: 4 * 1024 * 1024 * 1024 } as const;

// ---------------------------------------------------------------------------------------------
// Host ⇄ trainer process.

export interface TrainerApi {
  'backend.report': { params: void; result: BackendReport };
  'train.start': { params: { runDir: string; config: RunConfig; resume: boolean; extraSteps?: number }; result: void };
  'train.pause': { params: void; result: void };
  'train.continue': { params: void; result: void };
  'train.stop': { params: void; result: void };
  'generate.images': {
    params: { runDir: string; outDir: string; n: number; seed: number; rankByD: boolean };
    result: GeneratedImage[];
  };
  'generate.interpolation': { params: { runDir: string; outFile: string; frames: number; seed: number }; result: void };
  'generate.exportModel': { params: { runDir: string; outDir: string }; result: void };
  /** Test hook: keeps the trainer busy for the given time. */
  'debug.sleep': { params: { ms: number }; result: void };
}

export type TrainerMethod = keyof TrainerApi;

export interface TrainerEvents {
  'train.metrics': { metrics: StepMetrics[] };
  'train.sample': { step: number; path: string };
  'train.state': { state: TrainingState; step: number; totalSteps: number; message?: string };
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
];
