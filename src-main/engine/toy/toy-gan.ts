import * as tf from '@tensorflow/tfjs';
import type { Prior } from '../../shared/schema';
import { ganLosses, jsdFromValue, valueEstimate, type GeneratorLossName } from '../losses';
import { samplePrior } from '../prior';
import { ReplayBuffer } from '../replay';
import { Rng } from '../rng';
import type { Bounds, ToyDistribution } from './distributions';
import { kde1d, linspace } from './kde';
import { discriminatorGap, histogramJsd, meanAndStd, modeMetrics, optimalDiscriminator, type ModeMetrics } from './metrics';
import { Mlp, type Activation } from './mlp';

export type ToyOptimizer = 'adam' | 'sgd';

/** Every knob of the playground (issue 6), the same ones the image trainer offers where they overlap. */
export interface ToyGanConfig {
  noiseDim: number;
  generatorDepth: number;
  generatorWidth: number;
  discriminatorDepth: number;
  discriminatorWidth: number;
  activation: Activation;
  prior: Prior;
  loss: GeneratorLossName;
  /** Discriminator steps per iteration (THEORY.md §4: k ≥ 1). */
  k: number;
  /** Generator steps per iteration. */
  generatorSteps: number;
  optimizer: ToyOptimizer;
  lrD: number;
  lrG: number;
  /** Adam's β1 and β2 (ignored by sgd). */
  beta1: number;
  beta2: number;
  /** Real samples per D step; D also sees as many generated ones (THEORY.md §3). */
  batch: number;
  /** Fraction (0..1) of D's generated batch drawn from earlier generators (THEORY.md §5); 0 = off. */
  replay: number;
  replayCapacity: number;
  /**
   * PacGAN packing (Lin et al. 2018): D judges m samples at once, all real or all generated, so a
   * generator that drops modes is easier to tell apart. 1 = the plain GAN; batch must divide by it.
   */
  pack: number;
  /**
   * Instance noise (Sønderby et al. 2016): standard deviation of Gaussian noise added to every input
   * of D, real and generated, in units of the distribution's scale. It blurs D into a smooth density
   * ratio whose gradient reaches modes the generator has not found yet; 0 = off. The CLI anneals it
   * to 0 over the run (setInstanceNoise), so the final D and the metrics see the exact samples.
   */
  instanceNoise: number;
  /**
   * Decay of an exponential moving average of G's weights (0 = off). The read-outs (samples,
   * manifold, metrics) then come from the average, which sits still where the trained G orbits.
   */
  ema: number;
  seed: number;
}

/**
 * The CLI's defaults (with trainToy's schedule over 6,000 iterations), tuned on ring8 and grid25 on
 * 2 CPU cores. What decided them, measured: without instance noise grid25 kept 12–19 of 25 modes at
 * any batch and learning rate tried; with it all 25 are found, and batch 512 keeps them while the
 * noise fades; the learning-rate decay is what lifts HQ (20–50% → 75–95%). The playground starts from
 * them too; without a fixed run length it has no schedule, so it keeps the noise unless the user
 * turns it down (setInstanceNoise) — the noisy game has the same optimum, P_G = P_data.
 */
export const DEFAULT_TOY_CONFIG: ToyGanConfig = {
  noiseDim: 2,
  generatorDepth: 3,
  generatorWidth: 128,
  discriminatorDepth: 3,
  discriminatorWidth: 128,
  activation: 'relu',
  prior: 'normal',
  loss: 'ns',
  k: 1,
  generatorSteps: 1,
  optimizer: 'adam',
  lrD: 2e-3,
  lrG: 2e-3,
  beta1: 0.5,
  beta2: 0.999,
  batch: 512,
  replay: 0,
  replayCapacity: 10_000,
  pack: 1,
  instanceNoise: 0.1,
  ema: 0,
  seed: 0,
};

