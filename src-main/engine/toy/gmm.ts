import type { GmmCovariance } from '../../shared/schema';
import { Rng } from '../rng';
import { standardNormal } from './distributions';

/**
 * The maximum-likelihood baseline of THEORY.md §1: a Gaussian mixture fitted by EM. Plain arrays,
 * no tensors: the sizes are small (2-D points in the playground, up to 256 PCA coordinates of images
 * in engine/baseline) and the same code serves the renderer and the CLI.
 */
export type CovarianceType = GmmCovariance;

export interface GaussianMixture {
  dim: number;
  weights: number[];
  means: number[][];
  /** One dim × dim matrix per component (diagonal ones are stored full, with zeros off the diagonal). */
  covariances: number[][][];
  covarianceType: CovarianceType;
  /** Mean log-likelihood per sample of the training data at the end of the fit. */
  logLikelihood: number;
  iterations: number;
  converged: boolean;
}

export interface GmmOptions {
  components: number;
  covariance?: CovarianceType;
  seed?: number;
  maxIterations?: number;
  /** Stop when the mean log-likelihood improves by less than this. */
  tolerance?: number;
  /** Independent k-means++ starts; the best likelihood wins (EM only finds a local optimum). */
  restarts?: number;
  /** Added to every variance, relative to the data's overall variance, so no component collapses onto a point. */
  regularization?: number;
}

/** Where EM stands after one iteration (fitGmmSteps yields one per iteration). */
export interface GmmProgress {
  /** 0-based index of the k-means++ start (options.restarts). */
  restart: number;
  /** Iterations done in this start, 1-based. */
  iteration: number;
  /** Mean log-likelihood per sample before this iteration's M step (nats). */
  logLikelihood: number;
}

/**
 * Fits a K-component mixture to n samples (flattened n × dim) by EM (Dempster, Laird & Rubin 1977),
 * from k-means++ starts. Throws a one-line Error when components is not a positive integer or
 * exceeds n.
 */
export function fitGmm(data: ArrayLike<number>, dim: number, options: GmmOptions): GaussianMixture {
  const steps = fitGmmSteps(data, dim, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * fitGmm one EM iteration at a time: yields a GmmProgress after each, returns the fit. A caller
 * that must stay responsive (progress bars, cancelling) drives it and pauses between iterations;
 * fitGmm runs it to the end.
 */
export function* fitGmmSteps(data: ArrayLike<number>, dim: number, options: GmmOptions): Generator<GmmProgress, GaussianMixture, void> {
  const n = Math.floor(data.length / dim);
  const k = options.components;
  if (!(k >= 1 && Number.isInteger(k))) throw new Error('components must be a positive integer');
  if (n < k) throw new Error(`need at least ${k} samples for ${k} components, got ${n}`);
  const rng = new Rng(options.seed ?? 0);
  let best: GaussianMixture | undefined;
  for (let attempt = 0; attempt < (options.restarts ?? 1); attempt++) {
    const fit = yield* fitOnce(data, n, dim, options, rng, attempt);
    if (!best || fit.logLikelihood > best.logLikelihood) best = fit;
  }
  return best!;
}

function* fitOnce(
  data: ArrayLike<number>,
  n: number,
  dim: number,
  options: GmmOptions,
  rng: Rng,
  restart: number,
): Generator<GmmProgress, GaussianMixture, void> {
  const k = options.components;
  const covarianceType = options.covariance ?? 'full';
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-6;
  const overallVariance = totalVariance(data, n, dim);
  const reg = (options.regularization ?? 1e-6) * Math.max(overallVariance, 1e-12);

  const means = kMeansPlusPlus(data, n, dim, k, rng);
  // start from hard k-means++ assignments: each component's weight and covariance of its cell
  const responsibilities = new Float64Array(n * k);
  for (let i = 0; i < n; i++) responsibilities[i * k + nearest(data, i, dim, means)] = 1;
  let model = maximization(data, n, dim, responsibilities, k, covarianceType, reg, means);

  let previous = -Infinity;
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations; iterations++) {
    const logLikelihood = expectation(data, n, dim, model, responsibilities, covarianceType);
    model = maximization(data, n, dim, responsibilities, k, covarianceType, reg, model.means);
    yield { restart, iteration: iterations + 1, logLikelihood };
    if (logLikelihood - previous < tolerance) {
      converged = true;
      iterations++;
      break;
    }
    previous = logLikelihood;
  }
  const logLikelihood = expectation(data, n, dim, model, responsibilities, covarianceType);
  return { dim, ...model, covarianceType, logLikelihood, iterations, converged };
}

interface Parameters {
  weights: number[];
  means: number[][];
  covariances: number[][][];
}

function totalVariance(data: ArrayLike<number>, n: number, dim: number): number {
  let sum = 0;
  for (let d = 0; d < dim; d++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * dim + d];
    mean /= n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (data[i * dim + d] - mean) ** 2;
    sum += squares / n;
  }
  return sum / dim;
}

