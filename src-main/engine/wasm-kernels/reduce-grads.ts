import * as tf from '@tensorflow/tfjs';
import { Mean, Sum, Tile } from '@tensorflow/tfjs';
import { tileKernel } from './tile';

// The gradients of Mean and Sum broadcast dy back to the input's shape. tfjs does it by
// multiplying with a tensor of ones (a fill and a multiply over the whole input, Mean then a
// divide too): two or three full passes, each a kernel that wakes the wasm thread pool. Batch norm
// takes two means per layer and differentiates both every backward pass. Where this folder's Tile
// serves the backend (row copies on the main thread), the gradients here tile dy (divided by the
// count first for Mean, on the small reduced tensor) instead: one pass, the same bits (dy·1 = dy).

const overridden = new Set<string>();

function tilesHere(): boolean {
  return tf.getKernel(Tile, tf.getBackend())?.kernelFunc === tileKernel.kernelFunc;
}

/** dy [reduced shape] broadcast to x's shape: reshape to keep the reduced axes as 1, then tile. */
function broadcastBack(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const expanded = x.shape.slice();
  const reps = x.shape.map(() => 1);
  for (const a of axes) {
    expanded[a] = 1;
    reps[a] = x.shape[a];
  }
  return tf.tile(tf.reshape(dy, expanded), reps);
}

/**
 * Points the gradients of Mean and Sum at a tile of dy wherever this folder's Tile serves the
 * current backend (wasm after registerWasmTrainingKernels) and dy is float32; tfjs's own gradients
 * everywhere else. The gradient registry is global, so this is done once per process.
 */
export function registerReduceGradients(): void {
  for (const kernelName of [Mean, Sum]) {
    if (overridden.has(kernelName)) continue;
    const stock = tf.getGradient(kernelName);
    if (!stock) continue;
    tf.registerGradient({
      ...stock,
      gradFunc: (dy, saved, attrs) => {
        const grad = dy as tf.Tensor;
        if (grad.dtype !== 'float32' || !tilesHere()) return stock.gradFunc(dy, saved, attrs);
        const [x] = saved;
        const { axis } = attrs as unknown as { axis: number | number[] };
        if (kernelName === Sum) return { x: () => broadcastBack(grad, x, axis) };
        const count = tf.util.sizeFromShape(tf.util.parseAxisParam(axis, x.shape).map((a) => x.shape[a]));
        return { x: () => broadcastBack(tf.div(grad, count), x, axis) };
      },
    });
    overridden.add(kernelName);
  }
}
