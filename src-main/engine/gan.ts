import * as tf from '@tensorflow/tfjs';
import { adaOperations, initialAda, observeRt, usesAugmentation, type AdaState } from './ada';
import { Adam } from './adam';
import type { StepMetrics } from '../shared/contract';
import type { AugmentName, RunConfig } from '../shared/schema';
import { ganLosses, jsdFromValue, valueEstimate } from './losses';
import { defaultReplayCapacity } from './memory';
import { buildDiscriminator, buildDiscriminatorAux, buildGenerator } from './models';
import type { DiscriminatorAux } from './models-lite';
import { augmentBatch } from './augment';
import { samplePrior } from './prior';
import { r1Penalty } from './r1';
import { ReplayBuffer } from './replay';
import { Rng } from './rng';
import { powerIterateAll } from './spectral-norm';

/**
 * augment.ts's augmentBatch: differentiable, deterministic per seed; `p` (adaptive augmentation):
 * the probability that each operation applies to each image, 1 when absent.
 */
export type Augmenter = (batch: tf.Tensor4D, names: AugmentName[], seed: number, p?: number) => tf.Tensor4D;

/** Returns n real images in [-1, 1], drawing any randomness from rng so a checkpoint can replay it. */
export type RealBatchSource = (n: number, rng: Rng) => tf.Tensor4D;

/** What one iteration measures: StepMetrics without the wall-clock fields the session adds. */
export type IterationMetrics = Omit<StepMetrics, 'imgPerSec' | 'time'>;

