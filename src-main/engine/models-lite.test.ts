import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { decodeCheckpoint, encodeCheckpoint, restoreGan, serializeGan } from './checkpoint';
import { createGan, disposeGan, modelVariables, trainIteration, type GanState, type RealBatchSource } from './gan';
import { buildDiscriminator, buildDiscriminatorAux, buildGenerator, countTrainableParams } from './models';
import { litePlan } from './models-lite';
import { Rng } from './rng';
import { defaultRunConfig, type RunConfig } from '../shared/schema';
import { tinyImageSet } from '../data/test-fixtures';

before(async () => {
  await tf.setBackend('cpu');
});

/** The smallest lite networks: the cpu backend's conv gradients are slow. */
function tinyLite(overrides: Partial<RunConfig> = {}): RunConfig {
  return defaultRunConfig({ arch: 'lite', size: 32, width: 4, latent: 8, batch: 4, ema: 0, replay: 0, seed: 3, ...overrides });
}

/** The fixtures' 16 pattern images (a bar that moves) in [-1, 1]: structure a decoder can learn. */
function patternBatch(n: number): tf.Tensor4D {
  const set = tinyImageSet();
  return tf.tidy(() => tf.sub(tf.div(tf.tensor4d(set.pixels, [set.count, set.size, set.size, 3], 'float32'), 127.5), 1).slice([0, 0, 0, 0], [n, -1, -1, -1]) as tf.Tensor4D);
}

const realBatch: RealBatchSource = (n, rng) => tf.randomUniform([n, 32, 32, 3], -1, 1, 'float32', rng.seed()) as tf.Tensor4D;

/** Every tensor a checkpoint holds: weights of all networks (D's decoder included) and Adam's moments. */
function stateValues(state: GanState): Float32Array[] {
  const models = [state.generator, state.discriminator, ...(state.dAux ? [state.dAux.head] : []), ...(state.ema ? [state.ema] : [])];
  return [...models.flatMap((m) => modelVariables(m)), ...state.optG.m, ...state.optG.v, ...state.optD.m, ...state.optD.v].map(
    (v) => v.dataSync() as Float32Array,
  );
}

function assertBitIdentical(a: Float32Array[], b: Float32Array[]): void {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => {
    const bx = new Uint32Array(x.buffer, x.byteOffset, x.length);
    const by = new Uint32Array(b[i].buffer, b[i].byteOffset, b[i].length);
    assert.ok(bx.length === by.length && bx.every((v, j) => v === by[j]), `tensor ${i} differs`);
  });
}

test('lite builds 32, 64 and 128 px networks: G makes images, D one logit, the decoder a 32 px image from 8×8 features', () => {
  for (const size of [32, 64, 128]) {
    const config = { arch: 'lite' as const, size, width: 4, latent: 8 };
    const g = buildGenerator(config);
    const d = buildDiscriminator(config);
    const aux = buildDiscriminatorAux(config, d, new Rng(3))!;
    assert.deepEqual(g.outputs[0].shape, [null, size, size, 3]);
    assert.deepEqual(d.inputs[0].shape, [null, size, size, 3]);
    assert.deepEqual(d.outputs[0].shape, [null, 1]);
    assert.deepEqual(aux.head.inputs[0].shape, [null, 8, 8, litePlan(config).discriminator.find((m) => m.side === 8)!.channels]);
    assert.deepEqual(aux.head.outputs[0].shape, [null, 32, 32, 3]);
    // One gating product per excitation of the plan.
    const products = g.layers.filter((l) => l.getClassName() === 'Multiply').length;
    assert.equal(products, litePlan(config).excitations.length, `${size} px`);
    const images = tf.tidy(() => g.predict(tf.randomNormal([2, 8], 0, 1, 'float32', 1)) as tf.Tensor);
    const [lo, hi] = [images.min().dataSync()[0], images.max().dataSync()[0]];
    assert.ok(lo >= -1 && hi <= 1 && hi > lo, `${size} px images span [${lo}, ${hi}]`);
    const { logits, loss } = tf.tidy(() => aux.realPass(tf.randomUniform([2, size, size, 3], -1, 1) as tf.Tensor4D, false));
    assert.deepEqual(logits.shape, [2, 1]);
    assert.ok(loss.dataSync()[0] > 0);
    tf.dispose([images, logits, loss]);
    g.dispose();
    d.dispose();
    aux.dispose();
  }
  assert.throws(() => buildGenerator({ arch: 'lite', size: 16, width: 4, latent: 8 }), /Lite \(few-shot\) cannot make 16 px/);
  assert.throws(() => buildGenerator({ arch: 'lite', size: 48, width: 4, latent: 8 }), /cannot make 48 px/);
  assert.equal(buildDiscriminatorAux({ arch: 'dcgan', size: 32, width: 4, latent: 8 }, buildDiscriminator({ arch: 'dcgan', size: 32, width: 4, latent: 8 })), null);
});

