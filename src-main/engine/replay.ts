import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng';

export interface ReplayState {
  capacity: number;
  seen: number;
  sampleShape: number[];
  /** Stored samples, flattened, count × prod(sampleShape). */
  values: Float32Array;
  count: number;
}

/**
 * Samples from earlier generators (THEORY.md §5). Reservoir sampling keeps a uniform sample of
 * everything generated so far, so the discriminator keeps seeing old modes the generator left.
 */
export class ReplayBuffer {
  private values: Float32Array = new Float32Array(0);
  private sampleShape: number[] = [];
  private sampleSize = 0;
  private count = 0;
  private seen = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  /** Offers each sample of a batch (first axis) to the reservoir. */
  add(batch: tf.Tensor, rng: Rng): void {
    const [n, ...shape] = batch.shape;
    if (this.sampleSize === 0) {
      this.sampleShape = shape;
      this.sampleSize = shape.reduce((a, b) => a * b, 1);
      this.values = new Float32Array(this.capacity * this.sampleSize);
    }
    const data = batch.dataSync() as Float32Array;
    for (let i = 0; i < n; i++) {
      this.seen++;
      const slot = this.count < this.capacity ? this.count++ : rng.int(this.seen);
      if (slot < this.capacity) {
        this.values.set(data.subarray(i * this.sampleSize, (i + 1) * this.sampleSize), slot * this.sampleSize);
      }
    }
  }

  /** n stored samples drawn uniformly with replacement; the buffer must not be empty. */
  sample(n: number, rng: Rng): tf.Tensor {
    const out = new Float32Array(n * this.sampleSize);
    for (let i = 0; i < n; i++) {
      const slot = rng.int(this.count);
      out.set(this.values.subarray(slot * this.sampleSize, (slot + 1) * this.sampleSize), i * this.sampleSize);
    }
    return tf.tensor(out, [n, ...this.sampleShape]);
  }

  getState(): ReplayState {
    return {
      capacity: this.capacity,
      seen: this.seen,
      sampleShape: this.sampleShape,
      values: this.values.slice(0, this.count * this.sampleSize),
      count: this.count,
    };
  }

  static fromState(state: ReplayState): ReplayBuffer {
    const buffer = new ReplayBuffer(state.capacity);
    buffer.sampleShape = state.sampleShape;
    buffer.sampleSize = state.sampleShape.reduce((a, b) => a * b, 1);
    buffer.values = new Float32Array(state.capacity * buffer.sampleSize);
    buffer.values.set(state.values);
    buffer.count = state.count;
    buffer.seen = state.seen;
    return buffer;
  }
}