function squaredDistance(data: ArrayLike<number>, i: number, dim: number, point: number[]): number {
  let sum = 0;
  for (let d = 0; d < dim; d++) sum += (data[i * dim + d] - point[d]) ** 2;
  return sum;
}

function nearest(data: ArrayLike<number>, i: number, dim: number, centers: number[][]): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < centers.length; c++) {
    const distance = squaredDistance(data, i, dim, centers[c]);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = c;
    }
  }
  return best;
}

/** k-means++ seeding (Arthur & Vassilvitskii 2007): each next centre drawn ∝ squared distance to the chosen ones. */
export function kMeansPlusPlus(data: ArrayLike<number>, n: number, dim: number, k: number, rng: Rng): number[][] {
  const row = (i: number) => Array.from({ length: dim }, (_, d) => data[i * dim + d]);
  const centers = [row(rng.int(n))];
  const distances = new Float64Array(n);
  for (let i = 0; i < n; i++) distances[i] = squaredDistance(data, i, dim, centers[0]);
  while (centers.length < k) {
    let total = 0;
    for (let i = 0; i < n; i++) total += distances[i];
    let chosen = rng.int(n);
    if (total > 0) {
      let target = rng.next() * total;
      for (let i = 0; i < n; i++) {
        target -= distances[i];
        if (target <= 0) {
          chosen = i;
          break;
        }
      }
    }
    const center = row(chosen);
    centers.push(center);
    for (let i = 0; i < n; i++) distances[i] = Math.min(distances[i], squaredDistance(data, i, dim, center));
  }
  return centers;
}

/** Lower-triangular L with L Lᵀ = A (A symmetric positive definite). */
export function cholesky(a: number[][]): number[][] {
  const dim = a.length;
  const l = a.map(() => new Array<number>(dim).fill(0));
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j];
      for (let p = 0; p < j; p++) sum -= l[i][p] * l[j][p];
      if (i === j) {
        if (!(sum > 0)) throw new Error('covariance is not positive definite');
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  return l;
}

/**
 * log N(x | mean, L Lᵀ) for a precomputed Cholesky factor L (flattened dim × dim, row-major);
 * `y` is scratch space of length dim. A diagonal L skips the triangular solve.
 */
function logGaussian(
  x: ArrayLike<number>,
  offset: number,
  mean: number[],
  l: Float64Array,
  logNorm: number,
  y: Float64Array,
  diagonal: boolean,
): number {
  const dim = mean.length;
  let mahalanobis = 0;
  if (diagonal) {
    for (let i = 0; i < dim; i++) {
      const t = (x[offset + i] - mean[i]) / l[i * dim + i];
      mahalanobis += t * t;
    }
    return logNorm - 0.5 * mahalanobis;
  }
  // solve L y = x − mean; the Mahalanobis distance is |y|²
  for (let i = 0; i < dim; i++) {
    const row = i * dim;
    let sum = x[offset + i] - mean[i];
    for (let p = 0; p < i; p++) sum -= l[row + p] * y[p];
    y[i] = sum / l[row + i];
    mahalanobis += y[i] * y[i];
  }
  return logNorm - 0.5 * mahalanobis;
}

interface Factored {
  /** Each component's Cholesky factor, flattened dim × dim. */
  factors: Float64Array[];
  /** log weight − ½ (dim · log 2π + log det Σ) per component. */
  logNorms: number[];
}

function factor(model: Parameters): Factored {
  const factors = model.covariances.map((covariance) => Float64Array.from(cholesky(covariance).flat()));
  const logNorms = factors.map((l, c) => {
    const dim = model.covariances[c].length;
    let logDet = 0;
    for (let i = 0; i < dim; i++) logDet += 2 * Math.log(l[i * dim + i]);
    return Math.log(model.weights[c]) - 0.5 * (dim * Math.log(2 * Math.PI) + logDet);
  });
  return { factors, logNorms };
}

/** E step: fills the responsibilities, returns the mean log-likelihood. */
function expectation(
  data: ArrayLike<number>,
  n: number,
  dim: number,
  model: Parameters,
  responsibilities: Float64Array,
  covarianceType: CovarianceType,
): number {
  const k = model.weights.length;
  const { factors, logNorms } = factor(model);
  const diagonal = covarianceType === 'diag';
  const logs = new Float64Array(k);
  const scratch = new Float64Array(dim);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      logs[c] = model.weights[c] > 0 ? logGaussian(data, i * dim, model.means[c], factors[c], logNorms[c], scratch, diagonal) : -Infinity;
      if (logs[c] > max) max = logs[c];
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logs[c] - max);
    const logSum = max + Math.log(sum);
    total += logSum;
    for (let c = 0; c < k; c++) responsibilities[i * k + c] = Math.exp(logs[c] - logSum);
  }
  return total / n;
}

