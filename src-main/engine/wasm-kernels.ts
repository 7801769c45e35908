import {
  backend_util,
  BatchMatMul,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  registerKernel,
  Tile,
  unregisterKernel,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/*
 * Training kernels for tfjs-backend-wasm 4.22 (DESIGN.md, "Compute backends").
 *
 * - Conv2DBackpropFilter: missing from stock wasm, so no convolution could train there.
 * - Conv2DBackpropInput: stock wasm has one, but it is a naive loop at ~2-3 GFLOP/s while its
 *   Conv2D (XNNPACK) reaches 20-30; every generator layer and every conv's backward pass uses it.
 * - Tile and transposed BatchMatMul: stock versions that a DCGAN step hits (batch norm's and dense
 *   layers' gradients) and that cost more than the convolutions next to them.
 * Every other kernel stays stock.
 *
 * They are written against the backend (stock wasm kernel functions on TensorInfos, intermediates
 * released with disposeData, layout changes on the wasm heap from JS) rather than with tf ops: a
 * kernel function runs inside the engine's kernel scope, where tf ops would add engine bookkeeping
 * per call, and a plain TensorInfo result is wrapped by the engine exactly like a stock kernel's.
 */

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/** Intermediate buffers of a composed kernel, released in LIFO order even when a step throws. */
class Scratch {
  private readonly infos: TensorInfo[] = [];
  constructor(private readonly backend: BackendWasm) {}
  keep(info: TensorInfo): TensorInfo {
    this.infos.push(info);
    return info;
  }
  release(): void {
    for (const info of this.infos.splice(0).reverse()) this.backend.disposeData(info.dataId);
  }
}

function stockKernel(name: string): KernelFunc {
  const config = getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm kernel '${name}' is not registered (import @tensorflow/tfjs-backend-wasm first)`);
  return config.kernelFunc;
}

function run(backend: BackendWasm, name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  return stockKernel(name)({ inputs, backend, attrs }) as TensorInfo;
}

/** The stock stride-1 NHWC Conv2D with explicit padding, the building block of the gradient kernels. */
function conv2dStride1(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, pad: ExplicitPad, dilations: [number, number] = [1, 1]): TensorInfo {
  return run(backend, Conv2D, { x, filter }, { strides: [1, 1], pad: pad as unknown as NamedAttrMap[string], dilations, dataFormat: 'NHWC' });
}

function checkNHWC(kernel: string, dataFormat: string, dtype: string): void {
  if (dataFormat !== 'NHWC') throw new Error(`wasm ${kernel} supports only dataFormat 'NHWC', got '${dataFormat}'`);
  if (dtype !== 'float32') throw new Error(`wasm ${kernel} supports only float32, got ${dtype}`);
}

// ---------------------------------------------------------------------------------------------
// Layout helpers on the wasm heap. Stock wasm Transpose manages ~1.6 GB/s on a 4×4×256×512 filter
// (10 ms); these copy whole runs, or cache-sized tiles.

/** Copies `n` floats; typed-array set() only pays off for longer runs. */
function copyRun(dst: Float32Array, d: number, src: Float32Array, s: number, n: number): void {
  if (n >= 32) dst.set(src.subarray(s, s + n), d);
  else for (let i = 0; i < n; i++) dst[d + i] = src[s + i];
}

/** 4-D transpose that keeps the last axis in place (perm[3] === 3), as runs of the last axis. */
function permuteKeepLast(backend: BackendWasm, x: TensorInfo, perm: [number, number, number, 3]): TensorInfo {
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
function transposeBlock(src: Float32Array, s: number, dst: Float32Array, d: number, R: number, K: number): void {
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
function swapBatchAndChannels(backend: BackendWasm, x: TensorInfo): TensorInfo {
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

// ---------------------------------------------------------------------------------------------
// Conv2DBackpropFilter
//
// dW[p, q, c, o] = Σ_{b,i,j} xpad[b, i·s + p, j·s + q, c] · dy[b, i, j, o]. With batch and channel
// axes of x swapped (xᵀ: [C, H, W, B]) and dy laid out as a filter (dyᵀ: [oH, oW, B, O]) that is a
// stride-1 convolution of xᵀ dilated by s, whose output [C, kH, kW, O] is dW up to a transpose.
// Running it on XNNPACK's Conv2D keeps it near the forward convolution's speed.

function conv2dBackpropFilter(args: { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  checkNHWC(Conv2DBackpropFilter, dataFormat, x.dtype);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { filterHeight: kH, filterWidth: kW, strideHeight: sH, strideWidth: sW, inHeight, inWidth } = info;
  const [, oH, oW] = dy.shape;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Rows past the last window the forward pass read are not needed; when the input has such rows
  // the dilated conv yields extra outputs, skipped when dW is laid out below.
  const bottom = Math.max(0, (oH - 1) * sH + kH - inHeight - top);
  const right = Math.max(0, (oW - 1) * sW + kW - inWidth - left);

  const scratch = new Scratch(backend);
  try {
    const xT = scratch.keep(swapBatchAndChannels(backend, x));
    const dyT = scratch.keep(permuteKeepLast(backend, dy, [1, 2, 0, 3]));
    const explicit: ExplicitPad = [[0, 0], [top, bottom], [left, right], [0, 0]];
    const grad = scratch.keep(
      conv2dStride1(backend, xT, dyT, explicit, [sH, sW]),
    );
    // [C, kH′, kW′, O] → [kH, kW, C, O], dropping rows kH′ > kH.
    const [C, gH, gW, O] = grad.shape;
    const out = backend.makeOutput([kH, kW, C, O], 'float32');
    const src = backend.typedArrayFromHeap(grad) as Float32Array;
    const dst = backend.typedArrayFromHeap(out) as Float32Array;
    let d = 0;
    for (let p = 0; p < kH; p++) {
      for (let q = 0; q < kW; q++) {
        for (let c = 0; c < C; c++, d += O) copyRun(dst, d, src, ((c * gH + p) * gW + q) * O, O);
      }
    }
    return out;
  } finally {
    scratch.release();
  }
}

// ---------------------------------------------------------------------------------------------
// Conv2DBackpropInput (also the forward pass of conv2dTranspose)
//
// dx[h] = Σ_{i,p : i·s + p − top = h} dy[i] · w[p]. Write the padded position h + top as t·s + r:
// phase r only meets taps p = r + s·m (m < M_r = ⌈(k − r)/s⌉), so dx at phase r is a stride-1
// correlation of dy with the flipped sub-kernel w[r + s·(M_r − 1 − m′)]. Each of the s_h·s_w phases
// is one XNNPACK conv of exactly the size it needs; one pass then interleaves them (pixel shuffle).
// For 4×4 stride-2 'same' these are the 2×2 sub-kernels of DESIGN.md, without the extra border row
// and column a single conv over dy padded by 1 computes (36% waste on a 4×4 input).

let stockBackpropInput: KernelConfig | undefined;

/** Mutable so that tests and ../bench/wasm-kernels-profile.ts can drive each path and compare. */
export const wasmKernelTuning = {
  /**
   * Crossover between the two Conv2DBackpropInput strategies, measured on dcgan-ref layers (batch
   * 16): per-phase convs win from 32 output channels up (4×4×512 → 8×8×256: 67 ms against 97 ms;
   * 8×8×64 → 16×16×32: 3.2 ms against 3.8 ms), the fused conv at 3 (32×32×64 → 64×64×3: 6-9 ms
   * against 10-14 ms).
   */
  fusedBelowChannels: 32,
  /** Keep rearranged filters while their source tensor lives (see cachedFilters). */
  reuseFilters: true,
};

interface Phase {
  taps: number;
  padBefore: number;
  padAfter: number;
  /** phase block t sits at row t − shift of the phase's conv output */
  shift: number;
}

/** One axis: for each phase r, its taps and the padding that makes its conv cover all its rows. */
function phases(k: number, s: number, padBefore: number, inSize: number, dySize: number): (Phase | null)[] {
  const out: (Phase | null)[] = [];
  for (let r = 0; r < s; r++) {
    const taps = Math.ceil((k - r) / s);
    const tLo = Math.ceil((padBefore - r) / s);
    const tHi = Math.floor((padBefore + inSize - 1 - r) / s);
    if (taps <= 0 || tHi < tLo) {
      out.push(null);
      continue;
    }
    const before = Math.max(0, taps - 1 - tLo);
    out.push({
      taps,
      padBefore: before,
      padAfter: Math.max(0, tHi + 1 - dySize, taps - dySize - before),
      shift: taps - 1 - before,
    });
  }
  return out;
}

/** Filter of the fused strategy: [M_h, M_w, O, s_h·s_w·C], flipped sub-kernels, zeros where a phase has fewer taps. */
function fusedFilter(backend: BackendWasm, filter: TensorInfo, sH: number, sW: number, mH: number, mW: number): TensorInfo {
  const [kH, kW, C, O] = filter.shape;
  const channels = sH * sW * C;
  const g = backend.makeOutput([mH, mW, O, channels], 'float32');
  // Views only after the allocation: growing the wasm heap detaches earlier ones.
  const w = backend.typedArrayFromHeap(filter) as Float32Array;
  const gv = backend.typedArrayFromHeap(g) as Float32Array;
  gv.fill(0);
  for (let mh = 0; mh < mH; mh++) {
    for (let rh = 0; rh < sH; rh++) {
      const p = rh + sH * (mH - 1 - mh);
      if (p >= kH) continue;
      for (let mw = 0; mw < mW; mw++) {
        for (let rw = 0; rw < sW; rw++) {
          const q = rw + sW * (mW - 1 - mw);
          if (q >= kW) continue;
          const src = (p * kW + q) * C * O;
          const dst = (mh * mW + mw) * O * channels + (rh * sW + rw) * C;
          for (let c = 0; c < C; c++) {
            let d = dst + c;
            for (let o = 0, i = src + c * O; o < O; o++, d += channels) gv[d] = w[i++];
          }
        }
      }
    }
  }
  return g;
}

/** Filters of the per-phase strategy, one [M_rh, M_rw, O, C] flipped sub-kernel per phase (null: no taps). */
function phaseFilters(backend: BackendWasm, filter: TensorInfo, sH: number, sW: number): (TensorInfo | null)[] {
  const [kH, kW, C, O] = filter.shape;
  const out: (TensorInfo | null)[] = [];
  for (let rh = 0; rh < sH; rh++) {
    for (let rw = 0; rw < sW; rw++) {
      const tH = Math.ceil((kH - rh) / sH);
      const tW = Math.ceil((kW - rw) / sW);
      if (tH <= 0 || tW <= 0) {
        out.push(null);
        continue;
      }
      const g = backend.makeOutput([tH, tW, O, C], 'float32');
      const w = backend.typedArrayFromHeap(filter) as Float32Array;
      const gv = backend.typedArrayFromHeap(g) as Float32Array;
      for (let mh = 0; mh < tH; mh++) {
        const p = rh + sH * (tH - 1 - mh);
        for (let mw = 0; mw < tW; mw++) {
          const q = rw + sW * (tW - 1 - mw);
          transposeBlock(w, (p * kW + q) * C * O, gv, (mh * tW + mw) * O * C, C, O);
        }
      }
      out.push(g);
    }
  }
  return out;
}

/*
 * Rearranged filters outlive one call: the generator's weights go through Conv2DBackpropInput
 * twice per iteration (D's update and G's, with G unchanged in between) and the discriminator's
 * three times (G's update, then the next iteration's real and fake passes). Reusing the same
 * rearranged filter tensor also lets the wasm Conv2D reuse its XNNPACK operator, whose weight
 * packing is a third of the call on the 4×4×512 layer. An entry lives while its source tensor
 * does: tfjs never writes into an existing tensor's buffer, so a live source means valid filters.
 */
interface FilterCacheEntry {
  source: TensorInfo['dataId'];
  key: string;
  filters: (TensorInfo | null)[];
}
const filterCaches = new Map<BackendWasm, FilterCacheEntry[]>();
/** Bounds memory when sources outlive their use (weights kept after training, say). */
const FILTER_CACHE_ENTRIES = 24;

function releaseEntry(backend: BackendWasm, entry: FilterCacheEntry): void {
  for (const f of entry.filters) if (f) backend.disposeData(f.dataId);
}

function cachedFilters(
  backend: BackendWasm,
  filter: TensorInfo,
  key: string,
  build: () => (TensorInfo | null)[],
): (TensorInfo | null)[] {
  let cache = filterCaches.get(backend);
  if (!cache) filterCaches.set(backend, (cache = []));
  for (let i = cache.length - 1; i >= 0; i--) {
    if (!wasmKernelTuning.reuseFilters || !backend.dataIdMap.has(cache[i].source)) releaseEntry(backend, cache.splice(i, 1)[0]);
  }
  // Reshapes share their source's buffer, so the shape is part of the key.
  key = `${key} ${filter.shape.join('x')}`;
  const hit = cache.findIndex((e) => e.source === filter.dataId && e.key === key);
  if (hit >= 0) {
    const [entry] = cache.splice(hit, 1);
    cache.push(entry);
    return entry.filters;
  }
  const filters = build();
  cache.push({ source: filter.dataId, key, filters });
  while (cache.length > FILTER_CACHE_ENTRIES) releaseEntry(backend, cache.shift()!);
  return filters;
}

/** Frees the rearranged filters kept between calls (each is also freed once its source tensor is). */
export function clearWasmKernelCaches(): void {
  for (const [backend, entries] of filterCaches) {
    // A disposed backend took its heap, and these buffers, with it.
    if (backend.wasm) for (const entry of entries) releaseEntry(backend, entry);
  }
  filterCaches.clear();
}

/**
 * All phases in one conv over dy padded by M − 1 − t0 (M = ⌈k/s⌉, shorter phases zero-padded), the
 * phases as s_h·s_w blocks of output channels. Computes a border row and column more than needed,
 * but narrow outputs (the generator's RGB layer) run far better as one wide conv than as s² thin ones.
 */
function backpropInputFused(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: number[],
  sH: number,
  sW: number,
  top: number,
  left: number,
): TensorInfo {
  const [kH, kW, C, O] = filter.shape;
  const [B, inH, inW] = inputShape;
  const [, oH, oW] = dy.shape;
  const mH = Math.ceil(kH / sH);
  const mW = Math.ceil(kW / sW);
  const t0h = Math.floor(top / sH);
  const t1h = Math.floor((top + inH - 1) / sH);
  const t0w = Math.floor(left / sW);
  const t1w = Math.floor((left + inW - 1) / sW);
  const before: [number, number] = [mH - 1 - t0h, mW - 1 - t0w];
  const explicit: ExplicitPad = [
    [0, 0],
    [before[0], Math.max(0, t1h - oH + 1, mH - oH - before[0])],
    [before[1], Math.max(0, t1w - oW + 1, mW - oW - before[1])],
    [0, 0],
  ];
  const channels = sH * sW * C;
  const scratch = new Scratch(backend);
  try {
    const [g] = cachedFilters(backend, filter, `fused ${sH} ${sW}`, () => [fusedFilter(backend, filter, sH, sW, mH, mW)]);
    const z = scratch.keep(conv2dStride1(backend, dy, g!, explicit));
    const out = backend.makeOutput([B, inH, inW, C], 'float32');
    const src = backend.typedArrayFromHeap(z) as Float32Array;
    const dst = backend.typedArrayFromHeap(out) as Float32Array;
    const [, zH, zW] = z.shape;
    const offH = top - t0h * sH;
    const offW = left - t0w * sW;
    let d = 0;
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < inH; h++) {
        const ph = h + offH;
        const rowBase = (b * zH + Math.floor(ph / sH)) * zW;
        const phaseH = (ph % sH) * sW;
        for (let x = 0; x < inW; x++, d += C) {
          const pw = x + offW;
          copyRun(dst, d, src, (rowBase + Math.floor(pw / sW)) * channels + (phaseH + (pw % sW)) * C, C);
        }
      }
    }
    return out;
  } finally {
    scratch.release();
  }
}


function conv2dBackpropInput(args: { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { filterHeight: kH, filterWidth: kW, strideHeight: sH, strideWidth: sW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const fast =
    dataFormat === 'NHWC' &&
    dy.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    top >= 0 &&
    left >= 0 &&
    top <= kH - 1 &&
    left <= kW - 1;
  if (!fast) {
    if (!stockBackpropInput) throw new Error('stock wasm Conv2DBackpropInput is unavailable');
    return stockBackpropInput.kernelFunc(args) as TensorInfo;
  }

  const [B, inH, inW, C] = inputShape;
  if (C < wasmKernelTuning.fusedBelowChannels) return backpropInputFused(backend, dy, filter, inputShape, sH, sW, top, left);
  const [, oH, oW, O] = dy.shape;
  const rows = phases(kH, sH, top, inH, oH);
  const cols = phases(kW, sW, left, inW, oW);

  const scratch = new Scratch(backend);
  try {
    const filters = cachedFilters(backend, filter, `phases ${sH} ${sW}`, () => phaseFilters(backend, filter, sH, sW));
    const z: (TensorInfo | null)[] = [];
    for (let rh = 0; rh < sH; rh++) {
      for (let rw = 0; rw < sW; rw++) {
        const ph = rows[rh];
        const pw = cols[rw];
        const g = filters[rh * sW + rw];
        if (!ph || !pw || !g) {
          z.push(null);
          continue;
        }
        const explicit: ExplicitPad = [[0, 0], [ph.padBefore, ph.padAfter], [pw.padBefore, pw.padAfter], [0, 0]];
        z.push(scratch.keep(conv2dStride1(backend, dy, g, explicit)));
      }
    }

    const out = backend.makeOutput([B, inH, inW, C], 'float32');
    // Views only after the last allocation: growing the wasm heap detaches earlier ones.
    const dst = backend.typedArrayFromHeap(out) as Float32Array;
    const src = z.map((t) => (t ? (backend.typedArrayFromHeap(t) as Float32Array) : null));
    const rowOf = Array.from({ length: inH }, (_, h) => {
      const r = (h + top) % sH;
      return { r, u: (h + top - r) / sH - (rows[r]?.shift ?? 0) };
    });
    const colOf = Array.from({ length: inW }, (_, w) => {
      const r = (w + left) % sW;
      return { r, u: (w + left - r) / sW - (cols[r]?.shift ?? 0) };
    });
    let d = 0;
    for (let b = 0; b < B; b++) {
      for (const row of rowOf) {
        for (const col of colOf) {
          const phase = row.r * sW + col.r;
          const zs = src[phase];
          const zi = z[phase];
          if (zs && zi) copyRun(dst, d, zs, ((b * zi.shape[1] + row.u) * zi.shape[2] + col.u) * C, C);
          else dst.fill(0, d, d + C);
          d += C;
        }
      }
    }
    return out;
  } finally {
    scratch.release();
  }
}

// ---------------------------------------------------------------------------------------------
// Tile
//
// Batch norm's gradient tiles a per-channel vector to the full activation shape; stock wasm Tile
// took 50-150 ms for one [1,1,1,64] → [16,32,32,64] tile, more than the convolution beside it, and
// ~18% of a dcgan-ref 64 px step. Copying whole rows of the last axis (doubling with copyWithin)
// brings the 13 tiles of a step from ~730 ms to ~30 ms.

let stockTile: KernelConfig | undefined;

function tile(args: { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as { x: TensorInfo };
  const reps = (args.attrs as { reps: number[] }).reps;
  const rank = x.shape.length;
  if (x.dtype === 'string' || rank === 0 || reps.length !== rank) {
    if (!stockTile) throw new Error('stock wasm Tile is unavailable');
    return stockTile.kernelFunc(args) as TensorInfo;
  }
  const outShape = x.shape.map((n, i) => n * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  const total = outShape.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const L = x.shape[rank - 1];
  const R = reps[rank - 1];
  const rowLen = L * R;
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * x.shape[i + 1];
  // Odometer over the output's leading axes; `index` holds each axis' position in the input.
  const index = new Array<number>(Math.max(0, rank - 1)).fill(0);
  const counter = new Array<number>(Math.max(0, rank - 1)).fill(0);
  let offset = 0;
  for (let d = 0; d < total; d += rowLen) {
    if (L === 1) {
      dst.fill(src[offset], d, d + R);
    } else {
      if (L >= 32) dst.set(src.subarray(offset, offset + L), d);
      else for (let i = 0; i < L; i++) dst[d + i] = src[offset + i];
      for (let filled = L; filled < rowLen; filled *= 2) dst.copyWithin(d + filled, d, d + Math.min(filled, rowLen - filled));
    }
    for (let axis = rank - 2; axis >= 0; axis--) {
      counter[axis]++;
      index[axis]++;
      offset += strides[axis];
      if (index[axis] === x.shape[axis]) {
        index[axis] = 0;
        offset -= strides[axis] * x.shape[axis];
      }
      if (counter[axis] < outShape[axis]) break;
      counter[axis] = 0;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// BatchMatMul
//
// Stock wasm BatchMatMul is fast (XNNPACK) only without transposes; with transposeA or transposeB
// it runs 10-30× slower (100×16×8192, transposeA: 58 ms against 7 ms). Dense layers' gradients are
// exactly those products (xᵀ·dy and dy·Wᵀ), so transposed operands are materialised first.

let stockBatchMatMul: KernelConfig | undefined;

/** Swaps the last two axes. */
function transposeLastTwo(backend: BackendWasm, x: TensorInfo): TensorInfo {
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

function batchMatMul(args: { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap }): TensorInfo {
  if (!stockBatchMatMul) throw new Error('stock wasm BatchMatMul is unavailable');
  const backend = args.backend as BackendWasm;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return stockBatchMatMul.kernelFunc(args) as TensorInfo;
  }
  const scratch = new Scratch(backend);
  try {
    const a2 = transposeA ? scratch.keep(transposeLastTwo(backend, a)) : a;
    const b2 = transposeB ? scratch.keep(transposeLastTwo(backend, b)) : b;
    return stockBatchMatMul.kernelFunc({
      inputs: { a: a2, b: b2 },
      backend,
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
  } finally {
    scratch.release();
  }
}

// ---------------------------------------------------------------------------------------------

const backpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};

/**
 * Registers Conv2DBackpropFilter for wasm and replaces its Conv2DBackpropInput with the phase
 * decomposition, its Tile with a row-copying one and its transposed BatchMatMul with transpose +
 * plain product (the stock kernels stay as fallbacks: NCHW, non-float and over-padded
 * convolutions, string tiles, untransposed products).
 * Call after importing '@tensorflow/tfjs-backend-wasm' and before tf.setBackend('wasm'); calling it
 * again is harmless.
 */
export function registerWasmTrainingKernels(): void {
  const filterKernel = getKernel(Conv2DBackpropFilter, 'wasm');
  // A future tfjs-wasm that ships its own kernel keeps it.
  if (!filterKernel) registerKernel(backpropFilterConfig);

  override(Conv2DBackpropInput, conv2dBackpropInput as unknown as KernelFunc, (k) => (stockBackpropInput = k));
  override(Tile, tile as unknown as KernelFunc, (k) => (stockTile = k));
  override(BatchMatMul, batchMatMul as unknown as KernelFunc, (k) => (stockBatchMatMul = k));
}

/** Replaces a stock wasm kernel once, keeping its setup (wasm bindings) for the fallback path. */
function override(name: string, kernelFunc: KernelFunc, keepStock: (stock: KernelConfig) => void): void {
  const current = getKernel(name, 'wasm');
  if (!current || current.kernelFunc === kernelFunc) return;
  keepStock(current);
  unregisterKernel(name, 'wasm');
  registerKernel({ ...current, kernelFunc });
}

/** The stock kernels this module replaced, for benchmarks that compare against them. */
export function replacedWasmKernels(): KernelConfig[] {
  return [stockBackpropInput, stockTile, stockBatchMatMul].filter((k): k is KernelConfig => k !== undefined);
}
