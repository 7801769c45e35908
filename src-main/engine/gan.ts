import * as tf from '@tensorflow/tfjs';
import { Adam } from './adam';
import type { StepMetrics } from '../shared/contract';
import type { AugmentName, RunConfig } from '../shared/schema';
import { ganLosses, jsdFromValue, valueEstimate } from './losses';
import { defaultReplayCapacity } from './memory';
import { buildDiscriminator, buildGenerator } from './models';
import { samplePrior } from './prior';
import { ReplayBuffer } from './replay';
import { Rng } from './rng';

/** The dataset issue's augmentBatch: differentiable, deterministic per seed. */
export type Augmenter = (batch: tf.Tensor4D, names: AugmentName[], seed: number) => tf.Tensor4D;

/** Returns n real images in [-1, 1], drawing any randomness from rng so a checkpoint can replay it. */
export type RealBatchSource = (n: number, rng: Rng) => tf.Tensor4D;

/** What one iteration measures: StepMetrics without the wall-clock fields the session adds. */
export type IterationMetrics = Omit<StepMetrics, 'imgPerSec' | 'time'>;

export interface GanOptions {
  /** Needed when config.augment is not empty. */
  augment?: Augmenter;
  /** Replay buffer capacity in images; by default as many as fit in about 32 MiB (at least 8 batches). */
  replayCapacity?: number;
  /**
   * The generator update reuses the z and the forward pass of the last discriminator update, as the
   * PyTorch reference loop does, instead of new z (THEORY.md §4 step 3). Saves one generator
   * forward pass per iteration; for `bench` against torch_dcgan.py. Not recorded in checkpoints:
   * a run must keep the same setting when it resumes.
   */
  reuseFakes?: boolean;
}

