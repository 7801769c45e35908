import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { landscapeBins, landscapeHistogram, landscapeProbe, landscapeStats, measureLandscape, LANDSCAPE_BIN_COUNT } from './landscape';

before(async () => {
  await tf.setBackend('cpu');
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const filled = (n: number, value: number) => new Float32Array(n).fill(value);

test('a D that says the same everywhere is flat: flatness 0 and every set in one bin', () => {
  const constant = { real: filled(50, 0), fake: filled(70, 0), interp: filled(30, 0), noise: filled(30, 0) };
  const l = landscapeStats(constant, 'ns', 'held-out');
  assert.equal(l.value, 'probability');
  assert.deepEqual(l.bins, { min: 0, max: 1, count: LANDSCAPE_BIN_COUNT });
  assert.equal(l.flatness, 0);
  for (const set of [l.real, l.fake, l.interp, l.noise]) {
    // D(x) = 1/2 lies in the bin [0.50, 0.55): Goodfellow's flat D*.
    assert.equal(set.counts[10], set.n);
    assert.equal(set.counts.reduce((a, b) => a + b, 0), set.n);
    assert.deepEqual([set.mean, set.std, set.below, set.above], [0.5, 0, 0, 0]);
  }
});

test('a D that separates real from generated images: the known histograms, and flatness 1/2 for equal sets', () => {
  const l = landscapeStats({ real: filled(40, 30), fake: filled(40, -30), interp: [0, 0, 30, -30], noise: [-30] }, 'mm', 'training');
  const realCounts = new Array(20).fill(0);
  realCounts[19] = 40;
  const fakeCounts = new Array(20).fill(0);
  fakeCounts[0] = 40;
  assert.deepEqual(l.real.counts, realCounts);
  assert.deepEqual(l.fake.counts, fakeCounts);
  assert.deepEqual(l.interp.counts.filter((c) => c > 0), [1, 2, 1]);
  assert.equal(l.interp.counts[10], 2);
  assert.equal(l.noise.counts[0], 1);
  assert.equal(l.realFrom, 'training');
  // Half the mixture at σ(30) ≈ 1, half at σ(−30) ≈ 0: the std of a fair coin, 1/2.
  assert.ok(Math.abs(l.flatness - 0.5) < 1e-9, `flatness ${l.flatness}`);
});

test('hinge and least squares bin the raw score on fixed ranges; what falls outside is counted apart', () => {
  assert.deepEqual(landscapeBins('hinge'), { value: 'score', bins: { min: -4, max: 4, count: 20 } });
  assert.deepEqual(landscapeBins('ls'), { value: 'score', bins: { min: -1, max: 2, count: 20 } });
  const set = landscapeHistogram([-5, -4, 0, 3.99, 4, 9, NaN], landscapeBins('hinge').bins);
  assert.deepEqual([set.n, set.below, set.above], [7, 1, 1]);
  assert.equal(set.counts[0], 1);
  assert.equal(set.counts[10], 1);
  assert.equal(set.counts[19], 2, 'the last bin includes its upper edge');
  const l = landscapeStats({ real: [1, 1], fake: [-1, -1], interp: [], noise: [] }, 'hinge', 'held-out');
  assert.equal(l.flatness, 1, 'the spread of the raw score over real ∪ generated');
});

/** D(x) = k · mean pixel (in [-1, 1]): white images score +k, black −k, a midpoint of the two 0. */
function brightnessD(size: number, k: number): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.globalAveragePooling2d({ inputShape: [size, size, 3] }), tf.layers.dense({ units: 1, kernelInitializer: 'zeros' })],
  });
  model.layers[1].setWeights([tf.fill([3, 1], k / 3), tf.zeros([1])]);
  return model;
}

/** G(z) = black images whatever z is. */
function blackG(size: number, latent: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [latent], units: size * size * 3, kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: -1 }) }),
      tf.layers.reshape({ targetShape: [size, size, 3] }),
    ],
  });
}

test('measureLandscape scores real, generated, midpoint and noise images with D, leaving no tensors', async () => {
  const size = 8;
  const stride = size * size * 3;
  // Two real images: one white, one black. Every midpoint of two different ones is mid-grey.
  const pixels = new Uint8Array(2 * stride);
  pixels.fill(255, 0, stride);
  const probe = landscapeProbe({ size, count: 2, pixels }, 'held-out', 4, 16);
  assert.equal(probe.realCount, 2);
  assert.ok(probe.interp.every((v) => v === 0), 'midpoints of the white and the black image are mid-grey');
  assert.ok(probe.noise.every((v) => v >= -1 && v < 1));
  assert.deepEqual(landscapeProbe({ size, count: 2, pixels }, 'held-out', 4, 16), probe, 'the same seed draws the same probe');

  const discriminator = brightnessD(size, 10);
  const generator = blackG(size, 3);
  const tensors = tf.memory().numTensors;
  const l = await measureLandscape({ generator, discriminator }, probe, { loss: 'ns', prior: 'normal', latent: 3 }, 1);
  assert.equal(tf.memory().numTensors, tensors, 'the landscape leaked tensors');
  assert.deepEqual([l.real.counts[0], l.real.counts[19]], [1, 1]);
  assert.equal(l.fake.counts[0], 16);
  assert.equal(l.interp.counts[10], 16);
  // Noise: the mean of 192 uniform values is near 0, so D(x) stays near 1/2.
  assert.ok(Math.abs(l.noise.mean - 0.5) < 0.2, `noise mean ${l.noise.mean}`);
  // 17 images at σ(−10) and one at σ(10): the std of that mixture.
  const values = [...new Array(17).fill(sigmoid(-10)), sigmoid(10)];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  assert.ok(Math.abs(l.flatness - std) < 1e-5, `flatness ${l.flatness} vs ${std}`);
  discriminator.dispose();
  generator.dispose();
});
