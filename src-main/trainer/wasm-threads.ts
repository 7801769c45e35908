/**
 * Starts tfjs-backend-wasm 4.22 with its threaded SIMD build under Node and Electron's utility
 * process (DESIGN.md, "Compute backends"), falling back to the single-threaded SIMD build when
 * threads cannot start. The package only starts threads in browsers; four obstacles are handled:
 *
 * 1. The WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to false under Node: it is set here after
 *    checking what it checks in browsers (shared memory and wasm atomics).
 * 2. The emscripten glue starts each pthread worker from a `blob:` URL, which worker_threads
 *    refuses (ERR_WORKER_PATH), and hands it the main script as a Blob built from a function of the
 *    bundle that cannot run on its own. `setWasmPaths`/`locateFile` cannot change either (the
 *    factory config is private). A `Worker` class installed as globalThis.Worker starts the
 *    package's worker source with worker_threads' `eval` option (so there is no file to write or
 *    remove) and gives the worker the package's own main script file,
 *    wasm-out/tfjs-backend-wasm-threaded-simd.js, in place of the Blob.
 * 3. The C++ side caps the pool at min(asked, 8, emscripten_num_logical_cores() / 2), and under
 *    Node the glue answers that import with os.cpus().length (navigator.hardwareConcurrency is not
 *    read): 1 thread on a 2-core machine. While the module is instantiated, that one wasm import
 *    (env.emscripten_num_logical_cores) answers 2 × the threads wanted, so the cap becomes the
 *    count passed to setThreadsCount.
 * 4. Idle pool workers, and the pthreads XNNPACK keeps waiting for work, hold the event loop open:
 *    the glue unrefs a worker once it has loaded but refs it again while a pthread runs on it, and
 *    XNNPACK's pool threads run for good; here ref() does nothing, so a process exits when its own
 *    work is done.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';

/** The glue's pool size (PTHREAD_POOL_SIZE) and the C++ side's max_num_threads in 4.22. */
export const MAX_WASM_THREADS = 8;

/** What startWasm did: the thread count the backend reports, and why threads did not start. */
export interface WasmStart {
  /** From the backend (getThreadsCount()), not from what was asked. */
  threads: number;
  /** Set when fewer threads run than were wanted (the single-threaded build, or a cap): why, in one line. */
  threadsSkipped?: string;
}

export interface WasmStartOptions {
  /** Threads wanted (the calling process's share of the cores); 1 starts the single-threaded build. */
  threads: number;
  /** The threaded build's main script, for tests that make it fail; the package's file by default. */
  mainScript?: string;
}

const packageRequire = createRequire(import.meta.url);

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

/** The part of the WebAssembly global used here (Node's types declare no WebAssembly values). */
type Imports = Record<string, Record<string, unknown>>;
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  instantiate(source: unknown, imports?: Imports): Promise<unknown>;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The package's threaded main script, preferring an unpacked copy beside a packaged app's asar. */
function packageMainScript(): string {
  const path = packageRequire.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const unpacked = path.replace(/\.asar([\\/])/, '.asar.unpacked$1');
  return unpacked !== path && existsSync(unpacked) ? unpacked : path;
}

/**
 * The pthread worker's source. The package ships it as a template string, whose `\n` escapes
 * became newlines; the package itself re-escapes them before making its Blob, and so does this.
 */
function workerSource(): string {
  const { wasmWorkerContents } = packageRequire('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
  return wasmWorkerContents.replace(/\n/g, '\\n');
}

/** Why this runtime cannot run wasm threads, or null when it can (the browser check of tfjs). */
function threadsUnsupported(): string | null {
  if (typeof SharedArrayBuffer !== 'function') return 'this runtime has no SharedArrayBuffer';
  // A module with a shared memory and an atomic load (wasm-feature-detect's threads probe).
  const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11]);
  return webAssembly.validate(probe) ? null : 'this runtime has no WebAssembly threads';
}

/**
 * The globalThis.Worker the glue constructs for each pool thread, and what it reports back:
 * the first error or exit of a worker before the backend is up (the glue would throw it from an
 * event handler, where nothing can catch it, and wait forever for the worker).
 */
