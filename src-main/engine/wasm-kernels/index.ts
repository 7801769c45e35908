import { Conv2DBackpropFilter, getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import { activationGradConfig, registerActivationGradients } from './activation-grads';
import { adamUpdateConfig } from './adam-update';
import { batchMatMulKernel } from './batch-matmul';
import { registerReduceGradients } from './reduce-grads';
import { backpropFilterConfig } from './conv2d-backprop-filter';
import { backpropInput } from './conv2d-backprop-input';
import { identityKernel } from './identity';
import type { Replacement } from './shared';
import { tileKernel } from './tile';

export { ACTIVATION_GRAD } from './activation-grads';
export { ADAM_UPDATE, type AdamUpdateAttrs } from './adam-update';
export { clearWasmKernelCaches } from './backprop-input-filters';
export { wasmKernelTuning } from './tuning';

/*
 * Training kernels for tfjs-backend-wasm 4.22 (DESIGN.md, "Compute backends").
 *
 * - Conv2DBackpropFilter: missing from stock wasm, so no convolution could train there.
 * - Conv2DBackpropInput: stock wasm has one, but it is a naive loop at ~2-3 GFLOP/s while its
 *   Conv2D (XNNPACK) reaches 20-30; every generator layer and every conv's backward pass uses it.
 * - Tile and transposed BatchMatMul: stock versions that a DCGAN step hits (batch norm's and dense
 *   layers' gradients) and that cost more than the convolutions next to them.
 * - Identity: the engine clones every tensor it saves for a gradient; stock wasm copied each one,
 *   here the clone shares the buffer.
 * - GanStudioAdamUpdate (new): engine/adam.ts's update of one variable in one pass, bit for bit.
 * - GanStudioActivationGrad (new): ReLU's and leaky ReLU's gradients in one pass instead of three
 *   kernels and a mask; their gradient configs use it on wasm (activation-grads.ts).
 * - Mean's and Sum's gradients tile dy with the Tile above instead of multiplying by ones
 *   (reduce-grads.ts).
 * Every other kernel stays stock.
 *
 * They are written against the backend (stock wasm kernel functions on TensorInfos, intermediates
 * released with disposeData, layout changes on the wasm heap from JS) rather than with tf ops: a
 * kernel function runs inside the engine's kernel scope, where tf ops would add engine bookkeeping
 * per call, and a plain TensorInfo result is wrapped by the engine exactly like a stock kernel's.
 *
 * One file per kernel; shared.ts holds what they share, layout.ts the layout changes on the heap,
 * backprop-input-filters.ts the rearranged filters Conv2DBackpropInput keeps between calls.
 */

/** In registration order, which is also replacedWasmKernels' order. */
const replacements: Replacement[] = [backpropInput, tileKernel, batchMatMulKernel, identityKernel];

/**
 * Registers Conv2DBackpropFilter, the fused Adam update and the one-pass activation gradient for
 * wasm (pointing ReLU's and leaky ReLU's gradients at it there) and replaces its Conv2DBackpropInput with the phase
 * decomposition, its Tile with a row-copying one, its transposed BatchMatMul with transpose +
 * plain product and its Identity with a shared buffer (the stock kernels stay as fallbacks: NCHW,
 * non-float and over-padded convolutions, string tiles, untransposed products, string clones).
 * Call after importing '@tensorflow/tfjs-backend-wasm' and before tf.setBackend('wasm'); calling it
 * again is harmless.
 */
export function registerWasmTrainingKernels(): void {
  const filterKernel = getKernel(Conv2DBackpropFilter, 'wasm');
  // A future tfjs-wasm that ships its own kernel keeps it.
  if (!filterKernel) registerKernel(backpropFilterConfig);
  if (!getKernel(adamUpdateConfig.kernelName, 'wasm')) registerKernel(adamUpdateConfig);
  if (!getKernel(activationGradConfig.kernelName, 'wasm')) registerKernel(activationGradConfig);
  registerActivationGradients();
  registerReduceGradients();

  for (const replacement of replacements) override(replacement);
}

/** Replaces a stock wasm kernel once, keeping its setup (wasm bindings) for the fallback path. */
function override(replacement: Replacement): void {
  const { kernelName, kernelFunc } = replacement;
  const current = getKernel(kernelName, 'wasm');
  if (!current || current.kernelFunc === kernelFunc) return;
  replacement.stock = current;
  unregisterKernel(kernelName, 'wasm');
  registerKernel({ ...current, kernelFunc });
}

/** The stock kernels this module replaced, for benchmarks that compare against them. */
export function replacedWasmKernels(): KernelConfig[] {
  return replacements.map((r) => r.stock).filter((k): k is KernelConfig => k !== undefined);
}
