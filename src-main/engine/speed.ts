/**
 * How fast the engine trains a configuration: whole training iterations (trainIteration, k D updates and
 * one G update) timed after a warm-up, on random images standing in for the dataset. The one timing loop
 * of `gan-studio bench` and of the studio's estimate before Start (trainer/speed-estimate.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { trainIteration, type GanState, type RealBatchSource } from './gan';

/**
 * Random images in [-1, 1], drawn once (seeded): `source` hands out a clone per call, since
 * trainIteration disposes each batch it is given. Call `dispose` when done.
 */
export function randomRealBatches(batch: number, size: number, seed = 7): { source: RealBatchSource; dispose(): void } {
  const real = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', seed) as tf.Tensor4D;
  return { source: () => real.clone(), dispose: () => real.dispose() };
}

export interface TimingOptions {
  /** Timed iterations at least (default 1). */
  minSteps?: number;
  /** Timed iterations at most: the loop stops here whatever the time (default minSteps). */
  maxSteps?: number;
  /** Go on past minSteps until this much time (s) was timed, up to maxSteps (default 0). */
  minSeconds?: number;
  /** Awaited between iterations (not timed): lets a process answer messages while it measures. */
  between?: () => Promise<void>;
  /** Checked between iterations (an AbortSignal will do): the timing stops early and `stopped` is true. */
  signal?: { readonly aborted: boolean };
  /** Called just before the timed iterations start (after the warm-up): e.g. to read a CPU clock. */
  onTimedStart?: () => void;
}

export interface IterationTiming {
  /** Timed iterations done (the warm-up not counted). */
  steps: number;
  /** Wall time of the timed iterations together, seconds. */
  wallSeconds: number;
  /** Mean wall time of one iteration, seconds. */
  secondsPerStep: number;
  /** The signal fired before the timing was complete: the figures cover `steps` iterations (maybe 0). */
  stopped: boolean;
}

/**
 * One warm-up iteration (kernel set-up, first allocations: not timed), then timed iterations of
 * `state` on `realBatch` as `options` bound them. The state trains: time a throw-away one. Throws what
 * trainIteration throws (NonFiniteLossError).
 */
export async function timeIterations(state: GanState, realBatch: RealBatchSource, options: TimingOptions = {}): Promise<IterationTiming> {
  const minSteps = Math.max(1, options.minSteps ?? 1);
  const maxSteps = Math.max(minSteps, options.maxSteps ?? minSteps);
  const minSeconds = options.minSeconds ?? 0;
  await trainIteration(state, realBatch);
  let steps = 0;
  let wall = 0;
  let stopped = false;
  options.onTimedStart?.();
  while (steps < maxSteps && (steps < minSteps || wall < minSeconds * 1000)) {
    if (options.between) await options.between();
    if (options.signal?.aborted) {
      stopped = true;
      break;
    }
    const start = performance.now();
    await trainIteration(state, realBatch);
    wall += performance.now() - start;
    steps++;
  }
  const wallSeconds = wall / 1000;
  return { steps, wallSeconds, secondsPerStep: steps > 0 ? wallSeconds / steps : NaN, stopped };
}