function workerClass(mainScript: string, source: string) {
  const workers = new Set<NodeWorker>();
  let phase: 'starting' | 'started' | 'failed' = 'starting';
  let onStartFailure: (reason: string) => void = () => {};
  const failed = new Promise<string>((resolve) => {
    onStartFailure = (reason) => {
      if (phase === 'starting') resolve(reason);
      phase = 'failed';
    };
  });

  class PthreadWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      // The only worker the glue starts is the pthread worker, from a blob: URL of `source`.
      void url;
      super(source, { ...options, eval: true });
      workers.add(this);
      // Referenced until the glue unrefs it on its 'loaded' message: the process waits for it to start.
      // addListener, not on/once: those go through the override below.
      super.addListener('exit', (code: number) => {
        workers.delete(this);
        if (phase === 'starting') onStartFailure(`a wasm thread stopped before it started (exit code ${code})`);
      });
    }

    override postMessage(message: unknown, transfer?: Parameters<NodeWorker['postMessage']>[1]): void {
      const m = message as { cmd?: unknown } | null;
      // The glue sends its main script as a Blob of a function from the bundle; the worker runs the file.
      super.postMessage(m && m.cmd === 'load' ? { ...m, urlOrBlob: mainScript } : message, transfer);
    }

    /** The glue refs a worker while a pthread runs on it; XNNPACK's pool threads run for good. */
    override ref(): void {}

    /** Until the backend is up, a worker's error fails the start instead of reaching the glue. */
    override on(event: string | symbol, listener: (...args: any[]) => void): this {
      if (event !== 'error') return super.on(event, listener);
      return super.on(event, (error: unknown) => {
        if (phase === 'started') {
          listener(error);
          return;
        }
        const what = error instanceof Error ? error.message : String(error);
        onStartFailure(`a wasm thread failed to start (${what.split('\n')[0]})`);
      });
    }
  }

  return {
    PthreadWorker,
    /** Resolves with a reason when a worker fails before started() is called. */
    failed,
    started: () => {
      phase = 'started';
    },
    /** Stops every worker after a failed start. */
    terminateAll: async () => {
      phase = 'failed';
      await Promise.all([...workers].map((w) => w.terminate()));
    },
  };
}

/**
 * Runs `start` while the wasm module the glue instantiates sees `cores` logical cores (obstacle 3),
 * then restores WebAssembly.instantiate.
 */
async function withLogicalCores<T>(cores: number, start: () => Promise<T>): Promise<T> {
  const original = webAssembly.instantiate;
  webAssembly.instantiate = (source, imports) => {
    const env = imports?.env;
    if (env && typeof env.emscripten_num_logical_cores === 'function') {
      imports = { ...imports, env: { ...env, emscripten_num_logical_cores: () => cores } };
    }
    return original.call(webAssembly, source, imports);
  };
  try {
    return await start();
  } finally {
    webAssembly.instantiate = original;
  }
}

async function startThreaded(wasm: WasmModule, threads: number, mainScript: string): Promise<void> {
  const pool = workerClass(mainScript, workerSource());
  const previous = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  // The glue assigns worker_threads' Worker to globalThis.Worker when its factory runs, just before
  // it starts the pool: the setter keeps ours in place.
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => pool.PthreadWorker, set: () => {} });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  try {
    const outcome = await withLogicalCores(2 * threads, () =>
      Promise.race([tf.setBackend('wasm').then((ok) => (ok ? null : 'the threaded wasm build failed to initialise')), pool.failed]),
    );
    if (outcome !== null) {
      await pool.terminateAll();
      throw new Error(outcome);
    }
    pool.started();
  } finally {
    if (previous) Object.defineProperty(globalThis, 'Worker', previous);
    else delete (globalThis as { Worker?: unknown }).Worker;
  }
}

/**
 * Makes tfjs-backend-wasm the current backend with `threads` threads where the runtime allows
 * (at most MAX_WASM_THREADS), else with one thread and the reason in `threadsSkipped`. Call once
 * per process, after importing '@tensorflow/tfjs-backend-wasm' and registering any kernels; a
 * second call returns what the backend runs. Throws only when not even the single-threaded build
 * starts.
 */
export async function startWasm(options: WasmStartOptions): Promise<WasmStart> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (tf.findBackend('wasm') !== null) {
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
    return { threads: wasm.getThreadsCount() };
  }
  const wanted = Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(options.threads)));
  let threadsSkipped: string | undefined;
  if (wanted > 1) {
    const mainScript = options.mainScript ?? packageMainScript();
    threadsSkipped = threadsUnsupported() ?? (existsSync(mainScript) ? undefined : `${mainScript} is missing`);
    if (threadsSkipped === undefined) {
      try {
        await startThreaded(wasm, wanted, mainScript);
        const threads = wasm.getThreadsCount();
        return threads < wanted ? { threads, threadsSkipped: `the wasm backend started ${threads} of ${wanted} threads` } : { threads };
      } catch (error) {
        threadsSkipped = error instanceof Error ? error.message : String(error);
      }
    }
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  return { threads: wasm.getThreadsCount(), ...(threadsSkipped ? { threadsSkipped } : {}) };
}
