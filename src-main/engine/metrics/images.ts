import type { Rng } from '../rng';

/**
 * A set of square RGB images as the metrics read them: count × size × size × 3 values, row-major
 * (NHWC, as the dataset import's ImageSet and the engine's toUint8 lay them out), on the 0–255 scale.
 * A Float32Array holds generator output mapped with (x + 1) · 127.5; values are not clipped here.
 */
export interface ImageBatch {
  size: number;
  count: number;
  pixels: Uint8Array | Float32Array;
}

/** Input the scores cannot be computed on (a malformed set, too few or too small images): one line, naming the set. */
export class MetricInputError extends Error {
  override name = 'MetricInputError';
}

/** Throws a one-line MetricInputError naming `name` when the batch's shape and pixel count disagree. */
export function checkBatch(batch: ImageBatch, name: string): void {
  const { size, count, pixels } = batch;
  if (!Number.isInteger(size) || size < 1) throw new MetricInputError(`${name}: image size must be a positive integer, got ${size}`);
  if (!Number.isInteger(count) || count < 0) throw new MetricInputError(`${name}: image count must be a non-negative integer, got ${count}`);
  if (pixels.length !== count * size * size * 3) {
    throw new MetricInputError(`${name}: ${count} images of ${size}×${size}×3 need ${count * size * size * 3} values, got ${pixels.length}`);
  }
}

/** The images at `indices`, in that order, copied into a new batch of the same pixel type. */
export function selectImages(batch: ImageBatch, indices: ArrayLike<number>): ImageBatch {
  const stride = batch.size * batch.size * 3;
  const pixels = batch.pixels instanceof Float32Array ? new Float32Array(indices.length * stride) : new Uint8Array(indices.length * stride);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i] * stride;
    pixels.set(batch.pixels.subarray(from, from + stride), i * stride);
  }
  return { size: batch.size, count: indices.length, pixels };
}

/** 0 … n − 1 in a random order (Fisher–Yates, drawn from `rng`). */
export function shuffledIndices(n: number, rng: Rng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** At most `n` images, a random subset drawn from `rng` when the batch holds more (the batch itself otherwise). */
export function sampleImages(batch: ImageBatch, n: number, rng: Rng): ImageBatch {
  if (batch.count <= n) return batch;
  return selectImages(batch, shuffledIndices(batch.count, rng).subarray(0, n));
}

/**
 * Each image as one row of size · size · 3 values in [0, 1] (pixel / 255), NHWC order kept:
 * a count × dim matrix, row-major. `dims`, when given, keeps only those components (in that order).
 */
export function flattenImages(batch: ImageBatch, dims?: ArrayLike<number>): { data: Float32Array; dim: number } {
  const full = batch.size * batch.size * 3;
  const dim = dims ? dims.length : full;
  const data = new Float32Array(batch.count * dim);
  const { pixels } = batch;
  const scale = 1 / 255;
  if (!dims) {
    for (let i = 0; i < data.length; i++) data[i] = pixels[i] * scale;
    return { data, dim };
  }
  for (let n = 0; n < batch.count; n++) {
    const from = n * full;
    const to = n * dim;
    for (let d = 0; d < dim; d++) data[to + d] = pixels[from + dims[d]] * scale;
  }
  return { data, dim };
}
