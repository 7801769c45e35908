import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { decodeCheckpoint, encodeCheckpoint, restoreGan, serializeGan } from './checkpoint';
import type { RunConfig } from '../shared/schema';
import { createGan, disposeGan, emaDecay, modelVariables, trainIteration, NonFiniteLossError, type GanState, type RealBatchSource } from './gan';
import { buildDiscriminator, buildGenerator, countTrainableParams } from './models';
import { ReplayBuffer } from './replay';
import { Rng } from './rng';
import { defaultRunConfig } from '../shared/schema';

before(async () => {
  await tf.setBackend('cpu');
});

/** The smallest networks the 32 px architecture allows: the cpu backend's conv gradients are slow. */
function tiny(overrides: Partial<RunConfig> = {}): RunConfig {
  return defaultRunConfig({ size: 32, width: 4, latent: 8, batch: 4, ema: 0, replay: 0, seed: 3, ...overrides });
}

/** Random "real" images drawn from the state's own rng, so checkpoints capture the data order too. */
const realBatch: RealBatchSource = (n, rng) => tf.randomUniform([n, 32, 32, 3], -1, 1, 'float32', rng.seed()) as tf.Tensor4D;

function weightsOf(state: GanState): Float32Array[] {
  const models = [state.generator, state.discriminator, ...(state.ema ? [state.ema] : [])];
  return [
    ...models.flatMap((m) => modelVariables(m)),
    ...state.optG.m,
    ...state.optG.v,
    ...state.optD.m,
    ...state.optD.v,
  ].map((v) => v.dataSync() as Float32Array);
}

function assertBitIdentical(a: Float32Array[], b: Float32Array[]): void {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => {
    const bx = new Uint32Array(x.buffer, x.byteOffset, x.length);
    const by = new Uint32Array(b[i].buffer, b[i].byteOffset, b[i].length);
    assert.ok(
      bx.length === by.length && bx.every((v, j) => v === by[j]),
      `tensor ${i} differs`,
    );
  });
}

test('dcgan-ref has exactly the reference parameter counts (S = 64, W = 64, Z = 100)', () => {
  const config = { arch: 'dcgan-ref' as const, size: 64, width: 64, latent: 100 };
  const g = buildGenerator(config);
  const d = buildDiscriminator(config);
  assert.equal(countTrainableParams(g), 3_592_067);
  assert.equal(countTrainableParams(d), 2_765_633);
  g.dispose();
  d.dispose();
});

test('dcgan builds 32, 64, 96 and 128 px networks with the right shapes', () => {
  for (const size of [32, 64, 96, 128]) {
    const config = { arch: 'dcgan' as const, size, width: 4, latent: 8 };
    const g = buildGenerator(config);
    const d = buildDiscriminator(config);
    assert.deepEqual(g.outputs[0].shape, [null, size, size, 3]);
    assert.deepEqual(d.inputs[0].shape, [null, size, size, 3]);
    assert.deepEqual(d.outputs[0].shape, [null, 1]);
    g.dispose();
    d.dispose();
  }
  assert.throws(() => buildGenerator({ arch: 'dcgan', size: 40, width: 4, latent: 8 }), /cannot make 40 px/);
});

test('the same seed builds the same networks', () => {
  const a = createGan(tiny());
  const b = createGan(tiny());
  assertBitIdentical(weightsOf(a), weightsOf(b));
  disposeGan(a);
  disposeGan(b);
});

test('k schedule: k discriminator updates per generator update, each on fresh real and generated samples', async () => {
  const state = createGan(tiny({ k: 3 }));
  const realSizes: number[] = [];
  const counting: RealBatchSource = (n, rng) => {
    realSizes.push(n);
    return realBatch(n, rng);
  };
  const m1 = await trainIteration(state, counting);
  const m2 = await trainIteration(state, counting);
  assert.equal(state.dUpdates, 6);
  assert.equal(state.gUpdates, 2);
  assert.equal(state.optD.step, 6);
  assert.equal(state.optG.step, 2);
  assert.deepEqual(realSizes, [4, 4, 4, 4, 4, 4]);
  assert.equal(m1.step, 1);
  assert.equal(m2.step, 2);
  for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake', 'v', 'jsd'] as const) assert.ok(Number.isFinite(m2[key]), key);
  // The cross-entropy D loss is -V (THEORY.md §3).
  assert.ok(Math.abs(m2.dLoss + m2.v) < 1e-5);
  assert.ok(m2.jsd >= 0 && m2.jsd <= Math.LN2);
  disposeGan(state);
});

