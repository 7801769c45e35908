/**
 * The quality recipe of issue 12: adaptive augmentation (ada.ts), spectral normalisation of D
 * (spectral-norm.ts) and the R1 penalty (r1.ts), on the cpu backend (and wasm where said), at tiny sizes.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { SingularValueDecomposition, Matrix } from 'ml-matrix';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { augmentBatch } from './augment';
import { defaultRunConfig, type RunConfig } from '../shared/schema';
import { ADA_INTERVAL, adaFromJson, initialAda, observeRt } from './ada';
import { decodeCheckpoint, encodeCheckpoint, restoreGan, serializeGan } from './checkpoint';
import { createGan, disposeGan, modelVariables, trainIteration, type GanState, type RealBatchSource } from './gan';
import { estimateTrainingBytes } from './memory';
import { buildDiscriminator } from './models';
import { r1Penalty } from './r1';
import { Rng } from './rng';
import { SpectralNormalized, normalizedKernel, spectralLayers } from './spectral-norm';
import { registerWasmTrainingKernels } from './wasm-kernels';

before(async () => {
  await tf.setBackend('cpu');
});

const tiny = (overrides: Partial<RunConfig> = {}): RunConfig =>
  defaultRunConfig({ size: 16, width: 4, latent: 8, batch: 4, ema: 0, replay: 0, seed: 3, ...overrides });
const real16: RealBatchSource = (n, rng) => tf.randomUniform([n, 16, 16, 3], -1, 1, 'float32', rng.seed()) as tf.Tensor4D;

function largestSingularValue(values: Float32Array | number[], rows: number, cols: number): number {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, values[i * cols + j]);
  return Math.max(...new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal);
}

// ---------------------------------------------------------------------------------------------
// Adaptive augmentation

test('ADA: p moves up while r_t is above the target and down while below, one step per 4 minibatches, within [0, 1]', () => {
  const config = { ada: 0.6, adaImages: 1000, batch: 10 };
  const step = (config.batch * ADA_INTERVAL) / config.adaImages; // 0.04
  const state = initialAda();
  observeRt(state, [0.9, 0.9, 0.9], config);
  assert.equal(state.p, 0, 'no adjustment before 4 minibatches');
  assert.equal(state.rtBatches, 3);
  observeRt(state, [0.9], config);
  assert.equal(state.p, step);
  assert.deepEqual([state.rtSum, state.rtBatches], [0, 0]);
  observeRt(state, Array(8).fill(1), config);
  assert.ok(Math.abs(state.p - 3 * step) < 1e-12);
  // Below the target: down again; the mean over the 4 counts, not the last value.
  observeRt(state, [0.9, 0.1, 0.1, 0.1], config);
  assert.ok(Math.abs(state.p - 2 * step) < 1e-12);
  // Clamped at 0 …
  observeRt(state, Array(40).fill(-1), config);
  assert.equal(state.p, 0);
  // … and at 1 (25 steps of 0.04 reach it; 50 would pass it).
  observeRt(state, Array(4 * 50).fill(1), config);
  assert.equal(state.p, 1);
  // Off: nothing moves.
  const off = initialAda();
  observeRt(off, Array(8).fill(1), { ...config, ada: 0 });
  assert.deepEqual(off, initialAda());
});

test('ADA: a checkpoint entry restores p and the accumulator; a missing or bad one starts from p = 0', () => {
  assert.deepEqual(adaFromJson({ p: 0.25, rtSum: 1.5, rtBatches: 2 }), { p: 0.25, rtSum: 1.5, rtBatches: 2 });
  assert.deepEqual(adaFromJson(undefined), initialAda());
  assert.deepEqual(adaFromJson({ p: 'x', rtSum: 0, rtBatches: 0 }), initialAda());
  assert.equal(adaFromJson({ p: 7, rtSum: 0, rtBatches: 0 }).p, 1);
});

test('augmentBatch with p: 1 is the plain augmentation, 0 the batch itself, in between some images each', () => {
  const batch = tf.randomUniform([16, 8, 8, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
  const names = ['translation', 'cutout', 'color'] as const;
  const plain = augmentBatch(batch, [...names], 11);
  const always = augmentBatch(batch, [...names], 11, 1);
  assert.deepEqual(always.dataSync(), plain.dataSync());
  assert.deepEqual(augmentBatch(batch, [...names], 11, 0).dataSync(), batch.dataSync());
  // With p = 0.5 and cutout only, each image is either unchanged or exactly the cut-out one.
  const cut = augmentBatch(batch, ['cutout'], 11);
  const half = augmentBatch(batch, ['cutout'], 11, 0.5);
  let kept = 0;
  let changed = 0;
  for (let i = 0; i < 16; i++) {
    const [h, b, c] = [half, batch, cut].map((t) => t.slice([i, 0, 0, 0], [1, -1, -1, -1]).dataSync().join());
    if (h === b) kept++;
    else if (h === c) changed++;
    else assert.fail(`image ${i} is neither unchanged nor the augmented one`);
  }
  assert.ok(kept > 0 && changed > 0, `kept ${kept}, changed ${changed}`);
  // Deterministic per seed.
  assert.deepEqual(augmentBatch(batch, ['cutout'], 11, 0.5).dataSync(), half.dataSync());
  tf.dispose([batch, plain, always, cut, half]);
});

test('ADA in training: p is logged each step, rises while D calls the reals real, and needs no augment list nor an injected augment function', async () => {
  // D much faster than G calls every real image real (r_t = 1) within a few steps; target 0.1.
  // No { augment } option: createGan brings DiffAugment itself (before, a default config with ADA on threw there).
  const state = createGan(tiny({ ada: 0.1, adaImages: 1000, lrD: 0.01, lrG: 1e-5 }));
  const ps: number[] = [];
  for (let i = 0; i < 12; i++) ps.push((await trainIteration(state, real16)).augmentP!);
  assert.ok(ps.every((p) => typeof p === 'number' && p >= 0 && p <= 1), ps.join());
  assert.ok(ps[11] > 0, `p stayed at ${ps[11]}`);
  // It changes only on every 4th step (k = 1: one minibatch per step).
  ps.forEach((p, i) => {
    if ((i + 1) % ADA_INTERVAL !== 0) assert.equal(p, i === 0 ? 0 : ps[i - 1], `p changed at step ${i + 1}`);
  });
  assert.equal(state.ada.p, ps[11]);
  disposeGan(state);
  // The defaults have it on (ada 0.6): a default config builds and trains as is.
  const defaults = createGan(tiny());
  assert.equal(typeof (await trainIteration(defaults, real16)).augmentP, 'number');
  disposeGan(defaults);
  // Off: no augmentP in the metrics.
  const plain = createGan(tiny({ ada: 0 }));
  assert.ok(!('augmentP' in (await trainIteration(plain, real16))));
  disposeGan(plain);
});

// ---------------------------------------------------------------------------------------------
// Spectral normalisation

test('spectral norm: after a few power iterations σ matches the SVD and the normalised kernel has σ ≈ 1', () => {
  const layer = new SpectralNormalized({ kind: 'conv2d', units: 6, kernelSize: 4, strides: 2, useBias: true, seed: 9 });
  layer.build([null, 8, 8, 5]);
  const kernel = layer.kernel!.read();
  // Spread the singular values, as trained weights have them: scale rows differently.
  layer.kernel!.write(tf.mul(kernel, tf.linspace(0.2, 3, 6)));
  const rows = 4 * 4 * 5;
  const exact = largestSingularValue(layer.kernel!.read().dataSync() as Float32Array, rows, 6);
  for (let i = 0; i < 30; i++) layer.powerIterate();
  assert.ok(Math.abs(layer.sigma() - exact) / exact < 1e-3, `σ estimate ${layer.sigma()}, SVD ${exact}`);
  const normalised = normalizedKernel(layer.kernel!.read(), layer.u!.read(), layer.v!.read());
  const after = largestSingularValue(normalised.dataSync() as Float32Array, rows, 6);
  assert.ok(Math.abs(after - 1) < 1e-3, `σ of W/σ is ${after}`);
  normalised.dispose();
  for (const w of layer.weights) w.dispose();
});

test('spectral norm: the gradient flows through σ (W/σ with u, v held fixed, as in the paper)', () => {
  // f(W) = Σ C ⊙ W/σ(W), σ = vᵀ W u  ⇒  ∂f/∂W = C/σ − (Σ C ⊙ W)/σ² · v uᵀ.
  const rows = 6;
  const cols = 3;
  const w = tf.randomNormal([rows, cols], 0, 1, 'float32', 1);
  const c = tf.randomNormal([rows, cols], 0, 1, 'float32', 2);
  const u = tf.div(tf.ones([cols]), Math.sqrt(cols));
  const v = tf.div(tf.ones([rows]), Math.sqrt(rows));
  const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(c, normalizedKernel(x, u, v))))(w);
  const sigma = tf.sum(tf.mul(tf.matMul(tf.reshape(v, [1, -1]), w), tf.reshape(u, [1, -1])));
  const expected = tf.sub(tf.div(c, sigma), tf.mul(tf.div(tf.sum(tf.mul(c, w)), tf.square(sigma)), tf.outerProduct(v as tf.Tensor1D, u as tf.Tensor1D)));
  const diff = tf.max(tf.abs(tf.sub(grad, expected))).dataSync()[0];
  assert.ok(diff < 1e-4, `largest difference ${diff}`);
  tf.dispose([w, c, u, v, grad, sigma, expected]);
});

test('spectral norm: D has no batch norm, keeps u and v among its weights, and one power iteration runs per D update', async () => {
  const state = createGan(tiny({ spectralNorm: true }));
  const d = state.discriminator;
  assert.ok(!d.layers.some((l) => l.getClassName() === 'BatchNormalization'));
  const layers = spectralLayers(d);
  assert.equal(layers.length, 3); // two convs at 16 px (16 → 8 → 4) and the dense layer
  assert.ok(d.nonTrainableWeights.length === 2 * layers.length);
  const u0 = layers[0].u!.read().dataSync().slice();
  await trainIteration(state, real16);
  assert.notDeepEqual(layers[0].u!.read().dataSync(), u0);
  disposeGan(state);
});

// ---------------------------------------------------------------------------------------------
// R1

test('R1 on a linear D: the penalty is γ/2 ‖w‖² and its gradient in w is γ w', () => {
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 3] }), tf.layers.dense({ units: 1, kernelInitializer: 'randomNormal' })] });
  const kernel = model.trainableWeights[0].read() as tf.Variable;
  const x = tf.randomUniform([5, 2, 2, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
  const gamma = 10;
  const w = Array.from(kernel.dataSync() as Float32Array);
  const normSq = w.reduce((s, a) => s + a * a, 0);
  const { value, grads } = tf.variableGrads(() => {
    const { logits, penalty } = r1Penalty((input) => model.apply(input) as tf.Tensor, x, gamma);
    assert.deepEqual(logits.shape, [5, 1]);
    return penalty;
  }, [kernel]);
  assert.ok(Math.abs(value.dataSync()[0] - (gamma / 2) * normSq) < 1e-4 * normSq * gamma, `${value.dataSync()[0]} vs ${(gamma / 2) * normSq}`);
  const g = grads[kernel.name].dataSync();
  w.forEach((wi, i) => assert.ok(Math.abs(g[i] - gamma * wi) < 1e-5, `∂/∂w_${i}: ${g[i]} vs ${gamma * wi}`));
  tf.dispose([x, value, ...Object.values(grads)]);
  model.dispose();
});

/** R1's gradient in every weight of the DCGAN discriminator (double backprop through conv2d, batch norm, leaky ReLU). */
function r1Gradients(spectralNorm: boolean): Float32Array[] {
  const d = buildDiscriminator({ arch: 'dcgan', size: 16, width: 4, latent: 8, spectralNorm }, new Rng(2));
  const vars = d.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.tensor4d(Array.from({ length: 3 * 16 * 16 * 3 }, (_, i) => Math.sin(i * 0.37)), [3, 16, 16, 3]);
  const { grads } = tf.variableGrads(() => r1Penalty((input) => d.apply(input, { training: true }) as tf.Tensor, x, 1).penalty, vars);
  // The last layer's bias does not change ∇_x D: no gradient.
  const out = vars.map((v) => (grads[v.name] ? (grads[v.name].dataSync() as Float32Array).slice() : new Float32Array(v.size)));
  tf.dispose([x, ...Object.values(grads)]);
  d.dispose();
  return out;
}