/** M step: weighted means and covariances; an empty component keeps its old mean with the data's variance. */
function maximization(
  data: ArrayLike<number>,
  n: number,
  dim: number,
  responsibilities: Float64Array,
  k: number,
  covarianceType: CovarianceType,
  reg: number,
  previousMeans: number[][],
): Parameters {
  const weights: number[] = [];
  const means: number[][] = [];
  const covariances: number[][][] = [];
  const fallbackVariance = totalVariance(data, n, dim) + reg;
  const diagonal = covarianceType === 'diag';
  const sums = new Float64Array(dim * dim);
  const delta = new Float64Array(dim);
  for (let c = 0; c < k; c++) {
    let mass = 0;
    const mean = new Array<number>(dim).fill(0);
    for (let i = 0; i < n; i++) {
      const r = responsibilities[i * k + c];
      mass += r;
      for (let d = 0; d < dim; d++) mean[d] += r * data[i * dim + d];
    }
    const covariance = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
    if (mass < 1e-10) {
      weights.push(1e-10);
      means.push([...previousMeans[c]]);
      for (let d = 0; d < dim; d++) covariance[d][d] = fallbackVariance;
      covariances.push(covariance);
      continue;
    }
    for (let d = 0; d < dim; d++) mean[d] /= mass;
    // Σ_i r_i (x_i − μ)(x_i − μ)ᵀ, lower triangle (or diagonal) of a flat dim × dim array
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      const r = responsibilities[i * k + c];
      if (r === 0) continue;
      for (let a = 0; a < dim; a++) delta[a] = data[i * dim + a] - mean[a];
      for (let a = 0; a < dim; a++) {
        const ra = r * delta[a];
        const row = a * dim;
        if (diagonal) {
          sums[row + a] += ra * delta[a];
          continue;
        }
        for (let b = 0; b <= a; b++) sums[row + b] += ra * delta[b];
      }
    }
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b <= a; b++) {
        covariance[a][b] = sums[a * dim + b] / mass;
        covariance[b][a] = covariance[a][b];
      }
      covariance[a][a] += reg;
    }
    weights.push(mass / n);
    means.push(mean);
    covariances.push(covariance);
  }
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  return { weights: weights.map((w) => w / totalWeight), means, covariances };
}

/** n samples from the mixture, flattened n × dim. */
export function sampleGmm(model: GaussianMixture, n: number, rng: Rng): Float32Array {
  const dim = model.dim;
  const factors = model.covariances.map(cholesky);
  const cumulative: number[] = [];
  model.weights.reduce((sum, w, c) => (cumulative[c] = sum + w), 0);
  const out = new Float32Array(n * dim);
  const noise = new Array<number>(dim);
  for (let i = 0; i < n; i++) {
    const u = rng.next() * cumulative[cumulative.length - 1];
    let c = cumulative.findIndex((edge) => u < edge);
    if (c < 0) c = model.weights.length - 1;
    for (let d = 0; d < dim; d++) noise[d] = standardNormal(rng);
    for (let a = 0; a < dim; a++) {
      let value = model.means[c][a];
      for (let b = 0; b <= a; b++) value += factors[c][a][b] * noise[b];
      out[i * dim + a] = value;
    }
  }
  return out;
}

/** The mixture's density at each of n points (flattened n × dim), e.g. a heatmap grid. */
export function gmmDensity(model: GaussianMixture, points: ArrayLike<number>): Float64Array {
  return gmmLogDensity(model, points).map(Math.exp);
}

/**
 * The log of the mixture's density at each of n points (flattened n × dim), in nats: the held-out
 * log-likelihood of the maximum-likelihood view (THEORY.md §1). Computed by log-sum-exp, so it stays
 * finite in many dimensions where the density itself underflows.
 */
export function gmmLogDensity(model: GaussianMixture, points: ArrayLike<number>): Float64Array {
  const n = Math.floor(points.length / model.dim);
  const { factors, logNorms } = factor(model);
  const k = model.weights.length;
  const scratch = new Float64Array(model.dim);
  const logs = new Float64Array(k);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      logs[c] = logGaussian(points, i * model.dim, model.means[c], factors[c], logNorms[c], scratch, model.covarianceType === 'diag');
      if (logs[c] > max) max = logs[c];
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logs[c] - max);
    out[i] = max + Math.log(sum);
  }
  return out;
}
