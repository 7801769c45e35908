import * as tf from '@tensorflow/tfjs';
import { PRIOR, PRIOR_NAMES, type Prior } from '../shared/schema';

/**
 * Draws latent vectors z from the run's prior (THEORY.md §2): N(0, I) or U[-1, 1]^d, as a count × latent
 * float32 tensor. Throws on a prior the schema does not know: an unknown name is an error, never a fallback.
 */
export function samplePrior(prior: Prior, count: number, latent: number, seed: number): tf.Tensor2D {
  switch (prior) {
    case PRIOR.normal:
      return tf.randomNormal([count, latent], 0, 1, 'float32', seed);
    case PRIOR.uniform:
      return tf.randomUniform([count, latent], -1, 1, 'float32', seed);
    default:
      throw new Error(`unknown prior "${String(prior)}" (known: ${PRIOR_NAMES.join(', ')})`);
  }
}