export interface StepResult {
  dLoss: number;
  gLoss: number;
  /** Minibatch estimate of V(G, D) from the last D step (before its update). */
  value: number;
  /** (V + 2 log 2) / 2 clamped to [0, log 2]: a lower bound on JSD(P_data || P_G) in nats. */
  jsdEstimate: number;
}

/** D over a regular grid: values[row * resolution + column], row 0 at bounds.min[1] (1-D: one row). */
export interface DiscriminatorGrid {
  resolution: number;
  bounds: Bounds;
  values: Float32Array;
}

export interface GeneratorArrows {
  /** Generated points, flattened n × dim. */
  points: Float32Array;
  /** −∂L_G/∂x at each point: where the generator's loss pushes that sample. */
  directions: Float32Array;
}

/** G applied to a resolution × resolution grid in the first two noise dimensions (others 0). */
export interface Manifold {
  resolution: number;
  /** The z range of both axes. */
  zRange: [number, number];
  /** points[(row * resolution + column) * dim + d]; neighbours in the grid are neighbours in z. */
  points: Float32Array;
}

export interface ToyEvaluation {
  /** Generated samples the metrics used, flattened n × dim. */
  generated: Float32Array;
  /** REFERENCE.md mode metrics, where the distribution has modes. */
  modes?: ModeMetrics;
  /** JSD between histograms of real and generated samples, nats. */
  histogramJsd: number;
  /**
   * V(G, D) over the evaluation samples, and its JSD lower bound. With packing these are about the
   * packed distributions: JSD(P_data^m || P_G^m), which is at least JSD(P_data || P_G).
   */
  value: number;
  jsdEstimate: number;
  /** Standard deviation of D(x) over real samples: 0 for Goodfellow's flat D*, large for a landscape. */
  dFlatness: number;
  /** Mean D(x) on real and on generated samples. */
  dReal: number;
  dFake: number;
}

export interface Curves1d {
  xs: Float64Array;
  /** Exact density where the distribution has one, otherwise a KDE of real samples. */
  pData: Float64Array;
  /** KDE (Silverman bandwidth) of generated samples. */
  pGenerated: Float64Array;
  d: Float64Array;
  /** p_data / (p_data + p_G): what D would be if it were optimal for the current G. */
  dStar: Float64Array;
  /** Mean |D − D*| weighted by p_data + p_G (metrics.discriminatorGap). */
  gapToOptimal: number;
}

function validate(config: ToyGanConfig): void {
  const positiveInteger = ['noiseDim', 'generatorWidth', 'discriminatorWidth', 'k', 'generatorSteps', 'batch', 'replayCapacity', 'pack'] as const;
  for (const key of positiveInteger) {
    if (!(Number.isInteger(config[key]) && config[key] >= 1)) throw new Error(`${key} must be a positive integer`);
  }
  for (const key of ['generatorDepth', 'discriminatorDepth'] as const) {
    if (!(Number.isInteger(config[key]) && config[key] >= 0)) throw new Error(`${key} must be a non-negative integer`);
  }
  if (!(config.replay >= 0 && config.replay <= 1)) throw new Error('replay must be between 0 and 1');
  if (!(config.ema >= 0 && config.ema < 1)) throw new Error('ema must be in [0, 1)');
  if (!(config.lrD > 0 && config.lrG > 0)) throw new Error('learning rates must be positive');
  if (config.batch % config.pack !== 0) throw new Error(`batch (${config.batch}) must be a multiple of pack (${config.pack})`);
}

/**
 * A GAN on a 1-D or 2-D toy distribution with a step API the playground drives (one D step, one G
 * step, or a whole iteration) and the read-outs it draws. Everything synchronous: the networks are
 * tiny, and the renderer calls it between animation frames.
 */
