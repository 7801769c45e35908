import * as tf from '@tensorflow/tfjs';
import type { Prior } from './config';

/** Draws latent vectors z from the run's prior (THEORY.md §2): N(0, I) or U[-1, 1]^d. */
export function samplePrior(prior: Prior, count: number, latent: number, seed: number): tf.Tensor2D {
  return prior === 'normal'
    ? tf.randomNormal([count, latent], 0, 1, 'float32', seed)
    : tf.randomUniform([count, latent], -1, 1, 'float32', seed);
}
