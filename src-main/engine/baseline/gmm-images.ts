import { GMM_OPTIONS } from '../../shared/schema';
import { Rng } from '../rng';
import { fitGmmSteps, gmmLogDensity, sampleGmm, type CovarianceType, type GaussianMixture } from '../toy/gmm';
import { pcaPasses, pcaSteps, projectPca, reconstructPca, type Pca } from './pca';

/**
 * The lecture's maximum-likelihood baseline on images (THEORY.md §1, issue 12): images → PCA to D
 * dimensions → a K-component Gaussian mixture fitted there by EM (the toy playground's EM,
 * toy/gmm.ts) → samples drawn from the mixture and projected back to pixels. The likelihood is
 * computable, unlike a GAN's; the samples are blurry (averages of many images along the few
 * directions PCA keeps) but spread over the whole set. Pure: plain typed arrays, no tensors.
 */

/** Uint8 RGB images, count × size × size × 3 (NHWC), as the dataset import and the engine's toUint8 give them. */
export interface RgbImageSet {
  pixels: Uint8Array;
  count: number;
  size: number;
}

/** The most PCA dimensions the baseline keeps (issue 12: D ≤ 256). */
export const MAX_PCA_COMPONENTS = GMM_OPTIONS.pca.max;

export interface ImageGmmOptions {
  /** K ≥ 1, at most the number of images. */
  components: number;
  /** D, 1…MAX_PCA_COMPONENTS; lowered to count − 1 (the rank of count centred images) when the set is smaller. */
  pca: number;
  covariance: CovarianceType;
  seed?: number;
  /** EM iterations at most (default 200). */
  maxIterations?: number;
  /**
   * EM stops when the mean log-likelihood per image rises by less than this many nats in an
   * iteration (default 1e-3, scikit-learn's; the likelihood of an image is hundreds of nats).
   */
  tolerance?: number;
  /** Power iterations of the randomized PCA (see pca.ts; default 4). */
  powerIterations?: number;
  /** Called after each pass of PCA and each EM iteration. */
  onProgress?: (progress: ImageGmmProgress) => void;
  /** Stops the fit between two passes or iterations: the promise rejects with ImageGmmCancelled. */
  signal?: AbortSignal;
}

export interface ImageGmmProgress {
  phase: 'pca' | 'em';
  /** PCA passes or EM iterations done. */
  done: number;
  /** PCA passes, or the EM iteration cap (EM usually converges before it). */
  total: number;
  /** The mean log-likelihood per image in the PCA space so far (EM only), nats. */
  logLikelihood?: number;
}

/** A fitted baseline: the PCA, the mixture on the PCA coordinates, and its scores on the training images. */
export interface ImageGmm {
  size: number;
  /** Images fitted. */
  count: number;
  pca: Pca;
  mixture: GaussianMixture;
  /** Mean log-likelihood per image of the PCA coordinates under the mixture (nats; depends on D). */
  logLikelihood: number;
  /**
   * Mean log-likelihood per image in pixel space (pixels scaled to [-1, 1], d = size² · 3), nats:
   * the mixture on the PCA coordinates times an isotropic Gaussian N(0, residualVariance · I) on the
   * d − D discarded directions (probabilistic PCA's maximum-likelihood noise, Tipping & Bishop 1999).
   * A density on all of R^d, so it compares across D and K and on held-out images. NaN when the D
   * directions hold all the variance (D = count − 1 on a tiny set): the density is then degenerate.
   */
  pixelLogLikelihood: number;
  /** The mean variance per discarded direction, (total − kept variance) / (d − D); 0 when D = d. */
  residualVariance: number;
  /** Seconds spent on PCA and on EM. */
  seconds: { pca: number; em: number };
}

/** The fit was cancelled through its AbortSignal. */
export class ImageGmmCancelled extends Error {
  constructor() {
    super('the GMM fit was cancelled');
  }
}

/**
 * Fits the baseline to a set of images (pixels mapped to [-1, 1] as the GAN sees them). Async only
 * to stay responsive: it pauses between passes and iterations so an AbortSignal fired by an event
 * (Ctrl+C, a Cancel button) is seen. Throws a one-line Error for bad options (K above the number of
 * images, D out of range) and ImageGmmCancelled when the signal fires.
 */
