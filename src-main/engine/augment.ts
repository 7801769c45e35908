import * as tf from '@tensorflow/tfjs';
import type { AugmentName } from '../shared/schema';
import { Rng } from './rng';

/**
 * Differentiable augmentation (DiffAugment, Zhao et al. 2020, "Differentiable Augmentation for
 * Data-Efficient GAN Training"), applied alike to real and generated batches before the
 * discriminator. Every operation is a plain differentiable tfjs op (no gather, whose gradient
 * needs UnsortedSegmentSum, which the wasm backend lacks), so gradients flow to the generator.
 *
 * The random draws come from the project's seeded Rng in JavaScript, not from tfjs random ops:
 * the same seed gives the same augmentation on every backend, which a resumed run needs.
 * Augmentations run in a fixed order (flip, colour, translation, cutout) whatever the order of
 * `names`, each from its own stream of the seed, so turning one on or off leaves the others' draws alone.
 */
export const AUGMENT_ORDER: readonly AugmentName[] = ['flip', 'color', 'translation', 'cutout'];

/** DiffAugment's defaults: shift by up to 1/8 of the side, cut out a square of half the side. */
const TRANSLATION_RATIO = 0.125;
const CUTOUT_RATIO = 0.5;

function streamFor(seed: number, name: AugmentName): Rng {
  return new Rng((seed ^ Math.imul(AUGMENT_ORDER.indexOf(name) + 1, 0x9e3779b1)) >>> 0);
}

/** One value per image, shaped [B, 1, 1, 1] to broadcast over the image. */
function perImage(values: number[]): tf.Tensor4D {
  return tf.tensor4d(values, [values.length, 1, 1, 1]);
}

/** Mirrors each image left-right with probability 1/2. */
function randomFlip(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  const flip = perImage(Array.from({ length: x.shape[0] }, () => (rng.next() < 0.5 ? 1 : 0)));
  return tf.add(tf.mul(tf.reverse(x, 2), flip), tf.mul(x, tf.sub(1, flip)));
}

/** DiffAugment 'color': brightness, then saturation, then contrast. */
function randomColour(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  const batch = x.shape[0];
  const brightness = perImage(Array.from({ length: batch }, () => rng.next() - 0.5));
  const saturation = perImage(Array.from({ length: batch }, () => rng.next() * 2));
  const contrast = perImage(Array.from({ length: batch }, () => rng.next() + 0.5));
  let y: tf.Tensor4D = tf.add(x, brightness);
  const channelMean = tf.mean(y, 3, true);
  y = tf.add(tf.mul(tf.sub(y, channelMean), saturation), channelMean);
  const imageMean = tf.mean(y, [1, 2, 3], true);
  return tf.add(tf.mul(tf.sub(y, imageMean), contrast), imageMean);
}

/**
 * Shifts each image by up to 1/8 of its side in x and y, filling with zeros (as DiffAugment's
 * zero-padded gather does): pad once, then slice a window per image.
 */
function randomTranslation(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  const [batch, height, width] = x.shape;
  const shiftY = Math.floor(height * TRANSLATION_RATIO + 0.5);
  const shiftX = Math.floor(width * TRANSLATION_RATIO + 0.5);
  const padded = tf.pad(x, [[0, 0], [shiftY, shiftY], [shiftX, shiftX], [0, 0]]);
  const images: tf.Tensor4D[] = [];
  for (let b = 0; b < batch; b++) {
    // Output pixel (i, j) reads input (i + ty, j + tx), as in the reference implementation.
    const ty = rng.int(2 * shiftY + 1) - shiftY;
    const tx = rng.int(2 * shiftX + 1) - shiftX;
    images.push(tf.slice(padded, [b, shiftY + ty, shiftX + tx, 0], [1, height, width, -1]));
  }
  return tf.concat(images, 0);
}

/** Zeroes one square of half the side per image, centred anywhere (partly outside the image allowed). */
function randomCutout(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  const [batch, height, width] = x.shape;
  const cutHeight = Math.floor(height * CUTOUT_RATIO + 0.5);
  const cutWidth = Math.floor(width * CUTOUT_RATIO + 0.5);
  const mask = new Float32Array(batch * height * width).fill(1);
  for (let b = 0; b < batch; b++) {
    const centreY = rng.int(height + (1 - (cutHeight % 2)));
    const centreX = rng.int(width + (1 - (cutWidth % 2)));
    const top = Math.max(0, centreY - Math.floor(cutHeight / 2));
    const bottom = Math.min(height, centreY - Math.floor(cutHeight / 2) + cutHeight);
    const left = Math.max(0, centreX - Math.floor(cutWidth / 2));
    const right = Math.min(width, centreX - Math.floor(cutWidth / 2) + cutWidth);
    for (let y = top; y < bottom; y++) mask.fill(0, (b * height + y) * width + left, (b * height + y) * width + right);
  }
  return tf.mul(x, tf.tensor4d(mask, [batch, height, width, 1]));
}

const AUGMENTS: Record<AugmentName, (x: tf.Tensor4D, rng: Rng) => tf.Tensor4D> = {
  flip: randomFlip,
  color: randomColour,
  translation: randomTranslation,
  cutout: randomCutout,
};

/** The stream of an operation's per-image coin flips (adaptive augmentation), apart from its own draws. */
function coinStreamFor(seed: number, name: AugmentName): Rng {
  return new Rng((seed ^ Math.imul(AUGMENT_ORDER.indexOf(name) + 1, 0x85ebca77) ^ 0x27d4eb2f) >>> 0);
}

/**
 * The batch (NHWC, values around [-1, 1]) with the named augmentations applied; the same seed
 * always gives the same result. Returns a new tensor; the input is left to the caller.
 *
 * `p` (adaptive augmentation, StyleGAN2-ADA): each operation is applied to each image with
 * probability p, independently, else the image passes through it unchanged; at p ≥ 1 (the default)
 * every operation applies to every image, exactly as without p; at p ≤ 0 the batch is returned as
 * a copy. The operation's own draws do not depend on p, so its stream is the same at every p.
 */
export function augmentBatch(batch: tf.Tensor4D, names: AugmentName[], seed: number, p = 1): tf.Tensor4D {
  return tf.tidy(() => {
    let x = batch;
    if (p <= 0) return tf.clone(batch);
    for (const name of AUGMENT_ORDER) {
      if (!names.includes(name)) continue;
      if (p >= 1) {
        x = AUGMENTS[name](x, streamFor(seed, name));
        continue;
      }
      const coins = coinStreamFor(seed, name);
      const chosen = Array.from({ length: x.shape[0] }, () => (coins.next() < p ? 1 : 0));
      if (!chosen.includes(1)) continue;
      const mask = perImage(chosen);
      x = tf.add(tf.mul(AUGMENTS[name](x, streamFor(seed, name)), mask), tf.mul(x, tf.sub(1, mask)));
    }
    return x === batch ? tf.clone(batch) : x;
  });
}