export class ToyGan {
  /** tfjs variable names are global: each GAN gets its own prefix, so several can live side by side. */
  private static instances = 0;
  readonly config: ToyGanConfig;
  readonly dim: 1 | 2;
  private readonly generator: Mlp;
  private readonly discriminator: Mlp;
  private readonly optimizerD: tf.Optimizer;
  private readonly optimizerG: tf.Optimizer;
  private readonly rng: Rng;
  /** A separate stream, so looking at the model never changes how it trains. */
  private readonly evalRng: Rng;
  private readonly replayBuffer: ReplayBuffer;
  private readonly scale: number;
  private lastDLoss = NaN;
  private lastGLoss = NaN;
  private lastValue = NaN;
  private instanceNoise: number;
  /** Moving averages of G's weights and biases, when config.ema > 0. */
  private readonly average?: { weights: tf.Variable[]; biases: tf.Variable[] };
  /** Counts of updates done so far. */
  iterations = 0;
  dSteps = 0;
  gSteps = 0;

  constructor(
    readonly distribution: ToyDistribution,
    config: Partial<ToyGanConfig> = {},
  ) {
    this.config = { ...DEFAULT_TOY_CONFIG, ...config };
    validate(this.config);
    this.dim = distribution.dim;
    this.scale = distribution.scale;
    this.rng = new Rng(this.config.seed);
    this.instanceNoise = this.config.instanceNoise;
    this.evalRng = new Rng((this.config.seed ^ 0x5bd1e995) >>> 0);
    const c = this.config;
    this.generator = new Mlp(
      { input: c.noiseDim, depth: c.generatorDepth, width: c.generatorWidth, output: this.dim, activation: c.activation },
      this.rng,
      `toyG${ToyGan.instances}`,
    );
    this.discriminator = new Mlp(
      { input: this.dim * c.pack, depth: c.discriminatorDepth, width: c.discriminatorWidth, output: 1, activation: c.activation },
      this.rng,
      `toyD${ToyGan.instances}`,
    );
    ToyGan.instances++;
    this.optimizerD = c.optimizer === 'adam' ? tf.train.adam(c.lrD, c.beta1, c.beta2) : tf.train.sgd(c.lrD);
    this.optimizerG = c.optimizer === 'adam' ? tf.train.adam(c.lrG, c.beta1, c.beta2) : tf.train.sgd(c.lrG);
    this.replayBuffer = new ReplayBuffer(c.replayCapacity);
    if (c.ema > 0) {
      const copy = (v: tf.Variable) => tf.tidy(() => tf.variable(v.clone(), false));
      this.average = { weights: this.generator.weights.map(copy), biases: this.generator.biases.map(copy) };
    }
  }

  /** G(z) for the read-outs: from the weight average when there is one. */
  private generateForView(z: tf.Tensor2D): tf.Tensor2D {
    if (!this.average) return this.generate(z);
    const { weights, biases } = this.average;
    return tf.tidy(() => tf.mul(this.generator.applyWith(z, weights, biases), this.scale));
  }

  private updateAverage(): void {
    if (!this.average) return;
    const decay = this.config.ema;
    const pairs = [
      ...this.average.weights.map((a, i) => [a, this.generator.weights[i]] as const),
      ...this.average.biases.map((a, i) => [a, this.generator.biases[i]] as const),
    ];
    tf.tidy(() => {
      for (const [average, current] of pairs) average.assign(tf.add(tf.mul(average, decay), tf.mul(current, 1 - decay)));
    });
  }

