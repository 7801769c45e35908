import * as tf from '@tensorflow/tfjs';
import { availableParallelism, totalmem } from 'node:os';
import type { BackendName, BackendPreference, BackendReport, GpuAdapterReport } from '../shared/contract';
import { registerWasmTrainingKernels } from '../engine/wasm-kernels';
import { backendMemoryLimit, type MemoryLimit } from '../engine/memory';
import { startWasm } from './wasm-threads';
import { startWebGpu, webGpuBufferLimit } from './webgpu';

/** How many threads the process may use; see threadsPerProcess. */
export interface BackendOptions {
  /**
   * Processes that run the engine at once on this machine, this one included (the toy pool passes
   * its job count): threads = max(1, cores ÷ concurrentJobs). Default 1.
   */
  concurrentJobs?: number;
  /** wasm threads exactly (bench --threads, tests), instead of the share of the cores. */
  threads?: number;
  /**
   * The caller reads tensors synchronously (dataSync: the toy and theory engines), which the WebGPU
   * backend cannot do under Node: webgpu is then left out, even when asked for.
   */
  readsSync?: boolean;
}

/** max(1, ⌊cores ÷ concurrent jobs⌋), or `threads` when given: this process's share of the CPU. */
export function threadsPerProcess(options: BackendOptions = {}, cores = availableParallelism()): number {
  if (options.threads !== undefined) return Math.max(1, Math.floor(options.threads));
  return Math.max(1, Math.floor(cores / Math.max(1, options.concurrentJobs ?? 1)));
}

interface Activated {
  /** Threads the backend computes on, as it reports them. */
  threads: number;
  /** Why it runs on fewer threads than it could, as a skipped entry. */
  skipped?: { backend: string; reason: string };
  /** The WebGPU adapter, for webgpu. */
  adapter?: GpuAdapterReport;
  /** A line the user should see (a software WebGPU adapter). */
  warning?: string;
  /** Overrides the candidate's device (a software WebGPU adapter computes on the CPU). */
  device?: 'GPU' | 'CPU';
}

interface Candidate {
  name: BackendName;
  label: string;
  device: 'GPU' | 'CPU';
  /** Loads the package and makes its backend current; throws with the reason it cannot. */
  activate(options: BackendOptions, preference: BackendPreference): Promise<Activated>;
}

/** Reduces a loader's error to the line a user can act on. */
export function explainLoadFailure(packageName: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code;
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(packageName)) {
    return 'not installed';
  }
  const missingLibrary = /([\w.+-]+\.so(?:\.[\d.]+)?|[\w.+-]+\.dll|[\w.+-]+\.dylib)[^\n]*(?:cannot open|not found|No such file)|(?:cannot open shared object file|Library not loaded)[^\n]*?([\w.+-]+\.(?:so|dylib|dll)[\w.]*)/.exec(message);
  if (missingLibrary) return `${missingLibrary[1] ?? missingLibrary[2]} not found`;
  return message.split('\n')[0].slice(0, 200);
}

async function activateNative(packageName: string): Promise<Activated> {
  await import(/* @vite-ignore */ packageName);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend failed to initialise');
  // TensorFlow uses every core by default.
  return { threads: availableParallelism() };
}

const candidates: Candidate[] = [
  {
    name: 'tensorflow-gpu',
    label: 'tfjs-node-gpu',
    device: 'GPU',
    activate: async () => {
      const activated = await activateNative('@tensorflow/tfjs-node-gpu');
      // tfjs-node-gpu silently runs on the CPU when CUDA is unusable; only a listed GPU counts.
      const gpu = (tf.backend() as unknown as { isGPUAvailable?: () => boolean }).isGPUAvailable;
      if (typeof gpu === 'function' && !gpu.call(tf.backend())) throw new Error('no CUDA GPU visible to TensorFlow');
      return activated;
    },
  },
  {
    name: 'webgpu',
    label: 'webgpu',
    device: 'GPU',
    activate: async (options, preference) => {
      if (options.readsSync) throw new Error('this command reads tensors synchronously, which WebGPU cannot do under Node');
      // Auto never picks a software adapter (llvmpipe, SwiftShader): only an explicit choice does.
      const { adapter, warning } = await startWebGpu({ allowSoftware: preference === 'webgpu' });
      // tfjs drives the GPU from this one JavaScript thread.
      return { threads: 1, adapter, warning, device: adapter.type === 'software' ? 'CPU' : 'GPU' };
    },
  },
  {
    name: 'tensorflow',
    label: 'tfjs-node',
    device: 'CPU',
    activate: () => activateNative('@tensorflow/tfjs-node'),
  },
  {
    name: 'wasm',
    label: 'wasm',
    device: 'CPU',
    activate: async (options) => {
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmTrainingKernels();
      const wanted = threadsPerProcess(options);
      const { threads, threadsSkipped } = await startWasm({ threads: wanted });
      return threadsSkipped ? { threads, skipped: { backend: `wasm, ${wanted} threads`, reason: threadsSkipped } } : { threads };
    },
  },
  {
    name: 'cpu',
    label: 'cpu',
    device: 'CPU',
    activate: async () => {
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
      return { threads: 1 };
    },
  },
];

