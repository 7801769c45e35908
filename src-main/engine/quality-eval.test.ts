import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { tinyImageSet, tinyRunConfig } from '../data/test-fixtures';
import { createGan, disposeGan, samplingGenerator } from './gan';
import { pyramidDown } from './metrics/swd';
import { downscaleBatch, evalDue, evalImageSize, evalLatentSeed, evalReferenceSeed, QualityEvaluator } from './quality-eval';

before(async () => {
  await tf.setBackend('cpu');
});

const dueSteps = (total: number, every: number) => Array.from({ length: total }, (_, i) => i + 1).filter((s) => evalDue(s, total, every));

test('scores are due every evalEvery steps and at the end of a run that long; 0 turns them off', () => {
  assert.deepEqual(dueSteps(10, 3), [3, 6, 9, 10]);
  assert.deepEqual(dueSteps(9, 3), [3, 6, 9]);
  assert.deepEqual(dueSteps(5000, 1000), [1000, 2000, 3000, 4000, 5000]);
  // Shorter than one interval: never scored (a 4-step test run does not pay for a score).
  assert.deepEqual(dueSteps(2, 3), []);
  assert.deepEqual(dueSteps(10, 0), []);
  assert.equal(evalDue(0, 10, 1), false, 'step 0 (the untrained generator) is not scored');
});

test('runs above 32 px are scored halved down to 32 px or less', () => {
  assert.deepEqual([16, 24, 32, 40, 48, 64, 96, 128, 256].map(evalImageSize), [16, 24, 32, 20, 24, 32, 24, 32, 32]);
});

test('downscaleBatch halves each colour plane with pyrDown; a batch at the size already is returned as is', () => {
  const size = 8;
  const count = 2;
  const pixels = Uint8Array.from({ length: count * size * size * 3 }, (_, i) => (i * 37) % 251);
  const batch = { size, count, pixels };
  assert.equal(downscaleBatch(batch, 8), batch);
  const half = downscaleBatch(batch, 4);
  assert.deepEqual([half.size, half.count, half.pixels.length], [4, 2, 2 * 4 * 4 * 3]);
  // Image 1, green plane, against pyrDown of that plane by hand.
  const plane = Float32Array.from({ length: size * size }, (_, i) => pixels[(size * size + i) * 3 + 1]);
  const expected = pyramidDown(plane, size, size);
  const got = Float32Array.from({ length: 16 }, (_, i) => half.pixels[(16 + i) * 3 + 1]);
  assert.deepEqual(got, expected);
  const quarter = downscaleBatch(batch, 2);
  assert.equal(quarter.size, 2);
  // A flat image stays flat.
  const flat = downscaleBatch({ size: 8, count: 1, pixels: new Uint8Array(8 * 8 * 3).fill(200) }, 4);
  assert.ok(flat.pixels.every((v) => Math.abs(v - 200) < 1e-4));
  assert.throws(() => downscaleBatch(batch, 3), /cannot be halved to 3 px/);
});

test('the evaluation seeds depend on the run seed (and the step for z) alone, and differ between them', () => {
  assert.equal(evalReferenceSeed(7), evalReferenceSeed(7));
  assert.notEqual(evalReferenceSeed(7), evalReferenceSeed(8));
  assert.equal(evalLatentSeed(7, 100), evalLatentSeed(7, 100));
  const seeds = new Set([1, 2, 3, 4, 5].flatMap((step) => [evalLatentSeed(7, step), evalLatentSeed(8, step)]));
  assert.equal(seeds.size, 10);
});

test('an evaluation leaves the networks and the training stream alone, and repeats exactly for the same step', async () => {
  const config = tinyRunConfig({ size: 64, evalSamples: 12, augment: [] });
  const images = tinyImageSet();
  // The fixture is 32 px: make a 64 px set of the same images (each pixel doubled).
  const big = new Uint8Array(images.count * 64 * 64 * 3);
  for (let n = 0; n < images.count; n++)
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++)
        for (let c = 0; c < 3; c++) big[((n * 64 + y) * 64 + x) * 3 + c] = images.pixels[((n * 32 + (y >> 1)) * 32 + (x >> 1)) * 3 + c];
  const state = createGan(config);
  try {
    const rngBefore = state.rng.getState();
    const weightsBefore = samplingGenerator(state).getWeights().map((w) => w.dataSync().slice());
    const evaluator = new QualityEvaluator(config, { size: 64, count: images.count, pixels: big });
    const tensorsBefore = tf.memory().numTensors;
    let yields = 0;
    const first = await evaluator.evaluate(samplingGenerator(state), 10, { between: async () => void yields++ });
    assert.equal(tf.memory().numTensors, tensorsBefore, 'the evaluation leaked tensors');
    assert.ok(first);
    assert.equal(yields, 1);
    assert.equal(state.rng.getState(), rngBefore, 'the evaluation drew from the training stream');
    samplingGenerator(state).getWeights().forEach((w, i) => assert.deepEqual(w.dataSync(), weightsBefore[i]));
    assert.equal(first.imagesSeen, 10 * config.k * config.batch);
    assert.deepEqual([first.scores.size, first.scores.counts.fake, first.scores.counts.real], [32, 12, 12]);
    const again = await evaluator.evaluate(samplingGenerator(state), 10);
    assert.deepEqual(again, first);
    const later = await evaluator.evaluate(samplingGenerator(state), 11);
    assert.notEqual(later!.scores.swd, first.scores.swd, 'another step draws other latents');
    // A stop between chunks abandons the score.
    assert.equal(await evaluator.evaluate(samplingGenerator(state), 12, { cancelled: () => true }), null);
  } finally {
    disposeGan(state);
  }
});
