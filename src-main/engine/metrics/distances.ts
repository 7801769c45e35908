import * as tf from '@tensorflow/tfjs';

/**
 * The one heavy product the metrics share, A · B (A: rows × inner, B: inner × cols, both row-major),
 * on the active tfjs backend: its matrix kernels (XNNPACK under wasm, BLAS under tfjs-node) run about
 * 8× faster than a JavaScript loop on these shapes. `b` may be an uploaded tensor, reused across calls.
 * Returns rows × cols, row-major.
 */
export function matMul(a: Float32Array, rows: number, inner: number, b: tf.Tensor2D): Float32Array {
  // No tf.tidy: a dataSync inside a tidy scope costs about 100× more on the wasm backend (2 s against 20 ms).
  const left = tf.tensor2d(a, [rows, inner]);
  try {
    const product = tf.matMul(left, b);
    try {
      return product.dataSync() as Float32Array;
    } finally {
      product.dispose();
    }
  } finally {
    left.dispose();
  }
}

/** Squared L2 norm of each row of a count × dim row-major matrix, summed in float64. */
export function rowNorms(data: Float32Array, count: number, dim: number): Float64Array {
  const out = new Float64Array(count);
  for (let n = 0; n < count; n++) {
    let sum = 0;
    for (let d = n * dim, end = d + dim; d < end; d++) sum += data[d] * data[d];
    out[n] = sum;
  }
  return out;
}

/** Squared L2 distance between row i of `a` and row j of `b` (both row-major, width dim), in float64. */
export function squaredDistance(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let sum = 0;
  for (let d = 0, p = i * dim, q = j * dim; d < dim; d++, p++, q++) {
    const diff = a[p] - b[q];
    sum += diff * diff;
  }
  return sum;
}

/** Query rows per product, so that one chunk's distances stay near 16 MB. */
function chunkRows(references: number): number {
  return Math.max(1, Math.floor(4_194_304 / Math.max(1, references)));
}

export interface Neighbours {
  /** For each query row, the index of its nearest reference row (−1 when there is none). */
  index: Int32Array;
  /** For each query row, the squared L2 distance to that row (Infinity when there is none). */
  distance: Float64Array;
}

/**
 * The nearest reference row of every query row by L2 distance. Rows are ranked by ‖r‖² − 2 q·r
 * (‖q − r‖² less the query's own ‖q‖²), the product computed by `matMul` in chunks of queries; the winner's distance is
 * then recomputed exactly in float64, so an exact copy scores 0. With `excludeSelf` the queries are
 * the references themselves (same matrix) and row i never matches itself.
 * Shapes: queries nq × dim, references nr × dim, row-major.
 */
export function nearestNeighbours(
  queries: Float32Array,
  nq: number,
  references: Float32Array,
  nr: number,
  dim: number,
  options: { excludeSelf?: boolean } = {},
): Neighbours {
  const index = new Int32Array(nq).fill(-1);
  const distance = new Float64Array(nq).fill(Infinity);
  if (nq === 0 || nr === 0) return { index, distance };
  const referenceNorms = rowNorms(references, nr, dim);
  const referencesT = tf.tidy(() => tf.transpose(tf.tensor2d(references, [nr, dim])) as tf.Tensor2D);
  try {
    const chunk = chunkRows(nr);
    for (let start = 0; start < nq; start += chunk) {
      const rows = Math.min(chunk, nq - start);
      const dots = matMul(queries.subarray(start * dim, (start + rows) * dim), rows, dim, referencesT);
      for (let r = 0; r < rows; r++) {
        const q = start + r;
        let best = -1;
        let bestValue = Infinity;
        for (let j = 0, o = r * nr; j < nr; j++, o++) {
          if (options.excludeSelf && j === q) continue;
          const value = referenceNorms[j] - 2 * dots[o];
          if (value < bestValue) {
            bestValue = value;
            best = j;
          }
        }
        if (best >= 0) {
          index[q] = best;
          distance[q] = squaredDistance(queries, q, references, best, dim);
        }
      }
    }
  } finally {
    referencesT.dispose();
  }
  return { index, distance };
}
