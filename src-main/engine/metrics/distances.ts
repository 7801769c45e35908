import * as tf from '@tensorflow/tfjs';

/**
 * The one heavy product the metrics share, A · B (A: rows × inner, B: inner × cols, both row-major),
 * on the active tfjs backend: its matrix kernels (XNNPACK under wasm, BLAS under tfjs-node) run about
 * 8× faster than a JavaScript loop on these shapes. `b` may be an uploaded tensor, reused across calls.
 * Returns rows × cols, row-major.
 */
export function matMul(a: Float32Array, rows: number, inner: number, b: tf.Tensor2D): Float32Array {
  // The WebGPU backend cannot read back synchronously under Node, and the metrics are synchronous:
  // there the product is computed here. b was made from an array and is used in no GPU kernel, so its
  // values are still on the CPU and dataSync returns them.
  if (tf.getBackend() === 'webgpu') return matMulHere(a, rows, inner, b.dataSync() as Float32Array, b.shape[1]);
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

/** A · B in JavaScript, float32 like the backends' kernels: A rows × inner, B inner × cols, both row-major. */
export function matMulHere(a: Float32Array, rows: number, inner: number, b: Float32Array, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = out.subarray(r * cols, (r + 1) * cols);
    for (let k = 0; k < inner; k++) {
      const x = a[r * inner + k];
      if (x === 0) continue;
      for (let c = 0, j = k * cols; c < cols; c++, j++) row[c] += x * b[j];
    }
  }
  return out;
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

/** Rows of queries and of references per product: bounds what the backend holds at once (2 × 512 × dim floats). */
const BLOCK_ROWS = 512;

export interface Neighbours {
  /** For each query row, the index of its nearest reference row (−1 when there is none). */
  index: Int32Array;
  /** For each query row, the squared L2 distance to that row (Infinity when there is none). */
  distance: Float64Array;
}

/**
 * The nearest reference row of every query row by L2 distance. Rows are ranked by ‖r‖² − 2 q·r
 * (‖q − r‖² less the query's own ‖q‖²), the products computed by `matMul` in blocks of 512 queries
 * × 512 references; the winner's distance is then recomputed exactly in float64, so an exact copy scores 0. With `excludeSelf` the queries are
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
  const best = new Float64Array(nq).fill(Infinity);
  const referenceNorms = rowNorms(references, nr, dim);
  const blockT = new Float32Array(dim * Math.min(BLOCK_ROWS, nr));
  for (let first = 0; first < nr; first += BLOCK_ROWS) {
    const cols = Math.min(BLOCK_ROWS, nr - first);
    // This block of references, transposed (dim × cols), so the product needs no transpose.
    for (let j = 0; j < cols; j++) for (let d = 0, from = (first + j) * dim; d < dim; d++) blockT[d * cols + j] = references[from + d];
    const block = tf.tensor2d(blockT.subarray(0, dim * cols), [dim, cols]);
    try {
      for (let start = 0; start < nq; start += BLOCK_ROWS) {
        const rows = Math.min(BLOCK_ROWS, nq - start);
        const dots = matMul(queries.subarray(start * dim, (start + rows) * dim), rows, dim, block);
        for (let r = 0; r < rows; r++) {
          const q = start + r;
          for (let j = 0, o = r * cols; j < cols; j++, o++) {
            const ref = first + j;
            if (options.excludeSelf && ref === q) continue;
            const value = referenceNorms[ref] - 2 * dots[o];
            if (value < best[q]) {
              best[q] = value;
              index[q] = ref;
            }
          }
        }
      }
    } finally {
      block.dispose();
    }
  }
  for (let q = 0; q < nq; q++) if (index[q] >= 0) distance[q] = squaredDistance(queries, q, references, index[q], dim);
  return { index, distance };
}
