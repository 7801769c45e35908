/**
 * The held-out split of a run's real images (issue 15): a share set aside by a fixed seed, never trained on,
 * used only for the quality scores and D's landscape. Pure: no tfjs, no I/O.
 *
 * The seed is one constant for every run (HELD_OUT_SEED), not the run's seed, so all runs on one dataset
 * hold out the same images and their scores compare against the same reference: two seeds of an experiment
 * differ by their training, not by their split. The trainer records the seed in config.json (RunSplit), so
 * a resumed run redraws exactly the split it started with, whatever a later version picks as its constant.
 */
import { selectImages, shuffledIndices, type ImageBatch } from './metrics/images';
import { Rng } from './rng';

/** The seed every new run's split is drawn from ("fixed seed", issue 15). */
export const HELD_OUT_SEED = 0x4e1d0017;

/** Which images a run trains on and which it sets aside, as indices into its image set, each ascending. */
export interface HeldOutSplit {
  train: Int32Array;
  heldOut: Int32Array;
}

/**
 * How many of `count` images a share sets aside: ⌊share · count⌋, so a tiny set keeps all its images for
 * training (7 images at 0.1 hold out none), and at least one image is always trained on.
 * Throws a RangeError for a share outside [0, 0.5] or a count that is not a non-negative integer.
 */
export function heldOutCount(count: number, share: number): number {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`the image count must be a whole number ≥ 0, got ${count}`);
  if (!(share >= 0 && share <= 0.5)) throw new RangeError(`the held-out share must be in [0, 0.5], got ${share}`);
  return Math.min(Math.max(0, count - 1), Math.floor(share * count + 1e-9));
}

/**
 * Splits images 0 … count − 1: a Fisher–Yates shuffle drawn from `seed` (mulberry32), whose first
 * heldOutCount(count, share) entries are held out. A function of (count, share, seed) only: the same three
 * give the same split in every process and after every resume. Share 0 holds out nothing and trains on
 * 0 … count − 1 in order (runs without a held-out set draw their batches exactly as before).
 */
export function splitHeldOut(count: number, share: number, seed: number = HELD_OUT_SEED): HeldOutSplit {
  const m = heldOutCount(count, share);
  if (m === 0) return { train: Int32Array.from({ length: count }, (_, i) => i), heldOut: new Int32Array(0) };
  const order = shuffledIndices(count, new Rng(seed));
  const heldOut = Int32Array.from(order.subarray(0, m)).sort();
  const train = Int32Array.from(order.subarray(m)).sort();
  return { train, heldOut };
}

/**
 * `n` image indices for a training batch, drawn uniformly with replacement from `train` (one rng.int each,
 * in order): the trainer's real batches never hold a held-out image. With nothing held out `train` is
 * 0 … count − 1 and the draws are exactly `rng.int(count)`, as runs drew before the split existed.
 */
export function drawTrainingIndices(train: Int32Array, n: number, rng: Rng): Int32Array {
  if (train.length === 0) throw new RangeError('there are no training images to draw a batch from');
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = train[rng.int(train.length)];
  return indices;
}

/** The images a run's scores compare with, and the training images they look for copies of. */
export interface ScoringSets {
  /** 'held-out' when at least 2 images are held out (the scores need 2), else 'training'. */
  against: 'held-out' | 'training';
  /** The held-out images, or (against 'training') the training images. */
  real: ImageBatch;
  /**
   * Training images for the memorisation share: the whole set when nothing is held out, else at most
   * `limit` training images drawn from `seed` (never a copy of the whole set).
   */
  training: ImageBatch;
}

/**
 * Why a run's images cannot be scored (the scores compare with at least 2 real images), as one line, or null when
 * they can: fewer than 2 images, or (2 images at share 0.5) one held out and one left to train on, with scoringSets
 * falling back to the single training image.
 */
export function unscoredReason(count: number, split: HeldOutSplit): string | null {
  if (count < 2) return `quality scores need at least 2 training images, the dataset has ${count}`;
  if (split.heldOut.length < 2 && split.train.length < 2) {
    return `quality scores need at least 2 images to compare with: of ${count} images ${split.heldOut.length} is held out and ${split.train.length} trained on (a held-out share of 0 scores against all ${count})`;
  }
  return null;
}

/**
 * The real sides of a run's scores (quality scores, D's landscape, the check of D's ranking), from its images
 * and split: what every one of them compares with, chosen by one rule.
 */
export function scoringSets(images: ImageBatch, split: HeldOutSplit, limit: number, seed: number): ScoringSets {
  if (split.heldOut.length === 0) return { against: 'training', real: images, training: images };
  const picked = shuffledIndices(split.train.length, new Rng(seed)).subarray(0, limit);
  const training = selectImages(images, Array.from(picked, (i) => split.train[i]));
  if (split.heldOut.length < 2) return { against: 'training', real: training, training };
  return { against: 'held-out', real: selectImages(images, split.heldOut), training };
}
