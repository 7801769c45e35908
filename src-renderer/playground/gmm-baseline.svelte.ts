import type { GmmResult } from './protocol';

/**
 * The maximum-likelihood baseline beside the GAN (THEORY.md §1): a Gaussian mixture fitted by EM
 * to 2,500 real samples, in the playground's worker (toy-session.ts); here its samples, metrics and
 * density over the view, as the worker sent them.
 */
export class GmmBaseline {
  components = $state(8);
  /** A fit is under way in the worker. */
  fitting = $state(false);
  result = $state.raw<GmmResult | null>(null);
  metrics = $derived(this.result?.metrics ?? null);
  error = $state<string | null>(null);
  /** The model's density over the view, painted once per fit (render.ts): it does not change while the GAN trains. */
  densityImage: ImageData | null = null;

  /** Forgets the fit (not the last error). */
  clear(): void {
    this.result = null;
    this.densityImage = null;
    this.fitting = false;
  }

  /** The worker's answer to a fit: the result, or the one-line reason it failed. */
  receive(result: GmmResult | null, error: string | null): void {
    this.fitting = false;
    this.densityImage = null;
    this.result = result;
    this.error = error;
  }
}
