import { HostError, type HostHandlers } from './dispatch';
import type { RunStore } from './runs';
import type { TrainingTracker } from './training';

/** Listing, reading and deleting run folders; the run that is training cannot be deleted. */
export function runHandlers(runs: RunStore, training: TrainingTracker): Pick<HostHandlers, 'runs.list' | 'runs.get' | 'runs.delete'> {
  return {
    'runs.list': () => runs.list(),
    'runs.get': ({ runId }) => runs.detail(runId),
    'runs.delete': async ({ runId }) => {
      if (training.status.runId === runId && training.active) {
        throw new HostError('this run is training; stop it before deleting it');
      }
      await runs.delete(runId);
    },
  };
}
