/**
 * Silverman's rule of thumb for a Gaussian kernel in 1-D: h = 0.9 · min(σ̂, IQR / 1.34) · n^(−1/5).
 * The IQR term keeps h small for multimodal data, where σ̂ alone would blur the modes together.
 */
export function silvermanBandwidth(samples: ArrayLike<number>): number {
  const n = samples.length;
  if (n < 2) return 1;
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  const mean = sum / n;
  let squares = 0;
  for (const x of sorted) squares += (x - mean) ** 2;
  const std = Math.sqrt(squares / (n - 1));
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const spread = iqr > 0 ? Math.min(std, iqr / 1.34) : std;
  // all samples equal: any positive width is as good as another
  return spread > 0 ? 0.9 * spread * n ** -0.2 : 1e-3;
}

function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(sorted.length - 1, lower + 1);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** Gaussian kernel density estimate of 1-D samples at each x; bandwidth defaults to Silverman's. */
export function kde1d(samples: ArrayLike<number>, xs: ArrayLike<number>, bandwidth = silvermanBandwidth(samples)): Float64Array {
  const n = samples.length;
  const out = new Float64Array(xs.length);
  if (n === 0) return out;
  const norm = 1 / (n * bandwidth * Math.sqrt(2 * Math.PI));
  const sorted = Float64Array.from(samples).sort();
  // kernels beyond 8 bandwidths contribute < 1e-14: only a window of the sorted samples is summed
  const reach = 8 * bandwidth;
  for (let j = 0; j < xs.length; j++) {
    const x = xs[j];
    let sum = 0;
    for (let i = lowerBound(sorted, x - reach); i < n && sorted[i] <= x + reach; i++) {
      const t = (x - sorted[i]) / bandwidth;
      sum += Math.exp(-0.5 * t * t);
    }
    out[j] = sum * norm;
  }
  return out;
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** count evenly spaced points from min to max inclusive. */
export function linspace(min: number, max: number, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = count === 1 ? min : min + ((max - min) * i) / (count - 1);
  return out;
}