test('R1 through the DCGAN discriminator: double backprop matches finite differences, and wasm matches cpu', async () => {
  const analytic = r1Gradients(false);
  // Central differences in float32 on a few weights of the first conv (index 0) and the second (index 2).
  const d = buildDiscriminator({ arch: 'dcgan', size: 16, width: 4, latent: 8 }, new Rng(2));
  const x = tf.tensor4d(Array.from({ length: 3 * 16 * 16 * 3 }, (_, i) => Math.sin(i * 0.37)), [3, 16, 16, 3]);
  const penalty = () => tf.tidy(() => r1Penalty((input) => d.apply(input, { training: true }) as tf.Tensor, x, 1).penalty.dataSync()[0]);
  for (const [varIndex, entries] of [[0, [0, 17, 101]], [2, [3, 250]]] as const) {
    const variable = d.trainableWeights[varIndex].read() as tf.Variable;
    const values = variable.dataSync().slice();
    for (const j of entries) {
      const h = 1e-2 * Math.max(1e-2, Math.abs(values[j]));
      const at = (delta: number) => {
        const copy = values.slice();
        copy[j] += delta;
        variable.assign(tf.tensor(copy, variable.shape));
        return penalty();
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      variable.assign(tf.tensor(values, variable.shape));
      const a = analytic[varIndex][j];
      assert.ok(Math.abs(a - numeric) <= 0.03 * Math.abs(numeric) + 1e-3, `weight ${varIndex}/${j}: analytic ${a}, finite difference ${numeric}`);
    }
  }
  x.dispose();
  d.dispose();

  registerWasmTrainingKernels();
  assert.ok(await tf.setBackend('wasm'));
  try {
    const onWasm = r1Gradients(false);
    const withSn = r1Gradients(true);
    analytic.forEach((a, i) => {
      const scale = Math.max(...a.map(Math.abs), 1e-6);
      const diff = Math.max(...a.map((value, j) => Math.abs(value - onWasm[i][j])));
      assert.ok(diff <= 1e-3 * scale, `weight ${i}: wasm and cpu differ by ${diff} (scale ${scale})`);
    });
    assert.ok(withSn.every((g) => g.every(Number.isFinite)));
  } finally {
    await tf.setBackend('cpu');
  }
});

test('R1 in training: lazy every r1Every-th D update, and the logged D loss leaves the penalty out', async () => {
  const config = tiny({ r1: 1000, r1Every: 2 });
  const withR1 = createGan(config);
  const without = createGan({ ...config, r1: 0 });
  // Update 0 carries the penalty (×2), update 1 does not: the weights part after the first step only.
  const first = [await trainIteration(withR1, real16), await trainIteration(without, real16)];
  assert.equal(first[0].dLoss, first[1].dLoss, 'the logged loss is the GAN loss alone');
  const dWeights = (s: GanState) => modelVariables(s.discriminator).map((v) => Array.from(v.dataSync()));
  assert.notDeepEqual(dWeights(withR1), dWeights(without));
  disposeGan(withR1);
  disposeGan(without);
});

test('training with adaptive augmentation, spectral norm and lazy R1 on does not leak tensors', async () => {
  const state = createGan(tiny({ ada: 0.1, adaImages: 1000, spectralNorm: true, r1: 1, r1Every: 2 }), { augment: augmentBatch });
  await trainIteration(state, real16);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 4; i++) await trainIteration(state, real16);
  assert.equal(tf.memory().numTensors, before);
  disposeGan(state);
});