/** Which candidates a preference allows, best first. */
function allowed(preference: BackendPreference): Candidate[] {
  switch (preference) {
    case 'auto':
      return candidates;
    case 'tensorflow':
      return candidates.filter((c) => c.name === 'tensorflow-gpu' || c.name === 'tensorflow');
    default:
      return candidates.filter((c) => c.name === preference);
  }
}

/**
 * Chooses the compute backend, best first (DESIGN.md): tfjs-node-gpu (when it sees a CUDA GPU) →
 * WebGPU on a hardware adapter → tfjs-node → wasm → cpu, and says why each better one was not used
 * (and, for wasm, why it runs on one thread when it could run on more). The one backend-start
 * function of every process that runs the engine: the trainer, the CLI commands, the toy workers.
 * wasm gets threadsPerProcess(options) threads (at most 8); `threads` in the report is the count
 * the backend gives. The backend initialises once per process: later calls reuse it.
 * Throws only when the preference allows nothing that works.
 */
export async function chooseBackend(preference: BackendPreference = 'auto', options: BackendOptions = {}): Promise<BackendReport> {
  const skipped: BackendReport['skipped'] = [];
  for (const candidate of candidates) {
    if (!allowed(preference).includes(candidate)) {
      if (candidates.indexOf(candidate) < candidates.findIndex((c) => allowed(preference).includes(c))) {
        skipped.push({ backend: candidate.label, reason: `not requested (--backend ${preference})` });
      }
      continue;
    }
    const packageName = candidate.name.startsWith('tensorflow')
      ? candidate.name === 'tensorflow-gpu'
        ? '@tensorflow/tfjs-node-gpu'
        : '@tensorflow/tfjs-node'
      : candidate.name === 'wasm'
        ? '@tensorflow/tfjs-backend-wasm'
        : candidate.name === 'webgpu'
          ? '@tensorflow/tfjs-backend-webgpu'
          : '@tensorflow/tfjs-backend-cpu';
    try {
      const activated = await candidate.activate(options, preference);
      await tf.ready();
      if (activated.skipped) skipped.push(activated.skipped);
      return {
        backend: candidate.name,
        label: candidate.label,
        device: activated.device ?? candidate.device,
        threads: activated.threads,
        tfjsVersion: tf.version.tfjs,
        skipped,
        pid: process.pid,
        runtime: process.versions.electron ? `electron ${process.versions.electron}` : `node ${process.versions.node}`,
        ...(activated.adapter ? { adapter: activated.adapter } : {}),
        ...(activated.warning ? { warning: activated.warning } : {}),
      };
    } catch (error) {
      skipped.push({ backend: candidate.label, reason: explainLoadFailure(packageName, error) });
    }
  }
  throw new Error(
    `no usable compute backend for --backend ${preference}: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`,
  );
}


/**
 * The memory the current tfjs backend can give a run on this machine (engine/memory.ts). On
 * webgpu the largest tensor is the device's largest storage buffer (128 MiB on llvmpipe).
 */
export function currentMemoryLimit(): MemoryLimit {
  const limit = backendMemoryLimit(tf.getBackend(), totalmem());
  const buffer = tf.getBackend() === 'webgpu' ? webGpuBufferLimit() : null;
  return buffer === null ? limit : { ...limit, tensorBytes: Math.min(limit.tensorBytes, buffer) };
}
