import { toyDistribution, trainToy } from '../engine/toy/index';
import { chooseBackend } from '../trainer/backend';
import type { ToyWorkerMessage, ToyWorkerRequest } from './toy-pool';

// A child process of `gan-studio toy --jobs N`: trains the runs it is sent, one at a time.
let backend: ReturnType<typeof chooseBackend> | null = null;
const send = (message: ToyWorkerMessage): void => {
  process.send?.(message);
};

process.on('message', async ({ id, backend: preference, jobs, task }: ToyWorkerRequest) => {
  try {
    backend ??= chooseBackend(preference, { concurrentJobs: jobs, readsSync: true });
    await backend;
    const result = trainToy({
      distribution: toyDistribution(task.dist),
      steps: task.steps,
      config: task.config,
      decay: task.decay,
      settle: task.settle,
      onProgress: (done) => send({ type: 'progress', id, done }),
    });
    send({ type: 'result', id, result });
  } catch (error) {
    send({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
