import { backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { cachedFilters, fusedFilter, phaseFilters } from './backprop-input-filters';
import { copyRun } from './layout';
import { conv2dStride1, Scratch, type ExplicitPad, type KernelArgs, type Replacement } from './shared';
import { wasmKernelTuning } from './tuning';

// Conv2DBackpropInput (also the forward pass of conv2dTranspose)
//
// dx[h] = Σ_{i,p : i·s + p − top = h} dy[i] · w[p]. Write the padded position h + top as t·s + r:
// phase r only meets taps p = r + s·m (m < M_r = ⌈(k − r)/s⌉), so dx at phase r is a stride-1
// correlation of dy with the flipped sub-kernel w[r + s·(M_r − 1 − m′)]. Each of the s_h·s_w phases
// is one XNNPACK conv of exactly the size it needs; one pass then interleaves them (pixel shuffle).
// For 4×4 stride-2 'same' these are the 2×2 sub-kernels of DESIGN.md, without the extra border row
// and column a single conv over dy padded by 1 computes (36% waste on a 4×4 input).

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

function conv2dBackpropInput(args: KernelArgs): TensorInfo {
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
    if (!backpropInput.stock) throw new Error('stock wasm Conv2DBackpropInput is unavailable');
    return backpropInput.stock.kernelFunc(args) as TensorInfo;
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

/** Conv2DBackpropInput replaced; the stock kernel still serves NCHW, non-float and over-padded convolutions. */
export const backpropInput: Replacement = {
  kernelName: Conv2DBackpropInput,
  kernelFunc: conv2dBackpropInput as unknown as KernelFunc,
};