export interface GanOptions {
  /** Used when config.augment is not empty or adaptive augmentation (config.ada) is on; DiffAugment's augmentBatch by default. */
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
  readonly generator: tf.LayersModel;
  /** Images → one logit each. */
  readonly discriminator: tf.LayersModel;
  /** The architecture's extra term in D's loss on real images (lite: reconstruction), trained with D. */
  readonly dAux: DiscriminatorAux | null;
  /** Exponential moving average of the generator's weights, when config.ema > 0. */
  readonly ema: tf.LayersModel | null;
  readonly optG: Adam;
  readonly optD: Adam;
  replay: ReplayBuffer | null;
  readonly rng: Rng;
  /** Completed iterations (generator updates): the run's step number. */
  step: number;
  dUpdates: number;
  gUpdates: number;
  /** Adaptive augmentation's p and r_t accumulator (ada.ts); p stays 0 while config.ada is 0. */
  ada: AdaState;
  readonly options: GanOptions;
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** What D's optimiser updates: the discriminator's trainable weights, then its auxiliary head's. */
function discriminatorTrainables(discriminator: tf.LayersModel, dAux: DiscriminatorAux | null): tf.Variable[] {
  return [...trainableVariables(discriminator), ...(dAux ? trainableVariables(dAux.head) : [])];
}

/** All weights of a model in a fixed order, batch-norm statistics included. */
export function modelVariables(model: tf.LayersModel): tf.Variable[] {
  return model.weights.map((w) => w.read() as tf.Variable);
}

/** Builds fresh networks and optimisers from the run's seed: the same config gives the same state. */
export function createGan(config: RunConfig, options: GanOptions = {}): GanState {
  // DiffAugment unless a test injects its own: every caller (train, bench, the estimate, fixtures) gets a GAN
  // that works with any config, adaptive augmentation being on by default.
  options = { ...options, augment: options.augment ?? augmentBatch };
  const rng = new Rng(config.seed);
  // The networks' initial weights come from their own streams so that adding a network or an
  // option never changes the training stream's draws.
  const generator = buildGenerator(config, new Rng(config.seed ^ 0x9e3779b9));
  const discriminator = buildDiscriminator(config, new Rng(config.seed ^ 0x85ebca6b));
  const dAux = buildDiscriminatorAux(config, discriminator, new Rng(config.seed ^ 0xc2b2ae35));
  let ema: tf.LayersModel | null = null;
  if (config.ema > 0) {
    ema = buildGenerator(config, new Rng(config.seed ^ 0x9e3779b9));
    copyWeights(generator, ema);
  }
  const optG = new Adam(trainableVariables(generator), { lr: config.lrG, beta1: config.beta1, beta2: config.beta2 });
  const optD = new Adam(discriminatorTrainables(discriminator, dAux), { lr: config.lrD, beta1: config.beta1, beta2: config.beta2 });
  const replay = config.replay > 0 ? new ReplayBuffer(options.replayCapacity ?? defaultReplayCapacity(config)) : null;
  return { config, generator, discriminator, dAux, ema, optG, optD, replay, rng, step: 0, dUpdates: 0, gUpdates: 0, ada: initialAda(), options };
}

export function disposeGan(state: GanState): void {
  state.generator.dispose();
  state.discriminator.dispose();
  state.dAux?.dispose();
  state.ema?.dispose();
  state.optG.dispose();
  state.optD.dispose();
}

function copyWeights(from: tf.LayersModel, to: tf.LayersModel): void {
  const source = modelVariables(from);
  modelVariables(to).forEach((v, i) => v.assign(source[i]));
}

/**
 * D's view of a batch: augmented when the run augments (always-on, or adaptive with probability p).
 * Draws one seed from the training stream whenever augmentation is configured, whatever p is.
 */
function augmentIf(state: GanState, batch: tf.Tensor4D): tf.Tensor4D {
  const { config } = state;
  if (!usesAugmentation(config)) return batch;
  const seed = state.rng.seed();
  if (config.ada > 0) return state.ada.p > 0 ? state.options.augment!(batch, adaOperations(config), seed, state.ada.p) : batch;
  return state.options.augment!(batch, config.augment, seed);
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
 * so the caller syncs once; rt = mean sign of the real logits (StyleGAN2-ADA's r_t). dLoss is the GAN
 * loss alone: the R1 penalty (r1.ts, on every config.r1Every-th update) joins the loss minimised but not
 * the logged value. With spectral norm, one power iteration runs first (spectral-norm.ts).
 */
function discriminatorStep(state: GanState, real: tf.Tensor4D, fresh: tf.Tensor4D): tf.Tensor1D {
  const { config, discriminator, rng } = state;
  const loss = ganLosses[config.loss];
  const replayCount = config.batch - fresh.shape[0];
  const replayed = replayCount > 0 ? (state.replay!.sample(replayCount, rng) as tf.Tensor4D) : null;
  if (state.replay && fresh.shape[0] > 0) state.replay.add(fresh, rng);
  const dVars = discriminatorTrainables(discriminator, state.dAux);
  const r1Weight = config.r1 > 0 && state.dUpdates % config.r1Every === 0 ? config.r1 * config.r1Every : 0;
  if (config.spectralNorm) powerIterateAll(discriminator);
  const stats = tf.tidy(() => {
    const fake = replayed ? tf.concat([fresh, replayed], 0) : fresh;
    const realIn = augmentIf(state, real);
    const fakeIn = augmentIf(state, fake);
    let kept: tf.Tensor1D | null = null;
    let auxLoss: tf.Scalar | null = null;
    const { grads } = tf.variableGrads(() => {
      const applyD = (x: tf.Tensor4D) => discriminator.apply(x, { training: true }) as tf.Tensor;
      // With an auxiliary term (lite's decoder), D's pass on the real images also gives the term: one
      // forward pass, inside R1's gradient when R1 is on (the outer tape records it there too).
      // Kept: R1's gradient scope would dispose it on the way out; disposed below, after the update.
      const applyReal = state.dAux
        ? (x: tf.Tensor4D) => {
            const pass = state.dAux!.realPass(x, true);
            auxLoss = tf.keep(pass.loss);
            return pass.logits;
          }
        : applyD;
      const { logits: realLogits, penalty } = r1Weight > 0 ? r1Penalty(applyReal, realIn, r1Weight) : { logits: applyReal(realIn), penalty: null };
      const fakeLogits = applyD(fakeIn);
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
      // dLoss stays the GAN loss in the metrics (D(x), V and the detectors read it); D minimises it with
      // the auxiliary term and the R1 penalty.
      let minimised: tf.Scalar = dLoss;
      if (auxLoss) minimised = tf.add(minimised, auxLoss) as tf.Scalar;
      if (penalty) minimised = tf.add(minimised, penalty) as tf.Scalar;
      return minimised;
    }, dVars);
    (auxLoss as tf.Scalar | null)?.dispose();
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
 * Runs fn with the enclosing gradient tape paused: its operations are not recorded, so nothing is
 * saved for a backward pass that will never reach them. Without it, a whole discriminator update
 * inside the generator's tape (fusedUpdate) was recorded as for a second-order gradient: every
 * tensor its forward and backward passes and Adam touched was cloned and held until the
 * generator's backward pass, and that pass walked the longer tape. The tape's x → y filter left
 * those nodes out of the gradient anyway, so the values are the same. tfjs has no public pause;
 * this saves and restores the engine's tape state (gradientDepth, activeTape), which a nested
 * tf.variableGrads inside fn sets up and clears as at top level.
 */
function offTape<T>(fn: () => T): T {
  const engine = tf.engine().state;
  const depth = engine.gradientDepth;
  const tape = engine.activeTape;
  engine.gradientDepth = 0;
  try {
    return fn();
  } finally {
    engine.gradientDepth = depth;
    engine.activeTape = tape;
  }
}

/**
 * The last discriminator update and the generator update on the same z and one generator forward
 * pass, as the PyTorch reference DCGAN loop does (fake.detach() for D, then D(fake) for G). The D
 * update runs inside the generator's gradient tape with the tape paused (offTape): its operations
 * do not lead to the generator loss (D's weights change by assignment).
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
      dStats = offTape(() => discriminatorStep(state, real, fake));
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
  // Every D update's statistics, read in one go: adaptive augmentation needs each update's r_t.
  const dStats: tf.Tensor1D[] = [];
  const separate = state.options.reuseFakes ? state.config.k - 1 : state.config.k;
  for (let i = 0; i < separate; i++) {
    dStats.push(discriminatorUpdate(state, realBatch));
    if (state.replay) await state.replay.settle();
  }
  let gLoss: tf.Scalar;
  if (state.options.reuseFakes) {
    const fused = fusedUpdate(state, realBatch);
    dStats.push(fused.dStats);
    gLoss = fused.gLoss;
  } else {
    gLoss = generatorUpdate(state);
  }
  if (state.replay) await state.replay.settle();
  const joined = tf.concat(dStats);
  const all = await joined.data();
  const width = dStats[0].shape[0];
  const [dLoss, dReal, dFake, v, rt] = Array.from(all.subarray(all.length - width));
  const g = (await gLoss.data())[0];
  tf.dispose([joined, ...dStats, gLoss]);
  state.step++;
  const { config } = state;
  observeRt(state.ada, Array.from({ length: dStats.length }, (_, i) => all[i * width + 4]), config);
  const metrics: IterationMetrics = { step: state.step, dLoss, gLoss: g, dReal, dFake, v, jsd: jsdFromValue(v), rt };
  if (config.ada > 0) metrics.augmentP = state.ada.p;
  if (!Number.isFinite(dLoss) || !Number.isFinite(g)) throw new NonFiniteLossError(state.step, metrics);
  return metrics;
}

/**
 * Which weights of the networks hold NaN or ±Infinity, as "D batch-norm statistics
 * (…/moving_variance)"-style names; empty when all are finite. Batch-norm running statistics do
 * not enter the training losses, so a finite loss does not vouch for them. One reduction per
 * variable on the device and a single read back: cheap enough for every sample or checkpoint step.
 */
export async function nonFiniteWeights(state: Pick<GanState, 'generator' | 'discriminator' | 'dAux' | 'ema'>): Promise<string[]> {
  const groups: Array<[string, tf.LayersModel]> = [['G', state.generator], ['D', state.discriminator]];
  if (state.dAux) groups.push(['D', state.dAux.head]);
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
export function samplingGenerator(state: Pick<GanState, 'generator' | 'ema'>): tf.LayersModel {
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
