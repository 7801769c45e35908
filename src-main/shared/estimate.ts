/**
 * Estimates before Start (issue 14): what a measured training speed means for a run — its cache key, the
 * time a number of steps takes, the images it shows the discriminator. The measurement itself is the
 * trainer's (trainer/speed-estimate.ts, timing with engine/speed.ts); this part is pure, shared by the
 * trainer, the host, the renderer and the tests.
 */
import { RUN_OPTIONS, type RunOptionKey, type RunOptions } from './schema';

/**
 * Options that do not change the cost of a training iteration: the length, the seed, the optimiser's
 * numbers, the loss and prior formulas (the same kernels up to one element-wise op), logging and scoring. Every
 * other run option enters the cache key, so an option added to the schema later is part of it by default.
 */
export const COSTLESS_OPTIONS: readonly RunOptionKey[] = [
  'steps',
  'seed',
  'lrD',
  'lrG',
  'beta1',
  'beta2',
  'loss',
  'prior',
  'sampleEvery',
  'checkpointEvery',
  // The quality scores' schedule: a score's time is not an iteration's (the measurement times iterations).
  // A preset's length sets these from the measured speed, so they must not change the key it is read by.
  'evalEvery',
  'evalSamples',
];

/** The compute the speed was measured on (a BackendReport has these). */
export interface SpeedCompute {
  backend: string;
  threads: number;
  tfjsVersion: string;
}

/**
 * The cache key of a measured speed: the compute (backend, threads, tfjs version) and every option that
 * changes the cost of an iteration (all but COSTLESS_OPTIONS), as one JSON string. Values that cost the
 * same read the same: EMA on or off (its decay costs nothing), augmentations in any order.
 */
export function speedKey(options: RunOptions, compute: SpeedCompute): string {
  const cost: Record<string, unknown> = {};
  for (const key of Object.keys(RUN_OPTIONS).sort() as RunOptionKey[]) {
    if (COSTLESS_OPTIONS.includes(key)) continue;
    const value = options[key];
    if (key === 'ema') cost[key] = (value as number) > 0;
    else if (Array.isArray(value)) cost[key] = [...value].sort();
    else cost[key] = value;
  }
  return JSON.stringify({ backend: compute.backend, threads: compute.threads, tfjs: compute.tfjsVersion, ...cost });
}

/** A measured training speed for one cost key. */
export interface SpeedEstimate {
  key: string;
  backend: string;
  threads: number;
  /** Mean wall time of one step (k discriminator updates and one generator update), seconds. */
  secondsPerStep: number;
  /** Real images the discriminator sees per second, k · batch / secondsPerStep: what training reports as StepMetrics.imgPerSec. */
  imgPerSec: number;
  /** Timed steps the mean is over (after one warm-up step). */
  steps: number;
  /** ISO time of the measurement. */
  measuredAt: string;
}

/**
 * The answer to an estimate request. `ready`: measured now or earlier (`fromCache`); `busy`: a run trains
 * and nothing was measured for these settings, so the estimate comes after it; `unknown`: only the cache
 * was asked, and it has none.
 */
export type SpeedEstimateReply =
  | { state: 'ready'; estimate: SpeedEstimate; fromCache: boolean }
  | { state: 'busy'; message: string }
  | { state: 'unknown' };

/** What `busy` says. */
export const ESTIMATE_AFTER_RUN = 'estimate after the current run';

/** Real images the discriminator sees in one step: k updates on a batch each. */
export function imagesPerStep(options: Pick<RunOptions, 'k' | 'batch'>): number {
  return options.k * options.batch;
}

/** What `steps` steps take at a measured speed: seconds of training and images seen (training steps only; grids and checkpoints add a little). */
export function runEstimate(steps: number, options: Pick<RunOptions, 'k' | 'batch'>, estimate: Pick<SpeedEstimate, 'secondsPerStep'>): { seconds: number; imagesSeen: number } {
  return { seconds: steps * estimate.secondsPerStep, imagesSeen: steps * imagesPerStep(options) };
}

/** "≈ 45 s", "≈ 12 min", "≈ 1 h", "≈ 1 h 05 min": a planning figure, rounded as far as it is worth. */
export function formatApproxDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 55) return `≈ ${Math.max(1, Math.round(seconds / 5) * 5)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `≈ ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `≈ ${hours} h` : `≈ ${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** "850", "2.4k", "40k", "1.2M": counts at a glance. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n < 1000) return String(Math.round(n));
  if (n < 10_000) return `${Number((n / 1000).toFixed(1))}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${Number((n / 1_000_000).toFixed(1))}M`;
}

/** "≈ 12 min · 40k images seen": the line under a preset and beside Start. */
export function describeRunEstimate(steps: number, options: Pick<RunOptions, 'k' | 'batch'>, estimate: Pick<SpeedEstimate, 'secondsPerStep'>): string {
  const { seconds, imagesSeen } = runEstimate(steps, options, estimate);
  return `${formatApproxDuration(seconds)} · ${formatCount(imagesSeen)} images seen`;
}