test('r_t is the mean sign of D on the real batch: a multiple of 2/m, and 1 once D calls every real image real', async () => {
  // 16 px, the smallest size: the cpu backend is slow. D far faster than G soon separates the two.
  const config = tiny({ size: 16, batch: 8, k: 5, lrD: 0.01, lrG: 1e-5 });
  const real16: RealBatchSource = (n, rng) => tf.randomUniform([n, 16, 16, 3], -1, 1, 'float32', rng.seed()) as tf.Tensor4D;
  const fresh = createGan({ ...config, k: 1 });
  const first = await trainIteration(fresh, real16);
  disposeGan(fresh);
  assert.ok(typeof first.rt === 'number' && first.rt >= -1 && first.rt <= 1, `r_t ${first.rt}`);
  const positives = (first.rt * 8 + 8) / 2;
  assert.ok(Math.abs(positives - Math.round(positives)) < 1e-5, `r_t ${first.rt} is not a count of signs over 8 images`);
  const state = createGan(config);
  let last = first;
  for (let i = 0; i < 3; i++) last = await trainIteration(state, real16);
  assert.equal(last.rt, 1);
  assert.ok(last.dReal > 0.9);
  disposeGan(state);
});

test('training steps do not leak tensors (with replay and EMA on)', async () => {
  const state = createGan(tiny({ replay: 0.5, ema: 0.9 }));
  await trainIteration(state, realBatch);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await trainIteration(state, realBatch);
  assert.equal(tf.memory().numTensors, before);
  disposeGan(state);
});

test('EMA: starts equal to G, then follows it with a ramped-up decay', async () => {
  const state = createGan(tiny({ ema: 0.5 }));
  const g0 = modelVariables(state.generator).map((v) => v.dataSync().slice());
  modelVariables(state.ema!).forEach((v, i) => assert.deepEqual(v.dataSync(), g0[i]));
  // As if 99 updates had passed: the ramp-up no longer caps a decay of 0.5 (half-life 1 step).
  state.gUpdates = 99;
  await trainIteration(state, realBatch);
  const decay = emaDecay(0.5, 100);
  assert.equal(decay, 0.5);
  // Right at the start the half-life is capped at 0.1 steps: decay 0.5^10, the average ≈ G.
  assert.ok(Math.abs(emaDecay(0.5, 1) - 0.5 ** 10) < 1e-12);
  // Later the configured decay rules: 0.999 is a half-life of 693 steps, reached after 6,930.
  assert.ok(emaDecay(0.999, 100) < 0.94);
  assert.ok(Math.abs(emaDecay(0.999, 10_000) - 0.999) < 1e-12);
  const g1 = modelVariables(state.generator).map((v) => v.dataSync());
  const ema = modelVariables(state.ema!).map((v) => v.dataSync());
  state.generator.weights.forEach((w, i) => {
    for (let j = 0; j < g1[i].length; j += 97) {
      const expected = w.trainable ? decay * g0[i][j] + (1 - decay) * g1[i][j] : g1[i][j];
      assert.ok(Math.abs(ema[i][j] - expected) < 1e-6, `weight ${i}[${j}]`);
    }
  });
  disposeGan(state);
});

test('replay: reservoir keeps a uniform sample; D batches mix in the requested fraction', async () => {
  const rng = new Rng(1);
  const buffer = new ReplayBuffer(50);
  for (let i = 0; i < 100; i++) {
    const batch = tf.fill([10, 1], i);
    buffer.add(batch, rng);
    batch.dispose();
  }
  assert.equal(buffer.size, 50);
  assert.throws(() => buffer.sample(1, rng), /settle\(\)/);
  await buffer.settle();
  const sample = buffer.sample(2000, rng);
  const values = Array.from(sample.dataSync());
  sample.dispose();
  // Uniform over batches 0..99: the mean is about 49.5, both halves are represented.
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(Math.abs(mean - 49.5) < 6, `mean ${mean}`);
  assert.ok(values.some((v) => v < 50) && values.some((v) => v >= 50));

  const state = createGan(tiny({ replay: 0.5 }));
  await trainIteration(state, realBatch);
  // First update: buffer empty, all 4 fresh. Later: round(0.5 · 4) = 2 fresh are added per update.
  assert.equal(state.replay!.size, 4);
  await trainIteration(state, realBatch);
  assert.equal(state.replay!.size, 6);
  disposeGan(state);
});

