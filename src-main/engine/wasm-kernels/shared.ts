import { Conv2D, getKernel, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/*
 * What the replaced kernels share: scratch buffers, the stock kernels they are built from, and the
 * signature of a kernel function that works on the backend directly (see index.ts).
 */

/** A kernel function's arguments as the engine passes them (backend: the BackendWasm). */
export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: {};
  attrs?: NamedAttrMap;
}

/**
 * A stock wasm kernel replaced by one of this folder's: `kernelFunc` takes over; `stock`, set when
 * it is registered, keeps the original for the cases the replacement hands back to it.
 */
export interface Replacement {
  kernelName: string;
  kernelFunc: KernelFunc;
  stock?: KernelConfig;
}

export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/** Intermediate buffers of a composed kernel, released in LIFO order even when a step throws. */
export class Scratch {
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
export function conv2dStride1(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, pad: ExplicitPad, dilations: [number, number] = [1, 1]): TensorInfo {
  return run(backend, Conv2D, { x, filter }, { strides: [1, 1], pad: pad as unknown as NamedAttrMap[string], dilations, dataFormat: 'NHWC' });
}

export function checkNHWC(kernel: string, dataFormat: string, dtype: string): void {
  if (dataFormat !== 'NHWC') throw new Error(`wasm ${kernel} supports only dataFormat 'NHWC', got '${dataFormat}'`);
  if (dtype !== 'float32') throw new Error(`wasm ${kernel} supports only float32, got ${dtype}`);
}
