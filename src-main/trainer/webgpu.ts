/**
 * The WebGPU backend: @tensorflow/tfjs-backend-webgpu on Dawn's Node-API package `webgpu`
 * (prebuilt dawn.node for Windows, macOS and Linux), in whatever process runs the engine.
 *
 * - Adapters are looked for in a short-lived child process first (probeAdapters): Dawn prints its
 *   own warnings straight to the process's stderr ("Couldn't load Vulkan…" on a machine without
 *   Vulkan), and a broken GPU driver may crash the process that loads it. The engine's process
 *   loads Dawn only once an adapter is known to be there, and only through the API it was found on.
 * - Dawn's default APIs (Vulkan, Metal, D3D12) are tried first; then Dawn's OpenGL backend in
 *   compatibility mode, which is how Mesa's llvmpipe software adapter is reached on machines
 *   without a GPU. Mesa's EGL only starts there with EGL_PLATFORM=surfaceless (no display), set
 *   here when the environment sets no platform.
 * - tfjs-backend-webgpu's own registration asks navigator.gpu for an adapter without a feature
 *   level (so it never gets a compatibility-mode one) and only registers when navigator.gpu exists
 *   at import. Here the device is made first and the backend is registered with it; navigator.gpu
 *   is set only while WebGPUBackend's constructor checks for it, so no global GPU object outlives
 *   the start (a referenced one would keep Node from exiting).
 * - tfjs reads tensors back synchronously (dataSync) on this backend through OffscreenCanvas,
 *   which Node lacks: code that may run on it reads with `await data()`.
 */
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { GpuAdapterReport } from '../shared/contract';

/** The fields of GPUAdapterInfo this file reads (dawn.node gives vendor, architecture, device, description). */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** A Dawn set-up to look for adapters with: the flags for create() and the adapter options. */
interface DawnSetup {
  api: GpuAdapterReport['api'];
  flags: string[];
  featureLevel?: 'compatibility';
}

/** Best first: the platform's native API, then OpenGL in compatibility mode (Mesa's llvmpipe). */
const DAWN_SETUPS: DawnSetup[] = [
  { api: 'default', flags: [] },
  { api: 'opengl', flags: ['backend=opengl'], featureLevel: 'compatibility' },
];

/** One adapter found by the probe, or why a set-up found none. */
export interface ProbedAdapter {
  api: GpuAdapterReport['api'];
  info?: AdapterInfoLike;
  error?: string;
}

/** Names of adapters that compute on the CPU: Mesa's llvmpipe/softpipe/lavapipe, SwiftShader, WARP. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|swrast|software|basic render driver/i;

/**
 * Whether an adapter computes on the CPU (llvmpipe, lavapipe, SwiftShader, Microsoft's WARP):
 * Dawn flags only some of them as fallback adapters, so the names are checked too.
 */
export function isSoftwareAdapter(info: AdapterInfoLike): boolean {
  if (info.isFallbackAdapter) return true;
  return SOFTWARE_ADAPTER.test([info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '));
}

/** The report of an adapter found through `api`. */
export function adapterReport(info: AdapterInfoLike, api: GpuAdapterReport['api']): GpuAdapterReport {
  return {
    name: info.device || info.description || info.architecture || 'unnamed adapter',
    vendor: info.vendor ?? '',
    description: info.description ?? '',
    type: isSoftwareAdapter(info) ? 'software' : 'hardware',
    api,
  };
}

const packageRequire = createRequire(import.meta.url);

/** The environment Dawn runs in: Mesa's EGL needs a platform when there is no display. */
function dawnEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return process.platform === 'linux' && !env.EGL_PLATFORM ? { ...env, EGL_PLATFORM: 'surfaceless' } : env;
}

/** Seconds the probe may take: Dawn starts every API it tries, llvmpipe in about 0.2 s here. */
const PROBE_TIMEOUT_MS = 30_000;

/**
 * Every adapter Dawn offers through each set-up (DAWN_SETUPS), looked for in a child process
 * (this Node, or Electron run as Node) so that Dawn's stderr and a crashing driver stay there.
 * Never throws: a set-up that fails gives an entry with `error`; a probe that cannot run gives one
 * entry with `error` and no api-specific meaning.
 */
export async function probeAdapters(): Promise<ProbedAdapter[]> {
  let entry: string;
  try {
    entry = pathToFileURL(packageRequire.resolve('webgpu')).href;
  } catch {
    return [{ api: 'default', error: 'the webgpu package is not installed' }];
  }
  const script = `
    const { create } = await import(${JSON.stringify(entry)});
    const setups = ${JSON.stringify(DAWN_SETUPS)};
    const found = [];
    for (const setup of setups) {
      try {
        const options = { powerPreference: 'high-performance' };
        if (setup.featureLevel) options.featureLevel = setup.featureLevel;
        const adapter = await create(setup.flags).requestAdapter(options);
        if (adapter) {
          const { vendor, architecture, device, description, isFallbackAdapter } = adapter.info;
          found.push({ api: setup.api, info: { vendor, architecture, device, description, isFallbackAdapter } });
        } else {
          found.push({ api: setup.api, error: 'no adapter' });
        }
      } catch (error) {
        found.push({ api: setup.api, error: String(error && error.message || error).split('\\n')[0] });
      }
    }
    process.stdout.write(JSON.stringify(found));
    process.exit(0);`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { env: { ...dawnEnv(process.env), ELECTRON_RUN_AS_NODE: '1' }, timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20, windowsHide: true },
      (error, stdout, stderr) => {
        try {
          const found = JSON.parse(stdout) as ProbedAdapter[];
          if (Array.isArray(found)) return resolve(found);
        } catch {
          // Reported below.
        }
        const why = error?.killed ? `timed out after ${PROBE_TIMEOUT_MS / 1000} s` : lastLine(stderr) || error?.message || 'no answer';
        resolve([{ api: 'default', error: `the adapter probe failed: ${why}` }]);
      },
    );
  });
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.at(-1) ?? '').slice(0, 200);
}

