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
 *
 * add() picks the slots at once (drawing from the rng as it always has) but copies the images in
 * only at settle(), which reads them back with `await data()`: the WebGPU backend cannot read
 * synchronously. Call settle() after add() and before sample() or getState().
 */
export class ReplayBuffer {
  private values: Float32Array = new Float32Array(0);
  private sampleShape: number[] = [];
  private sampleSize = 0;
  private count = 0;
  private seen = 0;
  /** Batches add() was given, kept on the backend, with the slot of each sample (−1: not kept). */
  private pending: Array<{ batch: tf.Tensor; slots: Int32Array }> = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  /**
   * Offers each sample of a batch (first axis) to the reservoir. The batch is not disposed (a clone
   * is kept until settle(), also inside a tf.tidy).
   */
  add(batch: tf.Tensor, rng: Rng): void {
    const [n, ...shape] = batch.shape;
    if (this.sampleSize === 0) {
      this.sampleShape = shape;
      this.sampleSize = shape.reduce((a, b) => a * b, 1);
      this.values = new Float32Array(this.capacity * this.sampleSize);
    }
    const slots = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      this.seen++;
      const slot = this.count < this.capacity ? this.count++ : rng.int(this.seen);
      slots[i] = slot < this.capacity ? slot : -1;
    }
    this.pending.push({ batch: tf.keep(batch.clone()), slots });
  }

  /**
   * Copies the samples add() kept into their slots, in the order they were added (a later one
   * overwrites an earlier one in the same slot, as if copied at once). Not to be called twice at once.
   */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    try {
      this.copyIn(pending, await Promise.all(pending.map((p) => p.batch.data() as Promise<Float32Array>)));
    } finally {
      for (const p of pending) p.batch.dispose();
    }
  }

  /** settle() with dataSync, for engines that read synchronously throughout (the toy trainer; not on WebGPU). */
  settleSync(): void {
    const pending = this.pending;
    this.pending = [];
    try {
      this.copyIn(pending, pending.map((p) => p.batch.dataSync() as Float32Array));
    } finally {
      for (const p of pending) p.batch.dispose();
    }
  }

  private copyIn(pending: Array<{ slots: Int32Array }>, data: Float32Array[]): void {
    pending.forEach(({ slots }, b) => {
      slots.forEach((slot, i) => {
        if (slot >= 0) this.values.set(data[b].subarray(i * this.sampleSize, (i + 1) * this.sampleSize), slot * this.sampleSize);
      });
    });
  }

  private assertSettled(): void {
    if (this.pending.length > 0) throw new Error('ReplayBuffer: settle() the added samples before reading the buffer');
  }

  /** n stored samples drawn uniformly with replacement; the buffer must not be empty, and must be settled. */
  sample(n: number, rng: Rng): tf.Tensor {
    this.assertSettled();
    const out = new Float32Array(n * this.sampleSize);
    for (let i = 0; i < n; i++) {
      const slot = rng.int(this.count);
      out.set(this.values.subarray(slot * this.sampleSize, (slot + 1) * this.sampleSize), i * this.sampleSize);
    }
    return tf.tensor(out, [n, ...this.sampleShape]);
  }

  /** The buffer's contents, for a checkpoint; it must be settled. */
  getState(): ReplayState {
    this.assertSettled();
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
