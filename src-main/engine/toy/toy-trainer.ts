import { isLiveToyOption, LOSS_CHOICES, type ToyOptionKey } from '../../shared/schema';
import * as tf from '@tensorflow/tfjs';
import { ganLosses, jsdFromValue, valueEstimate } from '../losses';
import { samplePrior } from '../prior';
import { ReplayBuffer } from '../replay';
import { Rng } from '../rng';
import type { ToyDistribution } from './distributions';
import { Mlp } from './mlp';
import { DEFAULT_TOY_CONFIG, validateToyConfig, type ToyGanConfig } from './toy-config';

export interface StepResult {
  dLoss: number;
  gLoss: number;
  /** Minibatch estimate of V(G, D) from the last D step (before its update). */
  value: number;
  /** (V + 2 log 2) / 2 clamped to [0, log 2]: a lower bound on JSD(P_data || P_G) in nats. */
  jsdEstimate: number;
}

/**
 * The training half of ToyGan (toy-gan.ts): the networks, their optimizers and the step API the
 * playground drives (one D step, one G step, or a whole iteration). Everything synchronous: the
 * networks are tiny, and the renderer calls it between animation frames. The protected members are
 * what ToyGan's read-outs need: G from the weight average, D's logits, the prior and a separate
 * random stream.
 */
export class ToyGanTrainer {
  /** tfjs variable names are global: each GAN gets its own prefix, so several can live side by side. */
  private static instances = 0;
  /** The settings in effect; the live ones change through applySettings. */
  private settings: ToyGanConfig;
  readonly dim: 1 | 2;
  private readonly generator: Mlp;
  private readonly discriminator: Mlp;
  private readonly optimizerD: tf.Optimizer;
  private readonly optimizerG: tf.Optimizer;
  private readonly rng: Rng;
  /** A separate stream, so looking at the model never changes how it trains. */
  protected readonly evalRng: Rng;
  private readonly replayBuffer: ReplayBuffer;
  private readonly scale: number;
  private lastDLoss = NaN;
  private lastGLoss = NaN;
  private lastValue = NaN;
  private instanceNoise: number;
  /** The factor setLearningRateScale applies to the configured learning rates. */
  private learningRateScale = 1;
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
    this.settings = { ...DEFAULT_TOY_CONFIG, ...config };
    validateToyConfig(this.settings);
    this.dim = distribution.dim;
    this.scale = distribution.scale;
    this.rng = new Rng(this.config.seed);
    this.instanceNoise = this.config.instanceNoise;
    this.evalRng = new Rng((this.config.seed ^ 0x5bd1e995) >>> 0);
    const c = this.config;
    this.generator = new Mlp(
      { input: c.noiseDim, depth: c.generatorDepth, width: c.generatorWidth, output: this.dim, activation: c.activation },
      this.rng,
      `toyG${ToyGanTrainer.instances}`,
    );
    this.discriminator = new Mlp(
      { input: this.dim * c.pack, depth: c.discriminatorDepth, width: c.discriminatorWidth, output: 1, activation: c.activation },
      this.rng,
      `toyD${ToyGanTrainer.instances}`,
    );
    ToyGanTrainer.instances++;
    this.optimizerD = c.optimizer === 'adam' ? tf.train.adam(c.lrD, c.beta1, c.beta2) : tf.train.sgd(c.lrD);
    this.optimizerG = c.optimizer === 'adam' ? tf.train.adam(c.lrG, c.beta1, c.beta2) : tf.train.sgd(c.lrG);
    this.replayBuffer = new ReplayBuffer(c.replayCapacity);
    if (c.ema > 0) {
      const copy = (v: tf.Variable) => tf.tidy(() => tf.variable(v.clone(), false));
      this.average = { weights: this.generator.weights.map(copy), biases: this.generator.biases.map(copy) };
    }
  }

  /** The settings in effect (a copy would be stale after applySettings: read it when needed). */
  get config(): Readonly<ToyGanConfig> {
    return this.settings;
  }

  /**
   * Changes settings from the next step on, keeping the networks, the optimisers' moments and the
   * counters. Only the live options (TOY_LIVE_KEYS: prior, loss, k, G steps, learning rates, batch,
   * replay fraction, instance noise) may change; a new instance-noise level replaces the current one.
   * Throws a one-line message, changing nothing, when another option differs from the one in effect
   * ("… needs new networks") or a value is out of range.
   */
  applySettings(changes: Partial<ToyGanConfig>): void {
    const next = { ...this.settings, ...changes };
    for (const key of Object.keys(changes) as ToyOptionKey[]) {
      if (!isLiveToyOption(key) && next[key] !== this.settings[key]) throw new Error(`${key} changes the networks: it needs new networks (apply and reset)`);
    }
    validateToyConfig(next);
    const noiseChanged = next.instanceNoise !== this.settings.instanceNoise;
    this.settings = next;
    if (noiseChanged) this.instanceNoise = next.instanceNoise;
    this.setLearningRateScale(this.learningRateScale);
  }

  /** G(z) for the read-outs: from the weight average when there is one. */
  protected generateForView(z: tf.Tensor2D): tf.Tensor2D {
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
  protected logits(x: tf.Tensor2D): tf.Tensor2D {
    const { pack } = this.config;
    return tf.tidy(() =>
      this.discriminator.apply(tf.reshape(tf.div(x, this.scale), [x.shape[0] / pack, pack * this.dim]) as tf.Tensor2D),
    );
  }

  /** One logit per point: with packing, D of a pack of copies of that point (D's view of "only x"). */
  protected pointLogits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.discriminator.apply(tf.tile(tf.div(x, this.scale), [1, this.config.pack]) as tf.Tensor2D));
  }

  protected prior(count: number, rng: Rng): tf.Tensor2D {
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
    if (replay > 0) {
      this.replayBuffer.add(fresh, this.rng);
      this.replayBuffer.settleSync();
    }
    // the cross-entropy losses are exactly −V; the others need V computed beside them
    const lossIsMinusValue = LOSS_CHOICES[loss.name].probabilistic;
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
    this.learningRateScale = factor;
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

  dispose(): void {
    if (this.average) tf.dispose([...this.average.weights, ...this.average.biases]);
    this.generator.dispose();
    this.discriminator.dispose();
    this.optimizerD.dispose();
    this.optimizerG.dispose();
  }
}
