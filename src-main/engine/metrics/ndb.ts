/**
 * NDB/K, the share of statistically different bins (Richardson & Weiss 2018, "On GANs and GMMs",
 * NeurIPS; their utils/ndb.py): K-means on the real images' pixels; both sets assigned to the nearest
 * centre (L2); per bin a two-proportion z-test (pooled standard error, two-tailed) between the real
 * share and the generated share; a bin differs at p < 0.05. Also the Jensen–Shannon divergence of the
 * two bin histograms (nats). As in their code, images of more than 1,000 values are binned on a random
 * sixth of the pixel components, to keep K-means fast. K-means: k-means++ seeding, then Lloyd
 * iterations until no assignment changes (at most `maxIterations`; one start where scikit-learn
 * takes the best of ten).
 */
import { kMeansPlusPlus } from '../toy/gmm';
import { discreteJsd } from '../toy/metrics';
import type { Rng } from '../rng';
import { nearestNeighbours } from './distances';
import { flattenImages, MetricInputError, type ImageBatch } from './images';
import { withDefaults } from './options';

export interface NdbOptions {
  /** Number of bins K (the paper: 100 for large sets; 50 suits a few thousand images). At most the real count. */
  bins?: number;
  /** Significance level of each bin's test. */
  significance?: number;
  /** Lloyd iterations at most. */
  maxIterations?: number;
}

export const NDB_DEFAULTS: Required<NdbOptions> = { bins: 50, significance: 0.05, maxIterations: 100 };

/** Bins fitted on a real set, reusable for every generated set scored against it. */
export interface NdbBins {
  /** Image side the bins were fitted at. */
  size: number;
  /** Pixel components (indices into size·size·3, NHWC) the distances use. */
  dims: Uint32Array;
  /** K × dims.length centres, row-major, on the [0, 1] pixel scale. */
  centres: Float32Array;
  /** Share of the real images in each bin (sums to 1). */
  proportions: Float64Array;
  /** How many real images the bins were fitted on. */
  realCount: number;
  /** Lloyd iterations run. */
  iterations: number;
}

export interface NdbResult {
  /** Number of bins K. */
  bins: number;
  /** Statistically different bins ÷ K, in [0, 1]; about the significance level (0.05) or below for a sample of the real distribution. */
  ndbK: number;
  /** JS divergence between the real and generated bin histograms, nats, in [0, ln 2]. */
  js: number;
  /** Share of the generated images in each bin. */
  proportions: Float64Array;
  /** Which bins differ. */
  different: boolean[];
}

/** Components used for binning: all of them up to 1,000, else a random sixth (sorted), as ndb.py's max_dims. */
function binningDims(full: number, rng: Rng): Uint32Array {
  if (full <= 1000) return Uint32Array.from({ length: full }, (_, i) => i);
  const picked = new Uint32Array(full);
  for (let i = 0; i < full; i++) picked[i] = i;
  const keep = Math.floor(full / 6);
  for (let i = 0; i < keep; i++) {
    const j = i + rng.int(full - i);
    const t = picked[i];
    picked[i] = picked[j];
    picked[j] = t;
  }
  return picked.slice(0, keep).sort();
}

/** Index of the nearest centre for each row (count × dim data, K × dim centres). */
function assign(data: Float32Array, count: number, centres: Float32Array, k: number, dim: number): Int32Array {
  return nearestNeighbours(data, count, centres, k, dim).index;
}

/**
 * Fits K bins on the real images (K = min(bins, real count)). Throws a MetricInputError for an empty set.
 * Cost: iterations × count × K × dims multiply-adds (matMul).
 */
