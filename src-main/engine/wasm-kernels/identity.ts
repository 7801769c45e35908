import { Identity, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelArgs, Replacement } from './shared';

// Identity
//
// The engine clones every tensor a recorded op saves for its gradient (tf.clone → Identity), about
// 1,300 times in a dcgan-ref iteration, and stock wasm Identity copies the buffer each time: time,
// and a second copy of every saved activation on the heap. tfjs never writes into an existing
// tensor's buffer, so, as the cpu backend's Identity and wasm's own Reshape do, the clone shares
// its source's buffer under a reference count.

function identity(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') {
    if (!identityKernel.stock) throw new Error('stock wasm Identity is unavailable');
    return identityKernel.stock.kernelFunc(args) as TensorInfo;
  }
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Identity replaced; the stock kernel still serves strings. */
export const identityKernel: Replacement = {
  kernelName: Identity,
  kernelFunc: identity as unknown as KernelFunc,
};
