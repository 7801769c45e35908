import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from './types';

/**
 * The images at `indices` as a float32 NHWC batch in [-1, 1]. Only these images are converted:
 * the set stays uint8 (a float copy of 50,000 images at 128 px would need 9.8 GB).
 */
export function imageBatch(set: ImageSet, indices: ArrayLike<number>): tf.Tensor4D {
  const stride = set.size * set.size * 3;
  const batch = new Float32Array(indices.length * stride);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= set.count) {
      throw new RangeError(`image index ${index} is outside the set of ${set.count} images`);
    }
    const source = set.pixels.subarray(index * stride, (index + 1) * stride);
    const offset = i * stride;
    for (let j = 0; j < stride; j++) batch[offset + j] = source[j] / 127.5 - 1;
  }
  return tf.tensor4d(batch, [indices.length, set.size, set.size, 3], 'float32');
}
