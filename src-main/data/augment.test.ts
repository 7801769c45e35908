import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { augmentBatch } from '../engine/augment';
import { imageBatch } from './batches';
import type { ImageSet } from './types';

before(async () => {
  await tf.setBackend('cpu');
});

function randomBatch(batch: number, size: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', seed);
}

describe('imageBatch', () => {
  const set: ImageSet = { size: 2, count: 3, pixels: Uint8Array.from({ length: 3 * 2 * 2 * 3 }, (_, i) => [0, 255, 128][Math.floor(i / 12)]) };

  it('converts only the chosen images to float32 in [-1, 1]', () => {
    const batch = imageBatch(set, [2, 0, 1, 1]);
    assert.deepEqual(batch.shape, [4, 2, 2, 3]);
    assert.equal(batch.dtype, 'float32');
    const values = batch.arraySync();
    assert.ok(Math.abs(values[0][0][0][0] - (128 / 127.5 - 1)) < 1e-6);
    assert.equal(values[1][1][1][2], -1);
    assert.equal(values[2][0][1][1], 1);
    batch.dispose();
  });

  it('rejects an index outside the set', () => {
    assert.throws(() => imageBatch(set, [3]), RangeError);
  });
});

describe('augmentBatch', () => {
  it('keeps the shape and is the same for the same seed', () => {
    const x = randomBatch(4, 16, 1);
    const all = ['flip', 'color', 'translation', 'cutout'] as const;
    const a = augmentBatch(x, [...all], 42);
    const b = augmentBatch(x, [...all].reverse(), 42);
    const c = augmentBatch(x, [...all], 43);
    assert.deepEqual(a.shape, x.shape);
    assert.deepEqual(a.dataSync(), b.dataSync());
    assert.notDeepEqual(a.dataSync(), c.dataSync());
    tf.dispose([x, a, b, c]);
  });

  it('leaks no tensor, with or without a gradient tape', () => {
    const x = randomBatch(4, 16, 2);
    const before = tf.memory().numTensors;
    const y = augmentBatch(x, ['flip', 'color', 'translation', 'cutout'], 7);
    y.dispose();
    const grad = tf.grad((input: tf.Tensor) => tf.sum(augmentBatch(input as tf.Tensor4D, ['flip', 'color', 'translation', 'cutout'], 7)));
    const g = grad(x);
    g.dispose();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });

  it('with no augmentation returns a copy', () => {
    const x = randomBatch(2, 8, 3);
    const y = augmentBatch(x, [], 1);
    assert.notEqual(y, x);
    assert.deepEqual(y.dataSync(), x.dataSync());
    tf.dispose([x, y]);
  });

  it('flip mirrors some images and leaves the others', () => {
    const x = randomBatch(16, 8, 4);
    const y = augmentBatch(x, ['flip'], 5);
    const mirrored = tf.reverse(x, 2);
    let flipped = 0;
    for (let b = 0; b < 16; b++) {
      const out = y.slice(b, 1).dataSync();
      if (tf.util.arraysEqual(out, mirrored.slice(b, 1).dataSync())) flipped++;
      else assert.deepEqual(out, x.slice(b, 1).dataSync());
    }
    assert.ok(flipped > 0 && flipped < 16, `${flipped} of 16 flipped`);
    tf.dispose([x, y, mirrored]);
  });

  it('translation shifts with zero fill by at most 1/8 of the side', () => {
    const x = tf.ones([8, 16, 16, 3]) as tf.Tensor4D;
    const y = augmentBatch(x, ['translation'], 9);
    const values = y.arraySync();
    for (const image of values) {
      // Ones survive in the middle whatever the shift; zeros appear only in the 2-pixel border.
      assert.equal(image[8][8][0], 1);
      const zeroRows = image.filter((row) => row.every((p) => p[0] === 0)).length;
      const zeroCols = image[0].filter((_, j) => image.every((row) => row[j][0] === 0)).length;
      assert.ok(zeroRows <= 2 && zeroCols <= 2);
    }
    tf.dispose([x, y]);
  });

  it('cutout zeroes at most a square of half the side', () => {
    const x = tf.ones([8, 16, 16, 3]) as tf.Tensor4D;
    const y = augmentBatch(x, ['cutout'], 11);
    const zerosPerImage = tf.sum(tf.equal(y, 0).asType('float32'), [1, 2, 3]).arraySync() as number[];
    for (const zeros of zerosPerImage) assert.ok(zeros > 0 && zeros <= 8 * 8 * 3, `${zeros} zeros`);
    tf.dispose([x, y]);
  });

  it('passes gradients through: d/dx of sum(flip(x)) is ones', () => {
    const x = randomBatch(3, 8, 6);
    const g = tf.grad((input: tf.Tensor) => tf.sum(augmentBatch(input as tf.Tensor4D, ['flip'], 3)))(x);
    assert.ok(g.dataSync().every((v) => Math.abs(v - 1) < 1e-6));
    tf.dispose([x, g]);
  });
});