test('checkpoint round-trip is bit-identical', async () => {
  const state = createGan(tiny({ replay: 0.5, ema: 0.9 }));
  await trainIteration(state, realBatch);
  await trainIteration(state, realBatch);
  const checkpoint = await serializeGan(state);
  const bytes = encodeCheckpoint(checkpoint);
  const decoded = decodeCheckpoint(bytes);
  assert.deepEqual(decoded.json, checkpoint.json);
  assert.deepEqual(new Uint8Array(decoded.binary.buffer), new Uint8Array(checkpoint.binary.buffer));
  const restored = restoreGan(state.config, decoded);
  assertBitIdentical(weightsOf(restored), weightsOf(state));
  assert.equal(restored.step, 2);
  assert.equal(restored.rng.getState(), state.rng.getState());
  assert.equal(restored.optD.step, state.optD.step);
  assert.deepEqual(restored.replay!.getState(), state.replay!.getState());
  // Re-serialising the restored state gives the same bytes.
  assert.deepEqual(encodeCheckpoint(await serializeGan(restored)), bytes);
  assert.throws(() => restoreGan({ ...state.config, width: 8 }, decoded), /checkpoint was made for/);
  disposeGan(state);
  disposeGan(restored);
});

test('resume equivalence: 4 steps straight = 2 steps, checkpoint, restore, 2 more (bit-identical)', async () => {
  const config = tiny({ replay: 0.5, ema: 0.9 });
  const straight = createGan(config);
  for (let i = 0; i < 4; i++) await trainIteration(straight, realBatch);

  const first = createGan(config);
  for (let i = 0; i < 2; i++) await trainIteration(first, realBatch);
  const bytes = encodeCheckpoint(await serializeGan(first));
  disposeGan(first);
  const resumed = restoreGan(config, decodeCheckpoint(bytes));
  let last;
  for (let i = 0; i < 2; i++) last = await trainIteration(resumed, realBatch);
  assert.equal(last!.step, 4);
  assertBitIdentical(weightsOf(resumed), weightsOf(straight));
  disposeGan(straight);
  disposeGan(resumed);
});

test('a NaN loss stops with a clear error', async () => {
  const state = createGan(tiny());
  const poisoned: RealBatchSource = (n) => tf.fill([n, 32, 32, 3], NaN) as tf.Tensor4D;
  await assert.rejects(trainIteration(state, poisoned), (error: unknown) => {
    assert.ok(error instanceof NonFiniteLossError);
    assert.match(error.message, /diverged at step 1: dLoss = NaN/);
    return true;
  });
  disposeGan(state);
});

test('Adam follows the reference update (same as tf.train.adam up to epsilon)', async () => {
  const { Adam } = await import('./adam');
  const w = tf.variable(tf.tensor1d([1, -2, 3]));
  const w2 = tf.variable(tf.tensor1d([1, -2, 3]));
  const ours = new Adam([w], { lr: 0.1, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 });
  const reference = tf.train.adam(0.1, 0.5, 0.999, 1e-7);
  const loss = (v: tf.Variable) => tf.sum(tf.mul(tf.square(v), tf.tensor1d([1, 2, 3]))) as tf.Scalar;
  for (let i = 0; i < 5; i++) {
    const { grads } = tf.variableGrads(() => loss(w), [w]);
    ours.apply([grads[w.name]]);
    tf.dispose(grads);
    reference.minimize(() => loss(w2), false, [w2]);
  }
  const a = w.dataSync();
  const b = w2.dataSync();
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-5, `${x} vs ${b[i]}`));
  // First step of Adam moves every weight by lr against the gradient's sign.
  const first = tf.variable(tf.tensor1d([1, -2]));
  const single = new Adam([first], { lr: 0.1, beta1: 0.5, beta2: 0.999 });
  single.apply([tf.tensor1d([4, -0.5])]);
  const moved = first.dataSync();
  assert.ok(Math.abs(moved[0] - 0.9) < 1e-6 && Math.abs(moved[1] - -1.9) < 1e-6);
  ours.dispose();
  single.dispose();
  reference.dispose();
  tf.dispose([w, w2, first]);
});

