import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createGan, disposeGan, trainIteration } from './gan';
import {
  backendMemoryLimit,
  estimateGenerationBytes,
  estimateTrainingBytes,
  generationChunk,
  largestTrainingBatch,
  networkLayout,
  trainingMemoryError,
  type NetworkShape,
} from './memory';
import { buildDiscriminator, buildDiscriminatorAux, buildGenerator, countTrainableParams } from './models';
import { augmentBatch } from './augment';
import { defaultRunConfig } from '../shared/schema';

const GB = 1e9;

/** Floats per image of every layer's output (an input layer's is the caller's tensor, not counted). */
function outputFloats(model: tf.LayersModel): number {
  return model.layers
    .filter((layer) => layer.getClassName() !== 'InputLayer')
    .reduce((sum, layer) => sum + (layer.outputShape as number[]).slice(1).reduce((a, b) => a * b, 1), 0);
}

test('the layout counts the parameters and layer outputs of the networks as built', () => {
  const shapes: NetworkShape[] = [
    { arch: 'dcgan', size: 32, width: 8, latent: 16 },
    { arch: 'dcgan', size: 64, width: 32, latent: 128 },
    { arch: 'dcgan', size: 96, width: 8, latent: 32 },
    { arch: 'dcgan', size: 128, width: 4, latent: 8 },
    { arch: 'dcgan-ref', size: 64, width: 8, latent: 100 },
    { arch: 'dcgan-ref', size: 16, width: 4, latent: 4 },
    { arch: 'lite', size: 32, width: 8, latent: 16 },
    { arch: 'lite', size: 64, width: 5, latent: 8 },
    { arch: 'lite', size: 128, width: 4, latent: 8 },
    { arch: 'lite', size: 256, width: 2, latent: 4 },
  ];
  for (const shape of shapes) {
    const g = buildGenerator(shape);
    const d = buildDiscriminator(shape);
    // lite's D trains with a decoder head, which the layout counts as D's.
    const head = buildDiscriminatorAux(shape, d)?.head;
    const layout = networkLayout(shape);
    const label = JSON.stringify(shape);
    assert.equal(layout.generatorParams, countTrainableParams(g), label);
    assert.equal(layout.discriminatorParams, countTrainableParams(d) + (head ? countTrainableParams(head) : 0), label);
    assert.equal(layout.generatorActivations, outputFloats(g), label);
    assert.equal(layout.discriminatorActivations, outputFloats(d), label);
    assert.equal(layout.auxActivations, head ? outputFloats(head) : 0, label);
    g.dispose();
    d.dispose();
    head?.dispose();
  }
});

test('the training estimate covers the peak tensor memory of a real iteration, without overshooting by much', async () => {
  await tf.setBackend('cpu');
  // ada 0 unless the case is about it: adaptive augmentation (on by default) starts at p = 0, where it copies
  // nothing, while the estimate covers it at any p; the ADA cases measure it at p = 0.5, its worst (before,
  // one translation was the only augmentation tested and three operations went far above the estimate).
  for (const overrides of [
    { size: 32, width: 8, batch: 8, ada: 0 },
    { size: 32, width: 4, batch: 24, ema: 0, ada: 0 },
    { size: 16, width: 16, batch: 4, augment: ['translation' as const], ada: 0 },
    { size: 32, width: 8, batch: 8, ada: 0.6 },
    { size: 32, width: 8, batch: 8, ada: 0, augment: ['translation' as const, 'cutout' as const, 'color' as const] },
    { size: 32, width: 4, batch: 8, ada: 0.6, augment: ['flip' as const, 'color' as const] },
    { arch: 'lite' as const, size: 32, width: 8, batch: 8, ada: 0 },
    { arch: 'lite' as const, size: 64, width: 4, batch: 4, ema: 0, ada: 0 },
  ]) {
    const config = defaultRunConfig({ latent: 16, ...overrides });
    const state = createGan(config, { augment: augmentBatch });
    if (config.ada > 0) state.ada.p = 0.5;
    const real = (n: number) => tf.randomUniform([n, config.size, config.size, 3], -1, 1) as tf.Tensor4D;
    await trainIteration(state, real);
    await trainIteration(state, real);
    const { peakBytes } = await tf.profile(async () => {
      await trainIteration(state, real);
    });
    disposeGan(state);
    const { bytes } = estimateTrainingBytes(config);
    assert.ok(bytes >= peakBytes, `estimate ${bytes} is below the measured peak ${peakBytes}`);
    assert.ok(bytes <= 1.3 * peakBytes, `estimate ${bytes} is far above the measured peak ${peakBytes} for ${JSON.stringify(overrides)}`);
  }
  // The replay buffer (a Float32Array, filled up to its capacity) comes on top.
  const base = defaultRunConfig({ size: 32, batch: 16 });
  assert.equal(estimateTrainingBytes({ ...base, replay: 0.5 }).bytes - estimateTrainingBytes(base).bytes, 2048 * 32 * 32 * 3 * 4);
});

test('train --batch 100000 is refused before any work, naming the limit and the largest batch that fits', () => {
  const config = defaultRunConfig({ batch: 100_000 });
  const wasm = backendMemoryLimit('wasm', 16 * GB);
  const message = trainingMemoryError(config, wasm, '--batch');
  assert.ok(message);
  assert.match(message, /^--batch 100000 needs about \d+ GB of memory to train \(64 px, width 32, latent 128\); the wasm backend can use 3\.2 GB: use a --batch of at most (\d+), or a smaller width or size$/);
  const largest = Number(/at most (\d+)/.exec(message)![1]);
  assert.equal(largest, largestTrainingBatch(config, wasm));
  assert.equal(trainingMemoryError({ ...config, batch: largest }, wasm), null);
  assert.notEqual(trainingMemoryError({ ...config, batch: largest + 1 }, wasm), null);
  // The defaults train everywhere; the cpu backend is bounded by the machine's memory.
  assert.equal(trainingMemoryError(defaultRunConfig(), wasm), null);
  assert.equal(trainingMemoryError(defaultRunConfig(), backendMemoryLimit('cpu', 2 * GB)), null);
  assert.ok(largestTrainingBatch(config, backendMemoryLimit('cpu', 64 * GB)) > largest);
  // Networks too wide for even one image say so instead of suggesting batch 0.
  assert.match(trainingMemoryError(defaultRunConfig({ width: 100_000 }), wasm, 'batch')!, /too little even for a batch of 1: use a smaller width, latent or size$/);
});

test('generation chunks fit the limit and shrink for wide networks; the estimate grows with the chunk, not with n', () => {
  const shape: NetworkShape = { arch: 'dcgan', size: 64, width: 32, latent: 128 };
  const wasm = backendMemoryLimit('wasm', 16 * GB);
  assert.equal(generationChunk(shape, wasm), 256);
  const wide = { ...shape, size: 128, width: 256 };
  const chunk = generationChunk(wide, wasm, true);
  assert.ok(chunk >= 1 && chunk < 256, `chunk ${chunk}`);
  assert.ok(estimateGenerationBytes(wide, chunk, true).bytes <= wasm.bytes);
  assert.equal(generationChunk({ ...shape, width: 1_000_000 }, wasm), 0);
});
