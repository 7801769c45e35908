import type { Rng } from '../rng';

/** Axis-aligned box the playground draws and the histogram metrics bin over. */
export interface Bounds {
  min: number[];
  max: number[];
}

export type ToyDistributionName =
  | 'ring8'
  | 'grid25'
  | 'gaussian'
  | 'moons'
  | 'spiral'
  | 'drawn'
  | 'gaussian1d'
  | 'bimodal1d';

/**
 * A target distribution of the playground. Only sampling is required (THEORY.md §2: we can sample
 * P_data but not evaluate it); modes and density exist where the distribution defines them.
 */
export interface ToyDistribution {
  readonly name: ToyDistributionName;
  readonly dim: 1 | 2;
  /** Where the data lives, with a margin: the plot's view and the histogram's range. */
  readonly bounds: Bounds;
  /**
   * Typical size of the data (max |coordinate|). The networks work in coordinates divided by it, so
   * the same architecture and learning rate fit ring8 (radius 1) and grid25 (±4).
   */
  readonly scale: number;
  /** Mode means, for the REFERENCE.md mode metrics; undefined where modes are not meaningful. */
  readonly modes?: number[][];
  /** The per-mode standard deviation the mode metrics use (HQ = within 3σ). */
  readonly sigma?: number;
  /** n samples, flattened row-major (n × dim). */
  sample(n: number, rng: Rng): Float32Array;
  /** The exact density at a point, where it has a closed form. */
  density?(x: number[]): number;
}

/** A standard normal draw from a uniform Rng (Box–Muller; one of the pair is discarded for simplicity). */
export function standardNormal(rng: Rng): number {
  let u = rng.next();
  while (u <= Number.EPSILON) u = rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function normalPdf(x: number, mean: number, sigma: number): number {
  const t = (x - mean) / sigma;
  return Math.exp(-0.5 * t * t) / (sigma * Math.sqrt(2 * Math.PI));
}

/** Equal-weight isotropic Gaussians around the given means. */
export function gaussianMixture(
  name: ToyDistributionName,
  means: number[][],
  sigma: number,
  options: { bounds?: Bounds; withModes?: boolean } = {},
): ToyDistribution {
  const dim = means[0].length as 1 | 2;
  const extent = Math.max(...means.flat().map(Math.abs)) + 4 * sigma;
  const scale = Math.max(extent, 1e-3);
  const margin = 0.25 * scale + 3 * sigma;
  const bounds = options.bounds ?? {
    min: Array.from({ length: dim }, (_, d) => Math.min(...means.map((m) => m[d])) - margin),
    max: Array.from({ length: dim }, (_, d) => Math.max(...means.map((m) => m[d])) + margin),
  };
  return {
    name,
    dim,
    bounds,
    scale,
    modes: options.withModes === false ? undefined : means.map((m) => [...m]),
    sigma,
    sample(n, rng) {
      const out = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) {
        const mean = means[rng.int(means.length)];
        for (let d = 0; d < dim; d++) out[i * dim + d] = mean[d] + sigma * standardNormal(rng);
      }
      return out;
    },
    density(x) {
      let sum = 0;
      for (const mean of means) {
        let p = 1;
        for (let d = 0; d < dim; d++) p *= normalPdf(x[d], mean[d], sigma);
        sum += p;
      }
      return sum / means.length;
    },
  };
}

/** REFERENCE.md ring8: 8 Gaussians on the unit circle, σ = 0.01. */
export function ring8(sigma = 0.01): ToyDistribution {
  const means = Array.from({ length: 8 }, (_, k) => [Math.cos((2 * Math.PI * k) / 8), Math.sin((2 * Math.PI * k) / 8)]);
  return gaussianMixture('ring8', means, sigma, { bounds: { min: [-1.5, -1.5], max: [1.5, 1.5] } });
}