test('reuseFakes (bench parity with the PyTorch loop) = a D update and a G update on the same z', async () => {
  const { ganLosses } = await import('./losses');
  const { samplePrior } = await import('./prior');
  const config = tiny({ k: 1 });
  const fixedReal = tf.randomUniform([4, 32, 32, 3], -1, 1, 'float32', 11) as tf.Tensor4D;
  const fused = createGan(config, { reuseFakes: true });
  const before = tf.memory().numTensors;
  const metrics = await trainIteration(fused, () => fixedReal.clone());
  assert.equal(tf.memory().numTensors, before);
  assert.equal(fused.dUpdates, 1);
  assert.equal(fused.gUpdates, 1);
  assert.ok(Number.isFinite(metrics.gLoss));

  // The same iteration written out by hand on an identical state.
  const manual = createGan(config);
  tf.tidy(() => {
    const z = samplePrior(config.prior, 4, config.latent, manual.rng.seed());
    const fake = manual.generator.apply(z, { training: true }) as tf.Tensor4D;
    const dVars = manual.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    const d = tf.variableGrads(
      () =>
        ganLosses.ns.discriminator(
          manual.discriminator.apply(fixedReal, { training: true }) as tf.Tensor,
          manual.discriminator.apply(fake, { training: true }) as tf.Tensor,
        ),
      dVars,
    );
    manual.optD.apply(dVars.map((v) => d.grads[v.name]));
    const gVars = manual.generator.trainableWeights.map((w) => w.read() as tf.Variable);
    const g = tf.variableGrads(
      () =>
        ganLosses.ns.generator(
          manual.discriminator.apply(manual.generator.apply(z, { training: true }) as tf.Tensor, { training: true }) as tf.Tensor,
        ),
      gVars,
    );
    manual.optG.apply(gVars.map((v) => g.grads[v.name]));
  });
  for (const [a, b] of [
    [fused.generator, manual.generator],
    [fused.discriminator, manual.discriminator],
  ] as const) {
    a.trainableWeights.forEach((w, i) => {
      const x = w.read().dataSync();
      const y = b.trainableWeights[i].read().dataSync();
      const diff = Math.max(...Array.from(x, (v, j) => Math.abs(v - y[j])));
      assert.ok(diff < 1e-6, `${w.name}: ${diff}`);
    });
  }
  fixedReal.dispose();
  disposeGan(fused);
  disposeGan(manual);
});

test("reuseFakes keeps the D update off the generator's gradient tape (no clones saved for it)", async () => {
  // Every op recorded on a tape clones the tensors its gradient needs (an Identity kernel each). A D
  // update recorded inside G's tape would clone its whole forward and backward pass and Adam's
  // temporaries, and hold them until G's backward pass: far more clones than D and G taped apart.
  const config = tiny({ k: 1 });
  const fixedReal = tf.randomUniform([4, 32, 32, 3], -1, 1, 'float32', 11) as tf.Tensor4D;
  const clones = async (reuseFakes: boolean) => {
    const state = createGan(config, { reuseFakes });
    await trainIteration(state, () => fixedReal.clone());
    const info = await tf.profile(() => trainIteration(state, () => fixedReal.clone()));
    disposeGan(state);
    return info.kernels.filter((k) => k.name === 'Identity').length;
  };
  const separate = await clones(false);
  const fused = await clones(true);
  assert.ok(separate > 0);
  // Fused saves one generator forward pass, so at most as many clones as D and G apart.
  assert.ok(fused <= separate, `reuseFakes cloned ${fused} tensors, separate updates ${separate}`);
  fixedReal.dispose();
});
