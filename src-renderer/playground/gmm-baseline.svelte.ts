import { fitGmm, modeMetrics, sampleGmm, type GaussianMixture, type ModeMetrics, type ToyDistribution } from '../../src-main/engine/toy';
import { Rng } from '../../src-main/engine/rng';

/**
 * The maximum-likelihood baseline beside the GAN (THEORY.md §1): a Gaussian mixture fitted by EM
 * to 2,500 real samples, its samples and their mode metrics.
 */
export class GmmBaseline {
  components = $state(8);
  model = $state.raw<GaussianMixture | null>(null);
  metrics = $state.raw<ModeMetrics | null>(null);
  samples = $state.raw<Float32Array | null>(null);
  error = $state<string | null>(null);
  /** The model's density over the view, drawn once per fit (render.ts): it does not change while the GAN trains. */
  densityImage: ImageData | null = null;

  /** Forgets the fit (not the last error). */
  clear(): void {
    this.model = null;
    this.densityImage = null;
    this.metrics = null;
    this.samples = null;
  }

  /** Fits `components` Gaussians to samples of the distribution; a failure lands in `error`. */
  fit(distribution: ToyDistribution, seed: number): void {
    try {
      const rng = new Rng(seed + 17);
      const data = distribution.sample(2500, rng);
      this.densityImage = null;
      this.model = fitGmm(data, distribution.dim, { components: this.components, seed, restarts: 3 });
      this.samples = sampleGmm(this.model, 2500, rng);
      this.metrics = distribution.modes && distribution.sigma ? modeMetrics(this.samples, distribution.dim, distribution.modes, distribution.sigma) : null;
    } catch (cause) {
      this.error = cause instanceof Error ? cause.message : String(cause);
    }
  }
}
