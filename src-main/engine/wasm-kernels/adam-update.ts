import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelArgs } from './shared';

// One Adam update of one variable in a single pass (engine/adam.ts's rule). Written with tf ops it
// is 13 kernels per variable, each a full pass over the weights and a fresh buffer, about 250
// small kernel calls per dcgan-ref iteration. Every intermediate here is rounded to float32 as
// the op it replaces rounds it (Math.fround after each +, −, ×, ÷ and √; float64 then float32
// rounding is exact for these on float32 operands), so the result is bit for bit the ops' result.

/** The kernel's name; engine/adam.ts runs it on a backend that registers it. */
export const ADAM_UPDATE = 'GanStudioAdamUpdate';

/**
 * Attributes of ADAM_UPDATE, each used as the float32 the op form multiplies by: beta1, beta2 and
 * epsilon as in AdamOptions, stepSize = lr / (1 − beta1^t), sqrtCorrection2 = √(1 − beta2^t).
 */
export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  stepSize: number;
  sqrtCorrection2: number;
}

const f = Math.fround;

function adamUpdate(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { w, g, m, v } = args.inputs as { w: TensorInfo; g: TensorInfo; m: TensorInfo; v: TensorInfo };
  const attrs = args.attrs as unknown as AdamUpdateAttrs;
  for (const t of [g, m, v]) {
    if (t.shape.length !== w.shape.length || t.shape.some((n, i) => n !== w.shape[i])) {
      throw new Error(`${ADAM_UPDATE}: shape [${t.shape}] does not match the variable's [${w.shape}]`);
    }
  }
  if ([w, g, m, v].some((t) => t.dtype !== 'float32')) throw new Error(`${ADAM_UPDATE} supports only float32`);
  const outW = backend.makeOutput(w.shape, 'float32');
  const outM = backend.makeOutput(w.shape, 'float32');
  const outV = backend.makeOutput(w.shape, 'float32');
  // Views only after the last allocation: growing the wasm heap detaches earlier ones.
  const [W, G, M, V, W2, M2, V2] = [w, g, m, v, outW, outM, outV].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  const b1 = f(attrs.beta1);
  const c1 = f(1 - attrs.beta1);
  const b2 = f(attrs.beta2);
  const c2 = f(1 - attrs.beta2);
  const sc = f(attrs.sqrtCorrection2);
  const eps = f(attrs.epsilon);
  const lr = f(attrs.stepSize);
  for (let i = 0, n = W.length; i < n; i++) {
    const gi = G[i];
    const mi = f(f(M[i] * b1) + f(gi * c1));
    const vi = f(f(V[i] * b2) + f(f(gi * gi) * c2));
    const denom = f(f(f(Math.sqrt(vi)) / sc) + eps);
    W2[i] = W[i] - f(f(mi / denom) * lr);
    M2[i] = mi;
    V2[i] = vi;
  }
  return [outW, outM, outV];
}

/** Registered for wasm by registerWasmTrainingKernels. */
export const adamUpdateConfig: KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: adamUpdate as unknown as KernelFunc,
};
