import type { Bounds } from './distributions';

/** REFERENCE.md's mode-collapse metrics for one set of generated samples. */
export interface ModeMetrics {
  /** Modes that are the nearest mode of at least one high-quality sample. */
  modesCaptured: number;
  totalModes: number;
  /** Fraction (0..1) of samples within 3σ of their nearest mode's mean. */
  highQuality: number;
  /** KL(generated mode histogram || uniform over modes), nats; 0 = balanced, log K = one mode. */
  reverseKL: number;
  /** Samples per nearest mode (all samples, as the reverse KL uses them). */
  counts: number[];
}

/** A perfect sampler's HQ share in 2-D: P(|x − μ| < 3σ) for an isotropic Gaussian = 1 − e^(−4.5). */
export const PERFECT_HIGH_QUALITY_2D = 1 - Math.exp(-4.5);

/**
 * Assigns each sample (flattened n × dim) to its nearest mode and scores the set as REFERENCE.md
 * defines: HQ within 3σ, modes captured by HQ samples, reverse KL of the mode histogram.
 */
export function modeMetrics(samples: ArrayLike<number>, dim: number, modes: number[][], sigma: number): ModeMetrics {
  const n = Math.floor(samples.length / dim);
  const counts = new Array<number>(modes.length).fill(0);
  const capturedBy = new Array<boolean>(modes.length).fill(false);
  let highQuality = 0;
  const limit = 3 * sigma;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDistance = Infinity;
    for (let m = 0; m < modes.length; m++) {
      let squared = 0;
      for (let d = 0; d < dim; d++) {
        const diff = samples[i * dim + d] - modes[m][d];
        squared += diff * diff;
      }
      if (squared < bestDistance) {
        bestDistance = squared;
        best = m;
      }
    }
    counts[best]++;
    if (Math.sqrt(bestDistance) < limit) {
      highQuality++;
      capturedBy[best] = true;
    }
  }
  let reverseKL = 0;
  for (const count of counts) {
    if (count === 0) continue;
    const p = count / n;
    reverseKL += p * Math.log(p * modes.length);
  }
  return {
    modesCaptured: capturedBy.filter(Boolean).length,
    totalModes: modes.length,
    highQuality: n === 0 ? 0 : highQuality / n,
    reverseKL,
    counts,
  };
}

/**
 * Normalised histogram over a regular grid of bins (bins per axis), plus one last cell for the
 * samples outside the bounds, so that mass leaving the view is not folded onto the edge bins.
 */
export function histogram(samples: ArrayLike<number>, dim: number, bounds: Bounds, bins: number): Float64Array {
  const cells = bins ** dim;
  const counts = new Float64Array(cells + 1);
  const n = Math.floor(samples.length / dim);
  for (let i = 0; i < n; i++) {
    let index = 0;
    let outside = false;
    for (let d = 0; d < dim; d++) {
      const t = (samples[i * dim + d] - bounds.min[d]) / (bounds.max[d] - bounds.min[d]);
      if (!(t >= 0 && t <= 1)) {
        outside = true;
        break;
      }
      index = index * bins + Math.min(bins - 1, Math.floor(t * bins));
    }
    counts[outside ? cells : index]++;
  }
  if (n > 0) for (let c = 0; c < counts.length; c++) counts[c] /= n;
  return counts;
}

/** JSD(P || Q) in nats between two discrete distributions; 0 for equal, log 2 for disjoint supports. */
export function discreteJsd(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let jsd = 0;
  for (let i = 0; i < p.length; i++) {
    const m = 0.5 * (p[i] + q[i]);
    if (p[i] > 0) jsd += 0.5 * p[i] * Math.log(p[i] / m);
    if (q[i] > 0) jsd += 0.5 * q[i] * Math.log(q[i] / m);
  }
  return Math.min(Math.LN2, Math.max(0, jsd));
}

/**
 * JSD between real and generated samples from their histograms (as GAN Lab estimates it). Biased
 * upward by finite samples in sparse bins and downward by coarse bins; an independent check on the
 * discriminator's estimate, not ground truth.
 */
export function histogramJsd(
  real: ArrayLike<number>,
  generated: ArrayLike<number>,
  dim: number,
  bounds: Bounds,
  bins = dim === 1 ? 100 : 40,
): number {
  return discreteJsd(histogram(real, dim, bounds, bins), histogram(generated, dim, bounds, bins));
}

/**
 * Kolmogorov–Smirnov distance between two 1-D samples: max over x of |F_a(x) − F_b(x)|, the largest
 * gap between their empirical CDFs. Unitless, in [0, 1]: 0 for identical samples, 1 when every value
 * of one lies below every value of the other (disjoint supports); a generator collapsed to a spike at
 * the data's median reads about 1/2. Unlike a histogram it needs no bins and no bounds. NaN when
 * either sample is empty or holds a NaN (a diverged generator). O((n + m) log(n + m)).
 */
export function ksDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const n = x.length;
  const m = y.length;
  // typed arrays sort NaN last
  if (n === 0 || m === 0 || Number.isNaN(x[n - 1]) || Number.isNaN(y[m - 1])) return NaN;
  let i = 0;
  let j = 0;
  let largest = 0;
  while (i < n && j < m) {
    // step both CDFs past the next value (ties move together, so identical samples never differ)
    const value = Math.min(x[i], y[j]);
    while (i < n && x[i] <= value) i++;
    while (j < m && y[j] <= value) j++;
    largest = Math.max(largest, Math.abs(i / n - j / m));
  }
  return largest;
}

/**
 * The optimal discriminator D*(x) = p_data / (p_data + p_G) (Goodfellow et al. 2014, Prop. 1).
 * Where neither density has mass the classifier has nothing to separate: 1/2.
 */
export function optimalDiscriminator(pData: number, pGenerated: number): number {
  const total = pData + pGenerated;
  return total > 0 ? pData / total : 0.5;
}

/**
 * How far D is from the optimal D* over a grid: the mean of |D − D*| weighted by p_data + p_G, the
 * mixture D is trained on, so places neither distribution visits (where D is unconstrained) do not count.
 */
export function discriminatorGap(
  d: ArrayLike<number>,
  dStar: ArrayLike<number>,
  pData: ArrayLike<number>,
  pGenerated: ArrayLike<number>,
): number {
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < d.length; i++) {
    const weight = pData[i] + pGenerated[i];
    weighted += weight * Math.abs(d[i] - dStar[i]);
    total += weight;
  }
  return total > 0 ? weighted / total : NaN;
}

/** Mean and (population) standard deviation; the spread is what "D flatness" reports. */
export function meanAndStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / n) };
}

/** Mean and sample standard deviation over runs (n − 1), as the CLI's "mean ± std" reports them. */
export function summarize(values: number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}