export function fitNdbBins(real: ImageBatch, rng: Rng, options: NdbOptions = {}): NdbBins {
  const { bins, maxIterations } = withDefaults(NDB_DEFAULTS, options);
  if (real.count === 0) throw new MetricInputError('NDB needs at least one real image');
  if (!Number.isInteger(bins) || bins < 2) throw new MetricInputError(`NDB needs at least 2 bins, got ${bins}`);
  const k = Math.min(bins, real.count);
  const dims = binningDims(real.size * real.size * 3, rng);
  const { data, dim } = flattenImages(real, dims);
  const n = real.count;
  const centres = new Float32Array(k * dim);
  kMeansPlusPlus(data, n, dim, k, rng).forEach((centre, c) => centres.set(centre, c * dim));
  let labels = assign(data, n, centres, k, dim);
  let iterations = 0;
  while (iterations < maxIterations) {
    updateCentres(data, n, dim, labels, centres, k);
    const next = assign(data, n, centres, k, dim);
    iterations++;
    let changed = false;
    for (let i = 0; i < n && !changed; i++) changed = next[i] !== labels[i];
    labels = next;
    if (!changed) break;
  }
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  const proportions = counts.map((c) => c / n);
  return { size: real.size, dims, centres, proportions, realCount: n, iterations };
}

/** Moves each centre to the mean of its images; an empty bin restarts at the image farthest from its own centre. */
function updateCentres(data: Float32Array, n: number, dim: number, labels: Int32Array, centres: Float32Array, k: number): void {
  const sizes = new Float64Array(k);
  const sums = new Float64Array(k * dim);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    sizes[c]++;
    for (let d = 0, p = i * dim, q = c * dim; d < dim; d++) sums[q + d] += data[p + d];
  }
  for (let c = 0; c < k; c++) {
    if (sizes[c] > 0) {
      for (let d = 0; d < dim; d++) centres[c * dim + d] = sums[c * dim + d] / sizes[c];
    } else {
      const farthest = farthestPoint(data, n, dim, centres, labels);
      centres.set(data.subarray(farthest * dim, (farthest + 1) * dim), c * dim);
      labels[farthest] = -1;
    }
  }
}

function farthestPoint(data: Float32Array, n: number, dim: number, centres: Float32Array, labels: Int32Array): number {
  let best = 0;
  let bestDistance = -1;
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0) continue;
    let sum = 0;
    for (let d = 0, p = i * dim, q = c * dim; d < dim; d++) sum += (data[p + d] - centres[q + d]) ** 2;
    if (sum > bestDistance) {
      bestDistance = sum;
      best = i;
    }
  }
  return best;
}

/** Complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Two-tailed p-value of the pooled two-proportion z-test between shares p1 of n1 and p2 of n2
 * (ndb.py's two_proportions_z_test). 1 when both shares are 0 or both 1 (nothing to tell apart).
 */
export function twoProportionPValue(p1: number, n1: number, p2: number, n2: number): number {
  const p = (p1 * n1 + p2 * n2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return 1;
  const z = (p1 - p2) / se;
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** Scores generated images against bins fitted by fitNdbBins (same image size). Throws a MetricInputError for an empty or mis-sized set. */
export function scoreNdb(bins: NdbBins, fake: ImageBatch, options: NdbOptions = {}): NdbResult {
  const { significance } = withDefaults(NDB_DEFAULTS, options);
  if (fake.size !== bins.size) throw new MetricInputError(`the bins were fitted on ${bins.size} px images, got ${fake.size} px`);
  if (fake.count === 0) throw new MetricInputError('NDB needs at least one generated image');
  const k = bins.proportions.length;
  const { data, dim } = flattenImages(fake, bins.dims);
  const labels = assign(data, fake.count, bins.centres, k, dim);
  const counts = new Float64Array(k);
  for (const label of labels) counts[label]++;
  const proportions = counts.map((c) => c / fake.count);
  const different = Array.from(bins.proportions, (p, c) => twoProportionPValue(p, bins.realCount, proportions[c], fake.count) < significance);
  return {
    bins: k,
    ndbK: different.filter(Boolean).length / k,
    js: discreteJsd(bins.proportions, proportions),
    proportions,
    different,
  };
}
