import { stat } from 'node:fs/promises';
import { HostError, type HostHandlers } from './dispatch';
import type { RunStore } from './runs';
import type { TrainingTracker } from './training';

/** Whether two paths name the same existing folder (same device and inode); false when either is missing. */
async function sameFolder(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)]);
  return !!x && !!y && x.dev === y.dev && x.ino === y.ino;
}

/** Listing, reading and deleting run folders; the run that is training cannot be deleted. */
export function runHandlers(runs: RunStore, training: TrainingTracker): Pick<HostHandlers, 'runs.list' | 'runs.get' | 'runs.delete'> {
  return {
    'runs.list': () => runs.list(),
    'runs.get': ({ runId }) => runs.detail(runId),
    'runs.delete': async ({ runId }) => {
      const dir = runs.dirOf(runId);
      const trainingRun = training.status.runId;
      // Compared as folders, not names: another spelling of the same folder must not slip past.
      if (trainingRun && training.active && (trainingRun === runId || (await sameFolder(dir, runs.dirOf(trainingRun))))) {
        throw new HostError('this run is training; stop it before deleting it');
      }
      await runs.delete(runId);
    },
  };
}
