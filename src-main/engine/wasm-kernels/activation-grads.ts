import * as tf from '@tensorflow/tfjs';
import { LeakyRelu, Relu, type GradConfig, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelArgs } from './shared';

// The gradients of ReLU and leaky ReLU in one pass. tfjs writes leaky ReLU's as
// where(greater(x, 0), dy, mul(dy, alpha)) and ReLU's as mul(dy, cast(step(x))): three kernels and a
// boolean or float mask over every activation of every layer, each backward pass. The kernel
// below computes the same values (bit for bit: dy where x > 0, else dy·alpha rounded to float32, NaN
// where x is NaN for ReLU as step(NaN) gives) and the gradient configs use it on a backend that
// registers it, the stock ops elsewhere.

/** dx = x > 0 ? dy : dy·alpha (inputs dy, x; attrs alpha, relu: ReLU's NaN rule). */
export const ACTIVATION_GRAD = 'GanStudioActivationGrad';

interface ActivationGradAttrs {
  alpha: number;
  /** ReLU: mul(dy, step(x)), so a NaN x gives NaN. */
  relu: boolean;
}

function activationGrad(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  const { alpha, relu } = args.attrs as unknown as ActivationGradAttrs;
  if (dy.dtype !== 'float32' || x.dtype !== 'float32') throw new Error(`${ACTIVATION_GRAD} supports only float32`);
  const out = backend.makeOutput(x.shape, 'float32');
  const D = backend.typedArrayFromHeap(dy) as Float32Array;
  const X = backend.typedArrayFromHeap(x) as Float32Array;
  const O = backend.typedArrayFromHeap(out) as Float32Array;
  if (D.length !== X.length) throw new Error(`${ACTIVATION_GRAD}: dy has ${D.length} values, x ${X.length}`);
  const a = Math.fround(alpha);
  if (relu) {
    for (let i = 0, n = X.length; i < n; i++) {
      const xi = X[i];
      O[i] = xi > 0 ? D[i] : xi !== xi ? NaN : D[i] * 0;
    }
  } else {
    for (let i = 0, n = X.length; i < n; i++) O[i] = X[i] > 0 ? D[i] : D[i] * a;
  }
  return out;
}

export const activationGradConfig: KernelConfig = {
  kernelName: ACTIVATION_GRAD,
  backendName: 'wasm',
  kernelFunc: activationGrad as unknown as KernelFunc,
};

function fused(dy: tf.Tensor, x: tf.Tensor, attrs: ActivationGradAttrs): tf.Tensor {
  return tf.engine().runKernel(ACTIVATION_GRAD, { dy, x }, attrs as unknown as NamedAttrMap) as tf.Tensor;
}

const hasKernel = () => tf.getKernel(ACTIVATION_GRAD, tf.getBackend()) !== undefined;

/**
 * The kernel's own gradient, for double backprop (the R1 penalty differentiates D's backward pass):
 * linear in dy with the same mask, constant in x (zero almost everywhere, as tfjs's Greater and Step).
 */
const activationGradGradient: GradConfig = {
  kernelName: ACTIVATION_GRAD,
  inputsToSave: ['x'],
  gradFunc: (ddx, saved, attrs) => {
    const [x] = saved;
    return { dy: () => fused(ddx as tf.Tensor, x, attrs as unknown as ActivationGradAttrs), x: () => tf.zerosLike(x) };
  },
};

const overridden = new Set<string>();

/**
 * Points the gradients of Relu and LeakyRelu at the one-pass kernel wherever the current backend
 * has it (wasm, after registerWasmTrainingKernels), keeping tfjs's own gradient everywhere else.
 * The gradient registry is global, so this is done once per process.
 */
export function registerActivationGradients(): void {
  if (!tf.getGradient(ACTIVATION_GRAD)) tf.registerGradient(activationGradGradient);
  for (const kernelName of [LeakyRelu, Relu]) {
    if (overridden.has(kernelName)) continue;
    const stock = tf.getGradient(kernelName);
    if (!stock) continue;
    const relu = kernelName === Relu;
    tf.registerGradient({
      ...stock,
      gradFunc: (dy, saved, attrs) => {
        if (!hasKernel()) return stock.gradFunc(dy, saved, attrs);
        const [x] = saved;
        const alpha = relu ? 0 : (attrs as unknown as { alpha: number }).alpha;
        return { x: () => fused(dy as tf.Tensor, x, { alpha, relu }) };
      },
    });
    overridden.add(kernelName);
  }
}
