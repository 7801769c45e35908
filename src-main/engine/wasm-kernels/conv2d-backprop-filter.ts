import { backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { copyRun, permuteKeepLast, swapBatchAndChannels } from './layout';
import { checkNHWC, conv2dStride1, Scratch, type ExplicitPad, type KernelArgs } from './shared';

// Conv2DBackpropFilter: missing from stock wasm, so no convolution could train there.
//
// dW[p, q, c, o] = Σ_{b,i,j} xpad[b, i·s + p, j·s + q, c] · dy[b, i, j, o]. With batch and channel
// axes of x swapped (xᵀ: [C, H, W, B]) and dy laid out as a filter (dyᵀ: [oH, oW, B, O]) that is a
// stride-1 convolution of xᵀ dilated by s, whose output [C, kH, kW, O] is dW up to a transpose.
// Running it on XNNPACK's Conv2D keeps it near the forward convolution's speed.

function conv2dBackpropFilter(args: KernelArgs): TensorInfo {
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


/** Registered for wasm by registerWasmTrainingKernels unless the backend ships its own. */
export const backpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
