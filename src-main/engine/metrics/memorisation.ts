/**
 * Memorisation share: how many generated images sit closer to some training image than training
 * images sit to each other. The yardstick is the median, over the training images, of the L2 distance
 * from each to its nearest other training image; a generated image counts as memorised when its
 * nearest training image is closer than that (strictly). Distances are taken on the pixels at the
 * scored size, on the [0, 1] scale.
 *
 * What the share means: copies of training images score 1; fresh draws from the training images'
 * own distribution score about 0.5 (a held-out image's nearest-neighbour distance follows the same
 * law as a training image's), and blurred or off-distribution images score near 0. So "above 0.5"
 * is the warning sign, and "near 1" is a generator that reproduces its training set.
 */
import { nearestNeighbours } from './distances';
import { flattenImages, MetricInputError, type ImageBatch } from './images';

/** The training side of the test, computed once per training set. */
export interface MemorisationReference {
  size: number;
  /** count × size·size·3 pixels on the [0, 1] scale, row-major. */
  data: Float32Array;
  count: number;
  /** Median L2 distance (not squared) from a training image to its nearest other training image. */
  medianDistance: number;
}

export interface MemorisationResult {
  /** Share of generated images closer to a training image than medianDistance, in [0, 1]. */
  memorised: number;
  /** The yardstick used, L2 on the [0, 1] pixel scale. */
  medianDistance: number;
  /** Each generated image's nearest training image (index) and its L2 distance. */
  nearest: { index: Int32Array; distance: Float64Array };
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Prepares the training side. Throws a MetricInputError for fewer than 2 training images. Cost: count² × dim multiply-adds. */
export function memorisationReference(training: ImageBatch): MemorisationReference {
  if (training.count < 2) throw new MetricInputError(`the memorisation share needs at least 2 training images, got ${training.count}`);
  const { data, dim } = flattenImages(training);
  const own = nearestNeighbours(data, training.count, data, training.count, dim, { excludeSelf: true });
  const distances = own.distance.map(Math.sqrt);
  return { size: training.size, data, count: training.count, medianDistance: median(distances) };
}

/** Scores generated images (same size as the training set). Cost: fake × training × dim multiply-adds. */
export function memorisationShare(reference: MemorisationReference, fake: ImageBatch): MemorisationResult {
  if (fake.size !== reference.size) throw new MetricInputError(`the training images are ${reference.size} px, the generated ones ${fake.size} px`);
  if (fake.count === 0) throw new MetricInputError('the memorisation share needs at least one generated image');
  const { data, dim } = flattenImages(fake);
  const found = nearestNeighbours(data, fake.count, reference.data, reference.count, dim);
  const distance = found.distance.map(Math.sqrt);
  let memorised = 0;
  for (const d of distance) if (d < reference.medianDistance) memorised++;
  return { memorised: memorised / fake.count, medianDistance: reference.medianDistance, nearest: { index: found.index, distance } };
}