/** A numerical blow-up: the session stops and keeps the last good checkpoint. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly metrics: IterationMetrics,
  ) {
    const bad = (['dLoss', 'gLoss'] as const).filter((k) => !Number.isFinite(metrics[k]));
    super(
      `training diverged at step ${step}: ${bad.map((k) => `${k} = ${metrics[k]}`).join(', ')}. ` +
        'Resume from the last good checkpoint with lower learning rates (train --resume --lr-d … --lr-g …).',
    );
    this.name = 'NonFiniteLossError';
  }
}

/** Everything that evolves during training; a checkpoint captures all of it. */
export interface GanState {
  readonly config: RunConfig;
  readonly generator: tf.Sequential;
  readonly discriminator: tf.Sequential;
  /** Exponential moving average of the generator's weights, when config.ema > 0. */
  readonly ema: tf.Sequential | null;
  readonly optG: Adam;
  readonly optD: Adam;
  replay: ReplayBuffer | null;
  readonly rng: Rng;
  /** Completed iterations (generator updates): the run's step number. */
  step: number;
  dUpdates: number;
  gUpdates: number;
  readonly options: GanOptions;
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** All weights of a model in a fixed order, batch-norm statistics included. */
export function modelVariables(model: tf.LayersModel): tf.Variable[] {
  return model.weights.map((w) => w.read() as tf.Variable);
}

/** Builds fresh networks and optimisers from the run's seed: the same config gives the same state. */
export function createGan(config: RunConfig, options: GanOptions = {}): GanState {
  if (config.augment.length > 0 && !options.augment) {
    throw new Error('config.augment is set but no augment function was given to createGan');
  }
  const rng = new Rng(config.seed);
  // The networks' initial weights come from their own streams so that adding a network or an
  // option never changes the training stream's draws.
  const generator = buildGenerator(config, new Rng(config.seed ^ 0x9e3779b9));
  const discriminator = buildDiscriminator(config, new Rng(config.seed ^ 0x85ebca6b));
  let ema: tf.Sequential | null = null;
  if (config.ema > 0) {
    ema = buildGenerator(config, new Rng(config.seed ^ 0x9e3779b9));
    copyWeights(generator, ema);
  }
  const optG = new Adam(trainableVariables(generator), { lr: config.lrG, beta1: config.beta1, beta2: config.beta2 });
  const optD = new Adam(trainableVariables(discriminator), { lr: config.lrD, beta1: config.beta1, beta2: config.beta2 });
  const replay = config.replay > 0 ? new ReplayBuffer(options.replayCapacity ?? defaultReplayCapacity(config)) : null;
  return { config, generator, discriminator, ema, optG, optD, replay, rng, step: 0, dUpdates: 0, gUpdates: 0, options };
}

export function disposeGan(state: GanState): void {
  state.generator.dispose();
  state.discriminator.dispose();
  state.ema?.dispose();
  state.optG.dispose();
  state.optD.dispose();
}

function copyWeights(from: tf.LayersModel, to: tf.LayersModel): void {
  const source = modelVariables(from);
  modelVariables(to).forEach((v, i) => v.assign(source[i]));
}

function augmentIf(state: GanState, batch: tf.Tensor4D): tf.Tensor4D {
  const { augment } = state.config;
  if (augment.length === 0) return batch;
  return state.options.augment!(batch, augment, state.rng.seed());
}

/** Shape check on what the data pipeline hands over: a wrong size fails here, not deep in a conv. */
function checkReal(state: GanState, real: tf.Tensor4D, n: number): void {
  const { size } = state.config;
  const [b, h, w, c] = real.shape;
  if (b !== n || h !== size || w !== size || c !== 3) {
    throw new Error(`real batch has shape [${real.shape.join(', ')}], expected [${n}, ${size}, ${size}, 3]`);
  }
}

function drawReal(state: GanState, realBatch: RealBatchSource): tf.Tensor4D {
  const real = realBatch(state.config.batch, state.rng);
  checkReal(state, real, state.config.batch);
  return real;
}

/**
 * How many of the m generated images for D are new; the rest come from the replay buffer. At least
 * one is new: the buffer must keep receiving the current generator's images, and batch norm on an
 * empty batch would poison the generator's running statistics with NaN.
 */
function freshCount(state: GanState): number {
  const m = state.config.batch;
  return m - (state.replay && state.replay.size > 0 ? Math.min(m - 1, Math.round(state.config.replay * m)) : 0);
}

/**
 * One discriminator update on m real and m generated images, the same number of each (THEORY.md
 * §3). `fresh` are this generator's images; a fraction config.replay of the m comes from earlier
 * generators (§5). Disposes neither input. Returns [dLoss, dReal, dFake, v, rt] as one kept tensor,
 * so the caller syncs once; rt = mean sign of the real logits (StyleGAN2-ADA's r_t).
 */
function discriminatorStep(state: GanState, real: tf.Tensor4D, fresh: tf.Tensor4D): tf.Tensor1D {
  const { config, discriminator, rng } = state;
  const loss = ganLosses[config.loss];
  const replayCount = config.batch - fresh.shape[0];
  const replayed = replayCount > 0 ? (state.replay!.sample(replayCount, rng) as tf.Tensor4D) : null;
  if (state.replay && fresh.shape[0] > 0) state.replay.add(fresh, rng);
  const dVars = trainableVariables(discriminator);
  const stats = tf.tidy(() => {
    const fake = replayed ? tf.concat([fresh, replayed], 0) : fresh;
    const realIn = augmentIf(state, real);
    const fakeIn = augmentIf(state, fake);
    let kept: tf.Tensor1D | null = null;
    const { grads } = tf.variableGrads(() => {
      const realLogits = discriminator.apply(realIn, { training: true }) as tf.Tensor;
      const fakeLogits = discriminator.apply(fakeIn, { training: true }) as tf.Tensor;
      const dLoss = loss.discriminator(realLogits, fakeLogits);
      kept = tf.keep(
        tf.stack([
          dLoss,
          tf.mean(tf.sigmoid(realLogits)),
          tf.mean(tf.sigmoid(fakeLogits)),
          valueEstimate(realLogits, fakeLogits),
          tf.mean(tf.sign(realLogits)),
        ]) as tf.Tensor1D,
      );
      return dLoss;
    }, dVars);
    state.optD.apply(dVars.map((v) => grads[v.name]));
    return kept!;
  });
  replayed?.dispose();
  state.dUpdates++;
  return stats;
}

/** One discriminator update on fresh real images and images of fresh z (THEORY.md §4, step 2). */
function discriminatorUpdate(state: GanState, realBatch: RealBatchSource): tf.Tensor1D {
  const { config, generator, rng } = state;
  const real = drawReal(state, realBatch);
  const zSeed = rng.seed();
  const fresh = tf.tidy(
    () => generator.apply(samplePrior(config.prior, freshCount(state), config.latent, zSeed), { training: true }) as tf.Tensor4D,
  );
  const stats = discriminatorStep(state, real, fresh);
  real.dispose();
  fresh.dispose();
  return stats;
}

/** One generator update on m new prior samples (THEORY.md §4, step 3). Returns gLoss. */
function generatorUpdate(state: GanState): tf.Scalar {
  const { config, generator, discriminator, rng } = state;
  const loss = ganLosses[config.loss];
  const zSeed = rng.seed();
  const gVars = trainableVariables(generator);
  const gLoss = tf.tidy(() => {
    const z = samplePrior(config.prior, config.batch, config.latent, zSeed);
    const { value, grads } = tf.variableGrads(() => {
      const fake = generator.apply(z, { training: true }) as tf.Tensor4D;
      const logits = discriminator.apply(augmentIf(state, fake), { training: true }) as tf.Tensor;
      return loss.generator(logits);
    }, gVars);
    state.optG.apply(gVars.map((v) => grads[v.name]));
    return value;
  });
  state.gUpdates++;
  if (state.ema) updateEma(state);
  return gLoss;
}

/**
 * The last discriminator update and the generator update on the same z and one generator forward
 * pass, as the PyTorch reference DCGAN loop does (fake.detach() for D, then D(fake) for G). The D
 * update runs inside the generator's gradient tape; its operations do not lead to the generator
 * loss (D's weights change by assignment), so the tape's x → y filter leaves them out.
 */
function fusedUpdate(state: GanState, realBatch: RealBatchSource): { dStats: tf.Tensor1D; gLoss: tf.Scalar } {
  const { config, generator, discriminator, rng } = state;
  const loss = ganLosses[config.loss];
  const real = drawReal(state, realBatch);
  const zSeed = rng.seed();
  const count = freshCount(state);
  const gVars = trainableVariables(generator);
  let dStats: tf.Tensor1D | null = null;
  const gLoss = tf.tidy(() => {
    const z = samplePrior(config.prior, count, config.latent, zSeed);
    const { value, grads } = tf.variableGrads(() => {
      const fake = generator.apply(z, { training: true }) as tf.Tensor4D;
      dStats = discriminatorStep(state, real, fake);
      const logits = discriminator.apply(augmentIf(state, fake), { training: true }) as tf.Tensor;
      return loss.generator(logits);
    }, gVars);
    state.optG.apply(gVars.map((v) => grads[v.name]));
    return value;
  });
  real.dispose();
  state.gUpdates++;
  if (state.ema) updateEma(state);
  return { dStats: dStats!, gLoss };
}

/**
 * The EMA decay after `updates` generator updates. The configured decay sets a half-life in steps;
 * early on the half-life is capped at a tenth of the steps done (StyleGAN2-ADA's EMA ramp-up), so
 * the average never mixes the fast-changing generators of the first thousand steps.
 */
export function emaDecay(decay: number, updates: number): number {
  if (decay <= 0) return 0;
  const halfLife = Math.min(Math.log(0.5) / Math.log(decay), 0.1 * updates);
  return halfLife <= 0 ? 0 : 0.5 ** (1 / halfLife);
}

/** EMA of the generator's trainable weights; batch-norm statistics are copied. */
function updateEma(state: GanState): void {
  const decay = emaDecay(state.config.ema, state.gUpdates);
  const weights = state.generator.weights;
  const target = modelVariables(state.ema!);
  tf.tidy(() => {
    weights.forEach((w, i) => {
      const value = w.read();
      target[i].assign(w.trainable ? tf.add(tf.mul(target[i], decay), tf.mul(value, 1 - decay)) : value);
    });
  });
}

/**
 * One training iteration: k discriminator updates, each on fresh real and generated images, then
 * one generator update. This is what `bench` times. Each batch realBatch returns is disposed here
 * (hand out a clone to reuse fixed data). Reads back once for the metrics (and after each D update
 * that fed the replay buffer), always with `await data()`: the WebGPU backend cannot read
 * synchronously. Do not run two at once on one state. Rejects with NonFiniteLossError on a NaN/Inf
 * loss; the state then holds the bad update, so drop it.
 */
export async function trainIteration(state: GanState, realBatch: RealBatchSource): Promise<IterationMetrics> {
  let dStats: tf.Tensor1D | null = null;
  const separate = state.options.reuseFakes ? state.config.k - 1 : state.config.k;
  for (let i = 0; i < separate; i++) {
    dStats?.dispose();
    dStats = discriminatorUpdate(state, realBatch);
    if (state.replay) await state.replay.settle();
  }
  let gLoss: tf.Scalar;
  if (state.options.reuseFakes) {
    dStats?.dispose();
    ({ dStats, gLoss } = fusedUpdate(state, realBatch));
  } else {
    gLoss = generatorUpdate(state);
  }
  if (state.replay) await state.replay.settle();
  const [dLoss, dReal, dFake, v, rt] = Array.from(await dStats!.data());
  const g = (await gLoss.data())[0];
  tf.dispose([dStats!, gLoss]);
  state.step++;
  const metrics: IterationMetrics = { step: state.step, dLoss, gLoss: g, dReal, dFake, v, jsd: jsdFromValue(v), rt };
  if (!Number.isFinite(dLoss) || !Number.isFinite(g)) throw new NonFiniteLossError(state.step, metrics);
  return metrics;
}

/**
 * Which weights of the networks hold NaN or ±Infinity, as "D batch-norm statistics
 * (…/moving_variance)"-style names; empty when all are finite. Batch-norm running statistics do
 * not enter the training losses, so a finite loss does not vouch for them. One reduction per
 * variable on the device and a single read back: cheap enough for every sample or checkpoint step.
 */
export async function nonFiniteWeights(state: Pick<GanState, 'generator' | 'discriminator' | 'ema'>): Promise<string[]> {
  const groups: Array<[string, tf.LayersModel]> = [['G', state.generator], ['D', state.discriminator]];
  if (state.ema) groups.push(['EMA', state.ema]);
  const entries = groups.flatMap(([label, model]) => model.weights.map((w) => ({ label, name: w.name, value: w.read() })));
  // A sum is NaN or infinite when any term is (or when finite terms overflow float32: diverged anyway).
  const stacked = tf.tidy(() => tf.stack(entries.map((e) => tf.sum(e.value))));
  const sums = await stacked.data();
  stacked.dispose();
  return entries
    .filter((_, i) => !Number.isFinite(sums[i]))
    .map(({ label, name }) => `${label} ${/moving_(mean|variance)/.test(name) ? 'batch-norm statistics' : 'weights'} (${name})`);
}

/** The generator used for samples and export: the EMA copy when there is one. */
export function samplingGenerator(state: Pick<GanState, 'generator' | 'ema'>): tf.Sequential {
  return state.ema ?? state.generator;
}

/** Images in [-1, 1] for given z, with batch norm in inference mode (no side effects on the state). */
export function generateImages(generator: tf.LayersModel, z: tf.Tensor2D, chunk = 64): tf.Tensor4D {
  return tf.tidy(() => {
    const parts: tf.Tensor4D[] = [];
    for (let i = 0; i < z.shape[0]; i += chunk) {
      const slice = z.slice([i, 0], [Math.min(chunk, z.shape[0] - i), z.shape[1]]);
      parts.push(generator.apply(slice, { training: false }) as tf.Tensor4D);
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  });
}

/** The discriminator's logits for images in [-1, 1], inference mode: D as a scorer (THEORY.md §5). */
export async function scoreImages(discriminator: tf.LayersModel, images: tf.Tensor4D, chunk = 64): Promise<Float32Array> {
  const out = new Float32Array(images.shape[0]);
  for (let i = 0; i < images.shape[0]; i += chunk) {
    const n = Math.min(chunk, images.shape[0] - i);
    const logits = tf.tidy(() => {
      const slice = images.slice([i, 0, 0, 0], [n, -1, -1, -1]);
      return (discriminator.apply(slice, { training: false }) as tf.Tensor).reshape([n]);
    });
    out.set(await logits.data(), i);
    logits.dispose();
  }
  return out;
}

/** Converts images in [-1, 1] to uint8 RGB, NHWC (read back with `await data()`). */
export async function toUint8(images: tf.Tensor4D): Promise<Uint8Array> {
  const scaled = tf.tidy(() => tf.clipByValue(tf.round(tf.mul(tf.add(images, 1), 127.5)), 0, 255));
  const out = Uint8Array.from(await scaled.data());
  scaled.dispose();
  return out;
}
