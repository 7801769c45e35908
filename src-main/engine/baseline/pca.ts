import { Matrix, QrDecomposition, SVD } from 'ml-matrix';
import { Rng } from '../rng';
import { standardNormal } from '../toy/distributions';

/**
 * Principal component analysis of n points in R^d (THEORY.md §1's images are such points) by a
 * truncated SVD of the centred n × d data, found with the randomized range finder of Halko,
 * Martinsson & Tropp 2011 (Alg. 4.4, "randomized subspace iteration"; scikit-learn's PCA does the
 * same for these shapes): Y = X Ω for a Gaussian d × k matrix Ω, a few power iterations
 * Y ← X (Xᵀ Y), each re-orthonormalised by a QR, then the SVD of the small k × d matrix Qᵀ X.
 * ml-matrix does the QR and the small SVD; the products with X (the only large operand) are
 * plain loops over typed arrays, on a float32 copy of the centred data (half the memory of float64;
 * its 1e-7 relative rounding is far below an image's 1/255 steps). It costs 2 + 2·powerIterations passes over X, each
 * n · d · k multiply-adds. When k reaches min(n, d) the range of X is captured whole and the result
 * is exact up to rounding; otherwise the leading directions converge quickly when the spectrum decays.
 */
export interface Pca {
  /** d: the dimension of the data. */
  dim: number;
  /** D: how many principal directions were kept. */
  components: number;
  /** The mean of the data, length d. */
  mean: Float64Array;
  /** D × d, row-major: orthonormal principal directions, largest variance first. */
  basis: Float64Array;
  /** Length D: the data's variance along each direction (σ_i² / n), decreasing. */
  variances: Float64Array;
  /** The data's total variance: the sum of the d per-coordinate variances (mean squared distance to the mean). */
  totalVariance: number;
  /** Σ variances / totalVariance, in [0, 1]: the share of the variance the D directions explain. */
  explainedVariance: number;
}

export interface PcaOptions {
  /** D, 1 ≤ D ≤ min(n, d). */
  components: number;
  seed?: number;
  /** Power iterations (default 4); more sharpen the directions when the spectrum decays slowly. */
  powerIterations?: number;
  /** Extra random directions beyond D (default 10), discarded at the end. */
  oversample?: number;
}

/** What PCA has done so far: passes over the data out of the total it needs. */
export interface PcaProgress {
  done: number;
  total: number;
}

/** Passes over the data pcaSteps makes (its progress total). */
export function pcaPasses(options: Pick<PcaOptions, 'powerIterations'>): number {
  return 2 + 2 * (options.powerIterations ?? DEFAULT_POWER_ITERATIONS);
}

const DEFAULT_POWER_ITERATIONS = 4;
const DEFAULT_OVERSAMPLE = 10;

/**
 * PCA of `count` points, flattened count × dim (row-major, any numeric array). Throws a one-line
 * Error when D is not a whole number in [1, min(count, dim)].
 */
export function fitPca(data: ArrayLike<number>, count: number, dim: number, options: PcaOptions): Pca {
  const steps = pcaSteps(data, count, dim, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** fitPca one pass over the data at a time: yields after each, returns the PCA (see fitGmmSteps). */
export function* pcaSteps(data: ArrayLike<number>, count: number, dim: number, options: PcaOptions): Generator<PcaProgress, Pca, void> {
  const n = count;
  const d = dim;
  const D = options.components;
  if (!(Number.isInteger(D) && D >= 1 && D <= Math.min(n, d))) {
    throw new Error(`PCA components must be a whole number from 1 to ${Math.min(n, d)} (the number of points or of dimensions, whichever is smaller), got ${D}`);
  }
  if (data.length < n * d) throw new Error(`PCA data holds ${data.length} numbers, fewer than ${n} × ${d}`);
  const powerIterations = options.powerIterations ?? DEFAULT_POWER_ITERATIONS;
  const k = Math.min(D + (options.oversample ?? DEFAULT_OVERSAMPLE), n, d);
  const total = pcaPasses(options);
  let done = 0;

  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const centred = new Float32Array(n * d);
  let sumOfSquares = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      centred[i * d + j] = data[i * d + j] - mean[j];
      const value = centred[i * d + j];
      sumOfSquares += value * value;
    }
  }
  const totalVariance = sumOfSquares / n;

  const rng = new Rng(options.seed ?? 0);
  const omega = new Float64Array(k * d);
  for (let i = 0; i < omega.length; i++) omega[i] = standardNormal(rng);
  // Q: n × k with orthonormal columns spanning X Ωᵀ, then X (Xᵀ Q) per power iteration.
  let q = orthonormalColumns(timesTransposed(centred, n, d, omega, k), n, k);
  yield { done: ++done, total };
  for (let p = 0; p < powerIterations; p++) {
    const z = orthonormalColumns(transpose(transposedTimes(q, centred, n, k, d), k, d), d, k);
    yield { done: ++done, total };
    q = orthonormalColumns(timesTransposed(centred, n, d, transpose(z, d, k), k), n, k);
    yield { done: ++done, total };
  }
  // B = Qᵀ X is k × d; the left singular vectors of Bᵀ are X's principal directions, its singular values X's.
  const b = transposedTimes(q, centred, n, k, d);
  yield { done: ++done, total };
  const bt = transpose(b, k, d);
  const svd = new SVD(Matrix.from1DArray(d, k, bt), { computeLeftSingularVectors: true, computeRightSingularVectors: false });
  const singular = svd.diagonal;
  const left = svd.leftSingularVectors;
  const order = singular.map((_, i) => i).sort((a, b) => singular[b] - singular[a]);
  const basis = new Float64Array(D * d);
  const variances = new Float64Array(D);
  for (let c = 0; c < D; c++) {
    const column = order[c];
    variances[c] = (singular[column] * singular[column]) / n;
    for (let j = 0; j < d; j++) basis[c * d + j] = left.get(j, column);
  }
  const explained = variances.reduce((a, b) => a + b, 0);
  return {
    dim: d,
    components: D,
    mean,
    basis,
    variances,
    totalVariance,
    explainedVariance: totalVariance > 0 ? Math.min(1, explained / totalVariance) : 1,
  };
}

