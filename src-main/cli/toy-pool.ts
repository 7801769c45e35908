import type { LearningRateDecay } from '../shared/schema';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ToyGanConfig, ToyRunResult } from '../engine/toy/index';
import type { BackendPreference } from '../shared/contract';

/** One headless toy run, as `gan-studio toy` hands it to a worker process. */
export interface ToyTask {
  dist: 'ring8' | 'grid25' | 'gaussian';
  steps: number;
  config: Partial<ToyGanConfig>;
  decay: LearningRateDecay;
  settle: number;
}

/** `jobs`: worker processes training at once, so each takes its share of the cores (threadsPerProcess). */
export type ToyWorkerRequest = { id: number; backend: BackendPreference; jobs: number; task: ToyTask };
export type ToyWorkerMessage =
  | { type: 'progress'; id: number; done: number }
  | { type: 'result'; id: number; result: ToyRunResult }
  | { type: 'error'; id: number; message: string };

const workerEntry = fileURLToPath(new URL('./toy-worker.ts', import.meta.url));

/**
 * Runs toy tasks in `jobs` worker processes at once and returns their results in task order. Each
 * worker's backend gets cores ÷ jobs threads (at least one); these tiny models gain little from
 * threads, so separate processes are what use the other cores. Every run is seeded, so the results
 * do not depend on `jobs`.
 */
export async function runToyTasks(
  tasks: ToyTask[],
  options: { jobs: number; backend: BackendPreference; onProgress?: (index: number, done: number) => void; onResult?: (index: number, result: ToyRunResult) => void },
): Promise<ToyRunResult[]> {
  const results: ToyRunResult[] = new Array(tasks.length);
  let next = 0;
  const workers: ChildProcess[] = [];
  const jobs = Math.max(1, Math.min(options.jobs, tasks.length));
  const runWorker = (): Promise<void> =>
    new Promise((resolve, reject) => {
      // the CLI runs from TypeScript through tsx; its resolved path works from any working directory
      const child = fork(workerEntry, [], { execArgv: ['--import', import.meta.resolve('tsx')], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      workers.push(child);
      let current = -1;
      const sendNext = (): void => {
        if (next >= tasks.length) {
          child.disconnect();
          return;
        }
        current = next++;
        child.send({ id: current, backend: options.backend, jobs, task: tasks[current] } satisfies ToyWorkerRequest);
      };
      child.on('message', (message: ToyWorkerMessage) => {
        if (message.type === 'progress') options.onProgress?.(message.id, message.done);
        else if (message.type === 'error') reject(new Error(message.message));
        else {
          results[message.id] = message.result;
          options.onResult?.(message.id, message.result);
          sendNext();
        }
      });
      child.on('exit', (code, signal) => {
        if (next >= tasks.length && results[current] !== undefined) resolve();
        else reject(new Error(`a toy worker stopped (${signal ?? `exit code ${code}`}) during run ${current + 1}`));
      });
      sendNext();
    });
  try {
    await Promise.all(Array.from({ length: jobs }, runWorker));
  } finally {
    for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill();
  }
  return results;
}
