import * as tf from '@tensorflow/tfjs';

/**
 * Losses on the discriminator's logits. log D = -softplus(-logit) and log(1 - D) = -softplus(logit)
 * are the numerically stable forms: they never take the log of a sigmoid that rounded to 0 or 1.
 */
import type { GeneratorLossName } from '../shared/schema';

export type { GeneratorLossName };

export interface GanLoss {
  readonly name: GeneratorLossName;
  /** The discriminator's loss on one batch of real and one of generated logits (same size). */
  discriminator(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
  /** The generator's loss on the logits of its own samples. */
  generator(fakeLogits: tf.Tensor): tf.Scalar;
}

/** mean log D(x) over logits. */
export function meanLogD(logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.softplus(tf.neg(logits)))) as tf.Scalar);
}

/** mean log(1 - D(x)) over logits. */
export function meanLogOneMinusD(logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.softplus(logits))) as tf.Scalar);
}

/** The minibatch estimate of V(G, D) = mean log D(x) + mean log(1 - D(G(z))) (THEORY.md §3). */
export function valueEstimate(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.add(meanLogD(realLogits), meanLogOneMinusD(fakeLogits)) as tf.Scalar);
}

/** JSD lower bound in nats from V: max_D V = -2 log 2 + 2 JSD, clamped to [0, log 2]. */
export function jsdFromValue(v: number): number {
  return Math.min(Math.LN2, Math.max(0, (v + 2 * Math.LN2) / 2));
}

/** Binary cross-entropy with real = 1 and generated = 0: exactly -V (THEORY.md §3). */
function crossEntropyDiscriminator(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(valueEstimate(realLogits, fakeLogits)) as tf.Scalar);
}

/** MMGAN: G minimises mean log(1 - D(G(z))); saturates where D(G(z)) is near 0. */
export const minimaxLoss: GanLoss = {
  name: 'mm',
  discriminator: crossEntropyDiscriminator,
  generator: (fakeLogits) => meanLogOneMinusD(fakeLogits),
};

/** NSGAN: G minimises -mean log D(G(z)), i.e. the classifier loss with the labels flipped to 1. */
export const nonSaturatingLoss: GanLoss = {
  name: 'ns',
  discriminator: crossEntropyDiscriminator,
  generator: (fakeLogits) => tf.tidy(() => tf.neg(meanLogD(fakeLogits)) as tf.Scalar),
};

/** Hinge loss (Lim & Ye 2017; used by SAGAN/BigGAN). */
export const hingeLoss: GanLoss = {
  name: 'hinge',
  discriminator: (realLogits, fakeLogits) =>
    tf.tidy(() => tf.add(tf.mean(tf.relu(tf.sub(1, realLogits))), tf.mean(tf.relu(tf.add(1, fakeLogits)))) as tf.Scalar),
  generator: (fakeLogits) => tf.tidy(() => tf.neg(tf.mean(fakeLogits)) as tf.Scalar),
};

/** Least squares (Mao et al. 2017), on the raw output with targets 1 (real) and 0 (generated). */
export const leastSquaresLoss: GanLoss = {
  name: 'ls',
  discriminator: (realLogits, fakeLogits) =>
    tf.tidy(
      () =>
        tf.mul(0.5, tf.add(tf.mean(tf.square(tf.sub(realLogits, 1))), tf.mean(tf.square(fakeLogits)))) as tf.Scalar,
    ),
  generator: (fakeLogits) => tf.tidy(() => tf.mul(0.5, tf.mean(tf.square(tf.sub(fakeLogits, 1)))) as tf.Scalar),
};

export const ganLosses: Record<GeneratorLossName, GanLoss> = {
  mm: minimaxLoss,
  ns: nonSaturatingLoss,
  hinge: hingeLoss,
  ls: leastSquaresLoss,
};