/** REFERENCE.md grid25: 25 Gaussians at {−4, −2, 0, 2, 4}², σ = 0.05. */
export function grid25(sigma = 0.05): ToyDistribution {
  const means: number[][] = [];
  for (const x of [-4, -2, 0, 2, 4]) for (const y of [-4, -2, 0, 2, 4]) means.push([x, y]);
  return gaussianMixture('grid25', means, sigma, { bounds: { min: [-5.5, -5.5], max: [5.5, 5.5] } });
}

/** One isotropic Gaussian in the plane; one mode, so the mode metrics still apply. */
export function gaussian2d(mean: number[] = [0, 0], sigma = 0.5): ToyDistribution {
  return gaussianMixture('gaussian', [mean], sigma, {
    bounds: { min: [mean[0] - 2, mean[1] - 2], max: [mean[0] + 2, mean[1] + 2] },
  });
}

/** Two interleaved half circles with Gaussian noise (as scikit-learn's make_moons). */
export function twoMoons(noise = 0.05): ToyDistribution {
  return {
    name: 'moons',
    dim: 2,
    bounds: { min: [-1.5, -1], max: [2.5, 1.5] },
    scale: 2,
    sample(n, rng) {
      const out = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) {
        const t = Math.PI * rng.next();
        const upper = rng.next() < 0.5;
        const x = upper ? Math.cos(t) : 1 - Math.cos(t);
        const y = upper ? Math.sin(t) : 0.5 - Math.sin(t);
        out[2 * i] = x + noise * standardNormal(rng);
        out[2 * i + 1] = y + noise * standardNormal(rng);
      }
      return out;
    },
  };
}

/** An Archimedean spiral (1.5 turns, radius up to 1) with Gaussian noise. */
export function spiral(noise = 0.02, turns = 1.5): ToyDistribution {
  return {
    name: 'spiral',
    dim: 2,
    bounds: { min: [-1.3, -1.3], max: [1.3, 1.3] },
    scale: 1,
    sample(n, rng) {
      const out = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) {
        // sqrt spreads points evenly along the arc instead of crowding the centre
        const s = Math.sqrt(rng.next());
        const angle = 2 * Math.PI * turns * s;
        out[2 * i] = s * Math.cos(angle) + noise * standardNormal(rng);
        out[2 * i + 1] = s * Math.sin(angle) + noise * standardNormal(rng);
      }
      return out;
    },
  };
}

/**
 * The distribution a user draws: an equal mixture of Gaussians around the drawn points. The points
 * are not modes in the REFERENCE.md sense (a stroke is a curve), so no mode metrics.
 */
export function drawnPoints(points: number[][], sigma = 0.05): ToyDistribution {
  if (points.length === 0) throw new Error('a drawn distribution needs at least one point');
  if (points.some((p) => p.length !== 2)) throw new Error('drawn points must be 2-D');
  const base = gaussianMixture('drawn', points, sigma, { withModes: false });
  return base;
}

/** 1-D: one Gaussian, the setting of Goodfellow 2014, Fig. 1. */
export function gaussian1d(mean = 2, sigma = 0.5): ToyDistribution {
  return gaussianMixture('gaussian1d', [[mean]], sigma, { bounds: { min: [mean - 6 * sigma - 3], max: [mean + 6 * sigma + 3] } });
}

/** 1-D: two equal Gaussians, the smallest case where a generator can drop a mode. */
export function bimodal1d(separation = 4, sigma = 0.5): ToyDistribution {
  const half = separation / 2;
  return gaussianMixture('bimodal1d', [[-half], [half]], sigma, {
    bounds: { min: [-half - 6 * sigma - 1], max: [half + 6 * sigma + 1] },
  });
}

/** The named distributions with their reference parameters ('drawn' needs points: use drawnPoints). */
export function toyDistribution(name: Exclude<ToyDistributionName, 'drawn'>): ToyDistribution {
  switch (name) {
    case 'ring8':
      return ring8();
    case 'grid25':
      return grid25();
    case 'gaussian':
      return gaussian2d();
    case 'moons':
      return twoMoons();
    case 'spiral':
      return spiral();
    case 'gaussian1d':
      return gaussian1d();
    case 'bimodal1d':
      return bimodal1d();
  }
}