  /** G(z) in data coordinates; the network itself works in coordinates divided by the data's scale. */
  private generate(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.mul(this.generator.apply(z), this.scale));
  }

  /** Instance noise on D's training inputs (already divided by the scale). */
  private noisy(scaled: tf.Tensor2D): tf.Tensor2D {
    if (this.instanceNoise <= 0) return scaled;
    return tf.tidy(() => tf.add(scaled, tf.randomNormal(scaled.shape, 0, this.instanceNoise, 'float32', this.rng.seed())));
  }

  /** The current instance-noise level (see ToyGanConfig.instanceNoise). */
  get currentInstanceNoise(): number {
    return this.instanceNoise;
  }

  setInstanceNoise(std: number): void {
    this.instanceNoise = Math.max(0, std);
  }

  /** D's logits on training inputs: with instance noise, on noisy copies. */
  private trainingLogits(x: tf.Tensor2D): tf.Tensor2D {
    const { pack } = this.config;
    return tf.tidy(() =>
      this.discriminator.apply(
        tf.reshape(this.noisy(tf.div(x, this.scale) as tf.Tensor2D), [x.shape[0] / pack, pack * this.dim]) as tf.Tensor2D,
      ),
    );
  }

  /** D's logits on consecutive packs of rows of x (one logit per pack; rows must divide by pack). */
  private logits(x: tf.Tensor2D): tf.Tensor2D {
    const { pack } = this.config;
    return tf.tidy(() =>
      this.discriminator.apply(tf.reshape(tf.div(x, this.scale), [x.shape[0] / pack, pack * this.dim]) as tf.Tensor2D),
    );
  }

  /** One logit per point: with packing, D of a pack of copies of that point (D's view of "only x"). */
  private pointLogits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.discriminator.apply(tf.tile(tf.div(x, this.scale), [1, this.config.pack]) as tf.Tensor2D));
  }

  private prior(count: number, rng: Rng): tf.Tensor2D {
    return samplePrior(this.config.prior, count, this.config.noiseDim, rng.seed());
  }

  private realBatch(count: number, rng: Rng): tf.Tensor2D {
    return tf.tensor2d(this.distribution.sample(count, rng), [count, this.dim]);
  }

  /** One discriminator update on a fresh real batch and an equal-sized generated batch. */
  dStep(): StepResult {
    const { batch, replay } = this.config;
    const loss = ganLosses[this.config.loss];
    const real = this.realBatch(batch, this.rng);
    const fresh = tf.tidy(() => this.generate(this.prior(batch, this.rng)));
    let fake: tf.Tensor2D = fresh;
    const fromReplay = replay > 0 && this.replayBuffer.size > 0 ? Math.round(replay * batch) : 0;
    if (fromReplay > 0) {
      fake = tf.tidy(() =>
        tf.concat([
          tf.slice(fresh, [0, 0], [batch - fromReplay, this.dim]),
          this.replayBuffer.sample(fromReplay, this.rng) as tf.Tensor2D,
        ]),
      );
    }
    if (replay > 0) this.replayBuffer.add(fresh, this.rng);
    // the cross-entropy losses are exactly −V; the others need V computed beside them
    const lossIsMinusValue = loss.name === 'mm' || loss.name === 'ns';
    let value = NaN;
    const cost = this.optimizerD.minimize(
      () => {
        // one pass over both halves: half the kernel launches of two passes
        const [realLogits, fakeLogits] = tf.split(this.trainingLogits(tf.concat([real, fake])), 2);
        if (!lossIsMinusValue) value = valueEstimate(realLogits, fakeLogits).dataSync()[0];
        return loss.discriminator(realLogits, fakeLogits);
      },
      true,
      this.discriminator.variables,
    );
    this.lastDLoss = cost!.dataSync()[0];
    this.lastValue = lossIsMinusValue ? -this.lastDLoss : value;
    tf.dispose([cost!, real, fresh, fake]);
    this.dSteps++;
    return this.lastStep();
  }

  /** One generator update on a fresh batch of z. */
  gStep(): StepResult {
    const loss = ganLosses[this.config.loss];
    const z = this.prior(this.config.batch, this.rng);
    const cost = this.optimizerG.minimize(
      () => loss.generator(this.trainingLogits(this.generate(z))),
      true,
      this.generator.variables,
    );
    this.lastGLoss = cost!.dataSync()[0];
    tf.dispose([cost!, z]);
    this.updateAverage();
    this.gSteps++;
    return this.lastStep();
  }

  /** k D steps, then the configured number of G steps (THEORY.md §4). */
  iteration(): StepResult {
    for (let i = 0; i < this.config.k; i++) this.dStep();
    for (let i = 0; i < this.config.generatorSteps; i++) this.gStep();
    this.iterations++;
    return this.lastStep();
  }

  /**
   * Multiplies both configured learning rates by factor from now on (the CLI's end-of-run decay).
   * Adam reads its rate on every update, so changing it keeps the moment estimates.
   */
  setLearningRateScale(factor: number): void {
    for (const [optimizer, base] of [
      [this.optimizerD, this.config.lrD],
      [this.optimizerG, this.config.lrG],
    ] as const) {
      // tfjs optimizers answer instanceof by duck typing, so the config says which one this is
      if (this.config.optimizer === 'sgd') (optimizer as tf.SGDOptimizer).setLearningRate(base * factor);
      else (optimizer as unknown as { learningRate: number }).learningRate = base * factor;
    }
  }

  /** The latest losses and V, without computing anything. */
  lastStep(): StepResult {
    return { dLoss: this.lastDLoss, gLoss: this.lastGLoss, value: this.lastValue, jsdEstimate: jsdFromValue(this.lastValue) };
  }

  /** n generated samples, flattened n × dim. */
  sample(n: number): Float32Array {
    return tf.tidy(() => this.generateForView(this.prior(n, this.evalRng)).dataSync() as Float32Array).slice();
  }

  /** n real samples, flattened n × dim (for drawing the green points). */
  sampleReal(n: number): Float32Array {
    return this.distribution.sample(n, this.evalRng);
  }

  /**
   * D(x) = sigmoid(logit) at arbitrary points (n × dim). For the hinge and least-squares losses the
   * output is no calibrated probability, but the sigmoid still orders points the way D does.
   */
  discriminate(points: Float32Array): Float32Array {
    const n = points.length / this.dim;
    return tf.tidy(() => tf.sigmoid(this.pointLogits(tf.tensor2d(points, [n, this.dim]))).dataSync() as Float32Array).slice();
  }

  /** D over the view for the background heatmap. */
  discriminatorGrid(resolution = 64, bounds: Bounds = this.distribution.bounds): DiscriminatorGrid {
    return { resolution, bounds, values: this.discriminate(gridPoints(this.dim, resolution, bounds)) };
  }

  /**
   * Arrows at n freshly generated points (or the given ones): −∂L_G/∂x per sample. With packing, n
   * is rounded up to whole packs; given points that do not fill whole packs are judged as copies.
   */
  generatorArrows(n = 200, points?: Float32Array): GeneratorArrows {
    const loss = ganLosses[this.config.loss];
    const { pack } = this.config;
    const at = points ?? this.sample(Math.ceil(n / pack) * pack);
    const count = at.length / this.dim;
    const logitsOf = count % pack === 0 ? (x: tf.Tensor2D) => this.logits(x) : (x: tf.Tensor2D) => this.pointLogits(x);
    const terms = count % pack === 0 ? count / pack : count;
    const directions = tf.tidy(() => {
      const x = tf.tensor2d(at, [count, this.dim]);
      // L_G is a mean over D's outputs; × their count gives each one's own gradient, independent of n
      const gradient = tf.grad((input: tf.Tensor) => tf.mul(loss.generator(logitsOf(input as tf.Tensor2D)), terms))(x);
      return tf.neg(gradient).dataSync() as Float32Array;
    }).slice();
    return { points: at, directions };
  }

  /** The image of a z grid under G: how the prior's plane is folded onto the data (issue 6). */
  manifold(resolution = 21): Manifold {
    const zRange: [number, number] = this.config.prior === 'normal' ? [-2.5, 2.5] : [-1, 1];
    const { noiseDim } = this.config;
    const z = new Float32Array(resolution * resolution * noiseDim);
    const axis = linspace(zRange[0], zRange[1], resolution);
    for (let row = 0; row < resolution; row++) {
      for (let column = 0; column < resolution; column++) {
        const offset = (row * resolution + column) * noiseDim;
        z[offset] = axis[column];
        if (noiseDim > 1) z[offset + 1] = axis[row];
      }
    }
    const points = tf
      .tidy(() => this.generateForView(tf.tensor2d(z, [resolution * resolution, noiseDim])).dataSync() as Float32Array)
      .slice();
    return { resolution, zRange, points };
  }

  /** The playground's read-outs on n fresh real and generated samples (REFERENCE.md uses 2,500). */
  evaluate(n = 2500): ToyEvaluation {
    const generated = this.sample(n);
    const real = this.sampleReal(n);
    // D and V need whole packs; the mode metrics use every sample
    const packed = n - (n % this.config.pack);
    const { value, dReal, dFake, dFlatness } = tf.tidy(() => {
      const realLogits = this.logits(tf.tensor2d(real.subarray(0, packed * this.dim), [packed, this.dim]));
      const fakeLogits = this.logits(tf.tensor2d(generated.subarray(0, packed * this.dim), [packed, this.dim]));
      const onReal = meanAndStd(tf.sigmoid(realLogits).dataSync());
      return {
        value: valueEstimate(realLogits, fakeLogits).dataSync()[0],
        dReal: onReal.mean,
        dFake: tf.mean(tf.sigmoid(fakeLogits)).dataSync()[0],
        dFlatness: onReal.std,
      };
    });
    const { modes, sigma } = this.distribution;
    return {
      generated,
      modes: modes && sigma ? modeMetrics(generated, this.dim, modes, sigma) : undefined,
      histogramJsd: histogramJsd(real, generated, this.dim, this.distribution.bounds),
      value,
      jsdEstimate: jsdFromValue(value),
      dFlatness,
      dReal,
      dFake,
    };
  }

  /** 1-D read-outs over the view: P_data, P_G, D and D* (Goodfellow et al. 2014, Fig. 1). */
  curves1d(resolution = 200, samples = 5000): Curves1d {
    if (this.dim !== 1) throw new Error('curves1d needs a 1-D distribution');
    const xs = linspace(this.distribution.bounds.min[0], this.distribution.bounds.max[0], resolution);
    const density = this.distribution.density?.bind(this.distribution);
    const pData = density ? xs.map((x) => density([x])) : kde1d(this.sampleReal(samples), xs);
    const pGenerated = kde1d(this.sample(samples), xs);
    const d = Float64Array.from(this.discriminate(Float32Array.from(xs)));
    const dStar = pData.map((p, i) => optimalDiscriminator(p, pGenerated[i]));
    return { xs, pData, pGenerated, d, dStar, gapToOptimal: discriminatorGap(d, dStar, pData, pGenerated) };
  }

  dispose(): void {
    if (this.average) tf.dispose([...this.average.weights, ...this.average.biases]);
    this.generator.dispose();
    this.discriminator.dispose();
    this.optimizerD.dispose();
    this.optimizerG.dispose();
  }
}

/** Grid points over bounds, row-major with x varying fastest; 1-D: resolution points. */
export function gridPoints(dim: 1 | 2, resolution: number, bounds: Bounds): Float32Array {
  if (dim === 1) return Float32Array.from(linspace(bounds.min[0], bounds.max[0], resolution));
  const xs = linspace(bounds.min[0], bounds.max[0], resolution);
  const ys = linspace(bounds.min[1], bounds.max[1], resolution);
  const out = new Float32Array(resolution * resolution * 2);
  for (let row = 0; row < resolution; row++) {
    for (let column = 0; column < resolution; column++) {
      out[(row * resolution + column) * 2] = xs[column];
      out[(row * resolution + column) * 2 + 1] = ys[row];
    }
  }
  return out;
}
