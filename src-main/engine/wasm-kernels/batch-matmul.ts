import { BatchMatMul, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { transposeLastTwo } from './layout';
import { Scratch, type KernelArgs, type Replacement } from './shared';

// BatchMatMul
//
// Stock wasm BatchMatMul is fast (XNNPACK) only without transposes; with transposeA or transposeB
// it runs 10-30× slower (100×16×8192, transposeA: 58 ms against 7 ms). Dense layers' gradients are
// exactly those products (xᵀ·dy and dy·Wᵀ), so transposed operands are materialised first.

function batchMatMul(args: KernelArgs): TensorInfo {
  if (!batchMatMulKernel.stock) throw new Error('stock wasm BatchMatMul is unavailable');
  const backend = args.backend as BackendWasm;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return batchMatMulKernel.stock.kernelFunc(args) as TensorInfo;
  }
  const scratch = new Scratch(backend);
  try {
    const a2 = transposeA ? scratch.keep(transposeLastTwo(backend, a)) : a;
    const b2 = transposeB ? scratch.keep(transposeLastTwo(backend, b)) : b;
    return batchMatMulKernel.stock.kernelFunc({
      inputs: { a: a2, b: b2 },
      backend,
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
  } finally {
    scratch.release();
  }
}

/** BatchMatMul replaced; the stock kernel still computes every product, untransposed. */
export const batchMatMulKernel: Replacement = {
  kernelName: BatchMatMul,
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