test('skip-layer excitation: 8×8 gates the map three blocks later, 16×16 and 32×32 the next ones; at 32 px, 8×8 gates 32×32', () => {
  const plan = (size: number) => litePlan({ arch: 'lite', size, width: 32, latent: 128 });
  assert.deepEqual(plan(32).excitations, [{ from: 8, to: 32 }]);
  assert.deepEqual(plan(64).excitations, [{ from: 8, to: 64 }]);
  assert.deepEqual(plan(128).excitations, [{ from: 8, to: 64 }, { from: 16, to: 128 }]);
  assert.deepEqual(plan(256).excitations, [{ from: 8, to: 64 }, { from: 16, to: 128 }, { from: 32, to: 256 }]);
  // G's channels halve as the side doubles (capped at 8w), w/2 at full size; D's are DCGAN's.
  assert.deepEqual(plan(64).generator.map((m) => m.channels), [256, 128, 64, 32, 16]);
  assert.deepEqual(plan(64).discriminator.map((m) => m.channels), [32, 64, 128, 256]);
  assert.deepEqual(plan(64).decoder, [{ side: 16, channels: 32 }, { side: 32, channels: 16 }]);
});

test('parameter counts at width 32, latent 128 (G, D, D\'s decoder)', (t) => {
  const counts: Record<number, number[]> = {};
  for (const size of [32, 64, 128]) {
    const config = { arch: 'lite' as const, size, width: 32, latent: 128 };
    const g = buildGenerator(config);
    const d = buildDiscriminator(config);
    const aux = buildDiscriminatorAux(config, d)!;
    counts[size] = [countTrainableParams(g), countTrainableParams(d), countTrainableParams(aux.head)];
    t.diagnostic(`lite ${size} px: G ${counts[size][0]}, D ${counts[size][1]}, decoder ${counts[size][2]} parameters`);
    g.dispose();
    d.dispose();
    aux.dispose();
  }
  assert.deepEqual(counts, {
    32: [376_467, 167_841, 23_571],
    64: [950_419, 694_689, 42_003],
    128: [1_672_851, 1_743_777, 78_867],
  });
});

for (const [name, recipe] of [['', {}], [', with R1 on every update', { r1: 1, r1Every: 1 }]] as const) test(`training lowers D's reconstruction loss on a fixed batch of real images, step after step${name}`, async () => {
  // With R1 the real pass runs inside R1's gradient: the decoder's term must still reach D's update.
  const state = createGan(tinyLite({ batch: 8, lrD: 1e-3, ...recipe }));
  const real = patternBatch(8);
  const reconstruction = () => tf.tidy(() => state.dAux!.realPass(real, false).loss.dataSync()[0]);
  const head = () => modelVariables(state.dAux!.head).map((v) => v.dataSync().slice());
  const headBefore = head();
  const losses = [reconstruction()];
  for (let i = 0; i < 6; i++) {
    await trainIteration(state, () => real.clone());
    losses.push(reconstruction());
  }
  // The decoder trains with D (only the reconstruction loss reaches it), and its error falls each step.
  assert.ok(head().some((w, i) => w.some((x, j) => x !== headBefore[i][j])), 'the decoder did not train');
  for (let i = 1; i < losses.length; i++) assert.ok(losses[i] < losses[i - 1], `loss rose at step ${i}: ${losses.join(', ')}`);
  assert.ok(losses[6] < losses[0] - 0.002, `loss fell only from ${losses[0]} to ${losses[6]}`);
  real.dispose();
  disposeGan(state);
});

test('lite: no tensor leaks; the checkpoint holds the decoder and resumes bit-identically', async () => {
  const config = tinyLite({ replay: 0.5, ema: 0.9, augment: [] });
  const straight = createGan(config);
  await trainIteration(straight, realBatch);
  const tensors = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await trainIteration(straight, realBatch);
  assert.equal(tf.memory().numTensors, tensors);

  const first = createGan(config);
  for (let i = 0; i < 2; i++) await trainIteration(first, realBatch);
  const checkpoint = await serializeGan(first);
  const decoderWeights = checkpoint.json.tensors.filter((t) => t.name.startsWith('DAUX/'));
  assert.equal(decoderWeights.length, modelVariables(first.dAux!.head).length);
  const bytes = encodeCheckpoint(checkpoint);
  disposeGan(first);
  const resumed = restoreGan(config, decodeCheckpoint(bytes));
  assert.deepEqual(encodeCheckpoint(await serializeGan(resumed)), bytes);
  for (let i = 0; i < 2; i++) await trainIteration(resumed, realBatch);
  assertBitIdentical(stateValues(resumed), stateValues(straight));
  assert.throws(() => restoreGan({ ...config, arch: 'dcgan' }, decodeCheckpoint(bytes)), /checkpoint was made for lite 32px/);
  disposeGan(straight);
  disposeGan(resumed);
});