test('the memory estimate counts adaptive augmentation at its worst p, above the same operations always on, and R1 on top', () => {
  const base = tiny({ size: 32, width: 16, batch: 16, ada: 0 });
  const bytes = (c: RunConfig) => estimateTrainingBytes(c).bytes;
  const ops = { augment: ['translation', 'cutout', 'color'] as RunConfig['augment'] };
  // Empty list: adaptive augmentation steers its default operations, the same three.
  assert.equal(bytes({ ...base, ada: 0.6 }), bytes({ ...base, ...ops, ada: 0.6 }));
  assert.ok(bytes({ ...base, ada: 0.6 }) > bytes({ ...base, ...ops }));
  assert.ok(bytes({ ...base, ...ops }) > bytes({ ...base, augment: ['flip'] }));
  assert.ok(bytes({ ...base, augment: ['flip'] }) > bytes(base));
  // tf.profile on the cpu backend measured R1 (every update) at 1.8-2.0× the plain step's peak.
  const ratio = bytes({ ...base, r1: 1 }) / bytes(base);
  assert.ok(ratio > 1.6 && ratio < 2.2, String(ratio));
});

// ---------------------------------------------------------------------------------------------
// All three together: resume

function everything(state: GanState): Float32Array[] {
  const models = [state.generator, state.discriminator, ...(state.ema ? [state.ema] : [])];
  return [...models.flatMap((m) => modelVariables(m)), ...state.optG.m, ...state.optG.v, ...state.optD.m, ...state.optD.v].map(
    (v) => v.dataSync() as Float32Array,
  );
}