/** Coordinates of `count` points (count × d) along the principal directions: count × D, centred. */
export function projectPca(pca: Pca, data: ArrayLike<number>, count: number): Float64Array {
  const { dim: d, components: D, mean, basis } = pca;
  const out = new Float64Array(count * D);
  const row = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < d; j++) row[j] = data[i * d + j] - mean[j];
    for (let c = 0; c < D; c++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += basis[c * d + j] * row[j];
      out[i * D + c] = sum;
    }
  }
  return out;
}

/** Points back in R^d from their coordinates (count × D): mean + Σ_c coordinate_c · direction_c, count × d. */
export function reconstructPca(pca: Pca, coordinates: ArrayLike<number>, count: number): Float64Array {
  const { dim: d, components: D, mean, basis } = pca;
  const out = new Float64Array(count * d);
  for (let i = 0; i < count; i++) {
    const row = out.subarray(i * d, (i + 1) * d);
    row.set(mean);
    for (let c = 0; c < D; c++) {
      const a = coordinates[i * D + c];
      for (let j = 0; j < d; j++) row[j] += a * basis[c * d + j];
    }
  }
  return out;
}

/** X Wᵀ for X n × d (float32) and W k × d, both row-major: n × k (dot products, four accumulators). */
function timesTransposed(x: Float32Array, n: number, d: number, w: Float64Array, k: number): Float64Array {
  const out = new Float64Array(n * k);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j];
    for (let c = 0; c < k; c++) {
      const o = c * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j + 3 < d; j += 4) {
        s0 += row[j] * w[o + j];
        s1 += row[j + 1] * w[o + j + 1];
        s2 += row[j + 2] * w[o + j + 2];
        s3 += row[j + 3] * w[o + j + 3];
      }
      for (; j < d; j++) s0 += row[j] * w[o + j];
      out[i * k + c] = s0 + s1 + s2 + s3;
    }
  }
  return out;
}

/**
 * Qᵀ X for Q n × k and X n × d (float32), both row-major: k × d. Four rows of X at a time, so the
 * k × d result is swept n/4 times rather than n.
 */
function transposedTimes(q: Float64Array, x: Float32Array, n: number, k: number, d: number): Float64Array {
  const out = new Float64Array(k * d);
  const r0 = new Float64Array(d);
  const r1 = new Float64Array(d);
  const r2 = new Float64Array(d);
  const r3 = new Float64Array(d);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    for (let j = 0; j < d; j++) {
      r0[j] = x[i * d + j];
      r1[j] = x[(i + 1) * d + j];
      r2[j] = x[(i + 2) * d + j];
      r3[j] = x[(i + 3) * d + j];
    }
    for (let c = 0; c < k; c++) {
      const a0 = q[i * k + c];
      const a1 = q[(i + 1) * k + c];
      const a2 = q[(i + 2) * k + c];
      const a3 = q[(i + 3) * k + c];
      const o = c * d;
      for (let j = 0; j < d; j++) out[o + j] += a0 * r0[j] + a1 * r1[j] + a2 * r2[j] + a3 * r3[j];
    }
  }
  for (; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const a = q[i * k + c];
      const o = c * d;
      for (let j = 0; j < d; j++) out[o + j] += a * x[i * d + j];
    }
  }
  return out;
}

/** The transpose of a rows × columns row-major matrix. */
function transpose(a: Float64Array, rows: number, columns: number): Float64Array {
  const out = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) out[j * rows + i] = a[i * columns + j];
  return out;
}

/** An orthonormal basis of the column space of a rows × k matrix (rows ≥ k), by ml-matrix's Householder QR. */
function orthonormalColumns(a: Float64Array, rows: number, k: number): Float64Array {
  const q = new QrDecomposition(Matrix.from1DArray(rows, k, a)).orthogonalMatrix;
  return Float64Array.from(q.to1DArray());
}
