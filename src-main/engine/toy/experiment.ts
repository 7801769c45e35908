import { TOY_RUN_OPTIONS, type LearningRateDecay } from '../../shared/schema';
import { Rng } from '../rng';
import type { ToyDistribution } from './distributions';
import { fitGmm, sampleGmm, type CovarianceType, type GaussianMixture } from './gmm';
import { histogramJsd, modeMetrics, summarize } from './metrics';
import type { ToyGanConfig } from './toy-config';
import { ToyGan } from './toy-gan';

/** One headless run's scores: what `gan-studio toy` prints per seed. */
export interface ToyRunResult {
  seed: number;
  modesCaptured: number;
  totalModes: number;
  /** Fraction 0..1. */
  highQuality: number;
  reverseKL: number;
  /** D-based JSD lower bound (GAN) — NaN for the GMM, which has no discriminator. */
  jsdEstimate: number;
  histogramJsd: number;
  dFlatness: number;
  iterations: number;
  seconds: number;
}

export interface ToyTrainOptions {
  distribution: ToyDistribution;
  /** Iterations (each k D steps and the G steps). */
  steps: number;
  config?: Partial<ToyGanConfig>;
  evalSamples?: number;
  /** See applySchedule; default 'linear'. */
  decay?: LearningRateDecay;
  /** See applySchedule; default DEFAULT_SETTLE. */
  settle?: number;
  /** Called every progressEvery iterations, e.g. to draw a progress bar. */
  onProgress?: (iteration: number) => void;
  progressEvery?: number;
}

/**
 * The schedule of a run of known length, before iteration `iteration` of `steps`. Two phases: while
 * exploring (the first 1 − settle of the run) the configured instance noise keeps D's landscape
 * smooth, so its gradient pulls the generator towards every mode (measured: 25/25 grid25 modes with
 * it, 12–19 without). While settling (the last `settle`), the learning rates fall linearly to 0
 * (decay 'linear') and the noise fades with the square of that ramp: it is gone while the generator
 * can still move a little, so it lands within the modes' 3σ, but not while it could still move mass
 * from one mode to another. The playground can call it too when the user trains for a fixed length.
 */
export function applySchedule(
  gan: ToyGan,
  iteration: number,
  steps: number,
  decay: LearningRateDecay = TOY_RUN_OPTIONS.decay.default,
  settle = DEFAULT_SETTLE,
): void {
  const progress = steps > 0 ? iteration / steps : 1;
  const ramp = settle > 0 ? Math.min(1, (1 - progress) / settle) : 1;
  gan.setInstanceNoise(gan.config.instanceNoise * ramp * ramp);
  gan.setLearningRateScale(decay === 'linear' ? ramp : 1);
}

/** The share of a run spent settling (see applySchedule). */
export const DEFAULT_SETTLE = TOY_RUN_OPTIONS.settle.default;

/** Trains one toy GAN from scratch and scores it on evalSamples generated points. */
export function trainToy(options: ToyTrainOptions): ToyRunResult {
  const started = performance.now();
  const gan = new ToyGan(options.distribution, options.config);
  try {
    const every = options.progressEvery ?? 100;
    const decay = options.decay ?? 'linear';
    for (let i = 0; i < options.steps; i++) {
      applySchedule(gan, i, options.steps, decay, options.settle);
      gan.iteration();
      if (options.onProgress && (i + 1) % every === 0) options.onProgress(i + 1);
    }
    const evaluation = gan.evaluate(options.evalSamples ?? 2500);
    return {
      seed: gan.config.seed,
      modesCaptured: evaluation.modes?.modesCaptured ?? NaN,
      totalModes: evaluation.modes?.totalModes ?? NaN,
      highQuality: evaluation.modes?.highQuality ?? NaN,
      reverseKL: evaluation.modes?.reverseKL ?? NaN,
      jsdEstimate: evaluation.jsdEstimate,
      histogramJsd: evaluation.histogramJsd,
      dFlatness: evaluation.dFlatness,
      iterations: options.steps,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    gan.dispose();
  }
}

export interface GmmBaselineOptions {
  distribution: ToyDistribution;
  components: number;
  covariance?: CovarianceType;
  seed?: number;
  /** Samples of P_data the mixture is fitted to. */
  trainSamples?: number;
  evalSamples?: number;
  restarts?: number;
}

/** The maximum-likelihood baseline (THEORY.md §1), scored with the same metrics as the GAN. */
export function gmmBaseline(options: GmmBaselineOptions): ToyRunResult & { model: GaussianMixture } {
  const started = performance.now();
  const { distribution } = options;
  const seed = options.seed ?? 0;
  const rng = new Rng(seed);
  const data = distribution.sample(options.trainSamples ?? 10_000, rng);
  const model = fitGmm(data, distribution.dim, {
    components: options.components,
    covariance: options.covariance ?? 'full',
    seed: rng.seed(),
    restarts: options.restarts ?? 3,
  });
  const evalSamples = options.evalSamples ?? 2500;
  const generated = sampleGmm(model, evalSamples, rng);
  const modes =
    distribution.modes && distribution.sigma
      ? modeMetrics(generated, distribution.dim, distribution.modes, distribution.sigma)
      : undefined;
  return {
    model,
    seed,
    modesCaptured: modes?.modesCaptured ?? NaN,
    totalModes: modes?.totalModes ?? NaN,
    highQuality: modes?.highQuality ?? NaN,
    reverseKL: modes?.reverseKL ?? NaN,
    jsdEstimate: NaN,
    histogramJsd: histogramJsd(distribution.sample(evalSamples, rng), generated, distribution.dim, distribution.bounds),
    dFlatness: NaN,
    iterations: model.iterations,
    seconds: (performance.now() - started) / 1000,
  };
}

export type SummaryKey = 'modesCaptured' | 'highQuality' | 'reverseKL' | 'jsdEstimate' | 'histogramJsd' | 'dFlatness' | 'seconds';

/** Mean and sample std over runs of every reported score. */
export function summarizeRuns(runs: ToyRunResult[]): Record<SummaryKey, { mean: number; std: number }> {
  const keys: SummaryKey[] = ['modesCaptured', 'highQuality', 'reverseKL', 'jsdEstimate', 'histogramJsd', 'dFlatness', 'seconds'];
  return Object.fromEntries(keys.map((key) => [key, summarize(runs.map((run) => run[key]))])) as Record<
    SummaryKey,
    { mean: number; std: number }
  >;
}