test('resume with adaptive augmentation, spectral norm and R1 on: 6 steps straight = 3, checkpoint, restore, 3 (bit-identical)', async () => {
  const config = tiny({ ada: 0.1, adaImages: 1000, spectralNorm: true, r1: 5, r1Every: 2, lrD: 0.01, ema: 0.9, replay: 0.5 });
  const options = { augment: augmentBatch };
  const straight = createGan(config, options);
  const straightMetrics = [];
  for (let i = 0; i < 6; i++) straightMetrics.push(await trainIteration(straight, real16));
  assert.ok(straight.ada.p > 0, 'p never moved: the test would not cover its restore');

  const first = createGan(config, options);
  for (let i = 0; i < 3; i++) await trainIteration(first, real16);
  const bytes = encodeCheckpoint(await serializeGan(first));
  const decoded = decodeCheckpoint(bytes);
  assert.deepEqual(decoded.json.ada, first.ada);
  assert.equal(decoded.json.ada!.rtBatches, 3);
  disposeGan(first);
  const resumed = restoreGan(config, decoded, options);
  const resumedMetrics = [];
  for (let i = 0; i < 3; i++) resumedMetrics.push(await trainIteration(resumed, real16));
  assert.deepEqual(resumedMetrics, straightMetrics.slice(3));
  assert.deepEqual(resumed.ada, straight.ada);
  const [a, b] = [everything(resumed), everything(straight)];
  assert.equal(a.length, b.length);
  a.forEach((x, i) => assert.ok(Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength)), `tensor ${i} differs`));
  assert.throws(() => restoreGan({ ...config, spectralNorm: false }, decoded, options), /spectral norm of D on, the run config says off/);
  disposeGan(straight);
  disposeGan(resumed);
});