export async function fitImageGmm(images: RgbImageSet, options: ImageGmmOptions): Promise<ImageGmm> {
  const { count, size } = images;
  const dim = size * size * 3;
  const k = options.components;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`components (K) must be a whole number of at least 1, got ${k}`);
  if (count < 2) throw new Error(`the GMM baseline needs at least 2 images, the set has ${count}`);
  if (k > count) throw new Error(`K = ${k} components need at least ${k} images, the set has ${count}: choose a smaller K`);
  if (!(Number.isInteger(options.pca) && options.pca >= 1 && options.pca <= MAX_PCA_COMPONENTS)) {
    throw new Error(`PCA dimensions (D) must be a whole number from 1 to ${MAX_PCA_COMPONENTS}, got ${options.pca}`);
  }
  if (images.pixels.length < count * dim) throw new Error(`the image set holds ${images.pixels.length} bytes, fewer than ${count} × ${size} × ${size} × 3`);
  const components = Math.min(options.pca, count - 1, dim);
  const seed = options.seed ?? 0;
  const rng = new Rng(seed);
  const signal = options.signal;
  const pause = pauser(signal);

  const data = new Float32Array(count * dim);
  for (let i = 0; i < data.length; i++) data[i] = images.pixels[i] / 127.5 - 1;

  let started = performance.now();
  const pcaRun = pcaSteps(data, count, dim, { components, seed: rng.seed(), powerIterations: options.powerIterations });
  let pca: Pca;
  for (;;) {
    await pause();
    const step = pcaRun.next();
    if (step.done) {
      pca = step.value;
      break;
    }
    options.onProgress?.({ phase: 'pca', ...step.value });
  }
  const pcaSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const coordinates = projectPca(pca, data, count);
  const maxIterations = options.maxIterations ?? 200;
  const emRun = fitGmmSteps(coordinates, components, {
    components: k,
    covariance: options.covariance,
    seed: rng.seed(),
    maxIterations,
    tolerance: options.tolerance ?? 1e-3,
  });
  let mixture: GaussianMixture;
  for (;;) {
    await pause();
    const step = emRun.next();
    if (step.done) {
      mixture = step.value;
      break;
    }
    options.onProgress?.({ phase: 'em', done: step.value.iteration, total: maxIterations, logLikelihood: step.value.logLikelihood });
  }
  const emSeconds = (performance.now() - started) / 1000;
  const kept = pca.variances.reduce((sum, v) => sum + v, 0);
  const residualVariance = pca.dim > components ? Math.max(0, pca.totalVariance - kept) / (pca.dim - components) : 0;
  const scores = scoreCoordinates(pca, mixture, residualVariance, data, coordinates, count);
  return { size, count, pca, mixture, residualVariance, ...scores, seconds: { pca: pcaSeconds, em: emSeconds } };
}

/**
 * The mean log-likelihoods per image (nats) of a set of images of the model's size under a fitted
 * baseline: on held-out images, the maximum-likelihood view's test score (THEORY.md §1). Throws a
 * one-line Error when the size differs.
 */
export function imageGmmLogLikelihood(model: ImageGmm, images: RgbImageSet): { logLikelihood: number; pixelLogLikelihood: number } {
  if (images.size !== model.size) throw new Error(`the images are ${images.size} px, the baseline was fitted at ${model.size} px`);
  const data = new Float32Array(images.count * model.pca.dim);
  for (let i = 0; i < data.length; i++) data[i] = images.pixels[i] / 127.5 - 1;
  const coordinates = projectPca(model.pca, data, images.count);
  return scoreCoordinates(model.pca, model.mixture, model.residualVariance, data, coordinates, images.count);
}

/**
 * Mean log p(z) of the PCA coordinates, and of the pixels: log p(z) + log N(r | 0, σ² I) over the
 * d − D discarded directions, where |r|² = |x − mean|² − |z|² (the basis is orthonormal).
 */
function scoreCoordinates(
  pca: Pca,
  mixture: GaussianMixture,
  residualVariance: number,
  data: Float32Array,
  coordinates: Float64Array,
  count: number,
): { logLikelihood: number; pixelLogLikelihood: number } {
  const logs = gmmLogDensity(mixture, coordinates);
  const { dim: d, components: D, mean } = pca;
  const rest = d - D;
  // no variance left outside the D directions (D = d, or D = count − 1 on a tiny set): no density in pixel space
  const degenerate = rest > 0 && !(residualVariance > 1e-12 * (pca.totalVariance / d));
  let logLikelihood = 0;
  let pixelLogLikelihood = 0;
  for (let i = 0; i < count; i++) {
    let residual = 0;
    if (rest > 0) {
      for (let j = 0; j < d; j++) residual += (data[i * d + j] - mean[j]) ** 2;
      for (let c = 0; c < D; c++) residual -= coordinates[i * D + c] ** 2;
    }
    logLikelihood += logs[i];
    pixelLogLikelihood += logs[i] + (rest > 0 ? -0.5 * (rest * Math.log(2 * Math.PI * residualVariance) + Math.max(0, residual) / residualVariance) : 0);
  }
  return { logLikelihood: logLikelihood / count, pixelLogLikelihood: degenerate ? NaN : pixelLogLikelihood / count };
}

/**
 * n images drawn from the baseline: a component by its weight, a point of its Gaussian in the PCA
 * space, mapped back to pixels and clamped to [-1, 1], then to uint8 as (x + 1) · 127.5. The
 * discarded directions get no noise (the lecture's samples: the mixture's blur, not static).
 */
export function sampleImageGmm(model: ImageGmm, n: number, rng: Rng): RgbImageSet {
  const coordinates = sampleGmm(model.mixture, n, rng);
  const values = reconstructPca(model.pca, coordinates, n);
  const pixels = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) pixels[i] = Math.round((Math.min(1, Math.max(-1, values[i])) + 1) * 127.5);
  return { pixels, count: n, size: model.size };
}

/**
 * A function that lets the event loop run (a macrotask turn, so signals and IPC are delivered) when
 * 50 ms have passed since the last pause, and throws ImageGmmCancelled once the signal has fired.
 */
function pauser(signal: AbortSignal | undefined): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last >= 50) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
    if (signal?.aborted) throw new ImageGmmCancelled();
  };
}