/** Why no adapter is usable, as one line: what each set-up found. */
function noAdapterReason(probed: ProbedAdapter[], softwareOnly: ProbedAdapter | undefined): string {
  if (softwareOnly?.info) {
    const name = adapterReport(softwareOnly.info, softwareOnly.api).name;
    return `only a software adapter (${name}), which the automatic choice skips (start with --backend webgpu to use it anyway)`;
  }
  const install =
    process.platform === 'linux' ? '; for the software adapter install Mesa (libegl-mesa0, libgl1-mesa-dri)' : '';
  return `no WebGPU adapter (${probed.map((p) => `${p.api === 'default' ? 'Vulkan/Metal/D3D12' : 'OpenGL'}: ${p.error ?? 'none'}`).join('; ')})${install}`;
}

/** What startWebGpu made current. */
export interface WebGpuStart {
  adapter: GpuAdapterReport;
  /** Set when the adapter is a software one (only an explicit choice takes it): one line. */
  warning?: string;
}

/** The started device's largest storage buffer, in bytes; the largest tensor the backend holds. */
let bufferLimit: number | null = null;

/** The largest tensor, in bytes, the started WebGPU device can hold (maxStorageBufferBindingSize); null before a start. */
export function webGpuBufferLimit(): number | null {
  return bufferLimit;
}

/**
 * Starts tfjs-backend-webgpu on the best adapter and makes it tfjs's current backend ('webgpu').
 * A hardware adapter is preferred; a software one (llvmpipe, SwiftShader) is taken only with
 * `allowSoftware` (an explicit `--backend webgpu`), and then `warning` says so.
 * Starts once per process; later calls make the same device current again.
 * Throws with a one-line reason when no adapter is usable or the device cannot start.
 */
export async function startWebGpu(options: { allowSoftware: boolean }): Promise<WebGpuStart> {
  if (started) {
    if (started.adapter.type === 'software' && !options.allowSoftware) throw new Error(`only a software adapter (${started.adapter.name}), which the automatic choice skips (start with --backend webgpu to use it anyway)`);
    if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise');
    return started;
  }
  started = await startDevice(options);
  return started;
}

/** The start this process made: the device lives as long as the process, and is reused. */
let started: WebGpuStart | null = null;

async function startDevice(options: { allowSoftware: boolean }): Promise<WebGpuStart> {
  const probed = await probeAdapters();
  const usable = probed.filter((p): p is ProbedAdapter & { info: AdapterInfoLike } => p.info !== undefined);
  const hardware = usable.find((p) => !isSoftwareAdapter(p.info));
  const software = usable.find((p) => isSoftwareAdapter(p.info));
  const chosen = hardware ?? (options.allowSoftware ? software : undefined);
  if (!chosen) throw new Error(noAdapterReason(probed, software));
  const setup = DAWN_SETUPS.find((s) => s.api === chosen.api)!;

  Object.assign(process.env, dawnEnv(process.env));
  const { create, globals } = await import('webgpu');
  // GPUBufferUsage, GPUMapMode, GPUTextureUsage…: the constants tfjs-backend-webgpu reads as globals.
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const gpu = create(setup.flags);
  const adapter = await gpu.requestAdapter({
    powerPreference: 'high-performance',
    ...(setup.featureLevel ? { featureLevel: setup.featureLevel } : {}),
  } as GPURequestAdapterOptions);
  if (!adapter) throw new Error(`the ${chosen.api === 'opengl' ? 'OpenGL' : 'Vulkan/Metal/D3D12'} adapter the probe found is gone`);
  const report = adapterReport(adapter.info, chosen.api);
  if (report.type === 'software' && !options.allowSoftware) throw new Error(noAdapterReason(probed, chosen));

  // The device as tfjs-backend-webgpu's own registration asks for it (base.ts in 4.22).
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });

  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => withNavigatorGpu(gpu, () => new WebGPUBackend(device, adapter.info)), 0);
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise');
  bufferLimit = limits.maxStorageBufferBindingSize;
  return {
    adapter: report,
    warning:
      report.type === 'software'
        ? `WebGPU runs on a software adapter (${report.name}): on the CPU, far slower than a GPU or the wasm backend`
        : undefined,
  };
}

/** Runs `make` with navigator.gpu set (WebGPUBackend's constructor checks for it), then puts navigator back. */
function withNavigatorGpu<T>(gpu: GPU, make: () => T): T {
  const holder = globalThis as { navigator?: object };
  const before = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', {
    value: Object.assign(Object.create(holder.navigator ?? null) as object, { gpu }),
    configurable: true,
    writable: true,
  });
  try {
    return make();
  } finally {
    if (before) Object.defineProperty(globalThis, 'navigator', before);
    else delete holder.navigator;
  }
}
