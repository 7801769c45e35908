import { mkdir } from 'node:fs/promises';
import { totalmem } from 'node:os';
import type { RunConfig, TrainingStatus } from '../shared/contract';
import { backendMemoryLimit, trainingMemoryError } from '../engine/memory';
import { typedPath } from '../disk/inside';
import { writeRunConfig } from '../disk/run-folder';
import { applyResumeChanges, describeErrors, validateRunConfig } from '../shared/schema';
import { HostError, type HostHandlers } from './dispatch';
import type { HostEventBus } from './events';
import type { RunStore } from './runs';
import type { TrainerClient } from './trainer-client';

const ACTIVE_STATES: readonly TrainingStatus['state'][] = ['starting', 'running', 'paused', 'stopping'];

/** The one training status the host reports; every change is emitted as 'train.status'. */
export class TrainingTracker {
  private current: TrainingStatus = { runId: null, state: 'idle', step: 0, totalSteps: 0 };

  constructor(private readonly events: HostEventBus) {}

  /** The latest status (a new object after each change, so callers may keep it). */
  get status(): TrainingStatus {
    return this.current;
  }

  /** Whether a run is starting, running, paused or stopping. */
  get active(): boolean {
    return ACTIVE_STATES.includes(this.current.state);
  }

  set(next: Partial<TrainingStatus>): void {
    this.current = { ...this.current, ...next };
    this.events.emit('train.status', this.current);
  }

  /** Throws a HostError while a run is training. */
  requireIdle(): void {
    if (this.active) throw new HostError('a run is training; stop it before starting another');
  }
}

/** Forwards the trainer's events to the host's listeners, tagged with the training run's id. */
export function watchTrainer(trainer: TrainerClient, training: TrainingTracker, events: HostEventBus): void {
  trainer.onEvent('train.metrics', ({ metrics }) => {
    if (training.status.runId) events.emit('train.metrics', { runId: training.status.runId, metrics });
  });
  trainer.onEvent('train.sample', (sample) => {
    if (training.status.runId) events.emit('train.sample', { runId: training.status.runId, ...sample });
  });
  trainer.onEvent('train.health', ({ step, findings }) => {
    if (training.status.runId) events.emit('train.health', { runId: training.status.runId, step, findings });
  });
  trainer.onEvent('train.eval', ({ evaluation }) => {
    if (training.status.runId) events.emit('train.eval', { runId: training.status.runId, evaluation });
  });
  trainer.onEvent('train.state', ({ state, step, totalSteps, message }) => training.set({ state, step, totalSteps, message }));
  trainer.onExit(({ code, signal, reason }) => {
    const wasTraining = training.active;
    events.emit('trainer.exited', { code, signal, reason, runId: wasTraining ? training.status.runId : null });
    if (wasTraining) training.set({ state: 'failed', message: reason });
  });
}

type TrainingMethod =
  | 'trainer.backend'
  | 'trainer.restart'
  | 'train.start'
  | 'train.resume'
  | 'train.pause'
  | 'train.continue'
  | 'train.stop'
  | 'train.status';

/** Refuses, before anything is written, a run too large for the trainer's backend (engine/memory.ts). */
async function requireMemoryFor(trainer: TrainerClient, config: RunConfig): Promise<void> {
  const report = await trainer.ready();
  let message: string | null;
  try {
    message = trainingMemoryError(config, backendMemoryLimit(report.backend, totalmem()));
  } catch {
    return; // a malformed configuration is refused by its validation, with the field it names
  }
  if (message) throw new HostError(message);
}

/**
 * The trainer process and the training run: start (writing the run folder), resume, pause, stop.
 * `folders`: what the host hands the trainer (it never works out app paths itself). The run's image
 * folders may start with `~` (the folder `home`); relative ones are refused (disk/inside.ts typedPath).
 */
export function trainingHandlers(
  trainer: TrainerClient,
  runs: RunStore,
  training: TrainingTracker,
  folders: { dataDir: string; cacheDir: string; demoDir: string },
  home?: string,
): Pick<HostHandlers, TrainingMethod> {
  return {
    'trainer.backend': () => trainer.ready(),
    'trainer.restart': async () => {
      await trainer.stop();
      return trainer.ready();
    },
    'train.start': async ({ config: asked }) => {
      const config = { ...asked, data: { ...asked.data, folders: asked.data.folders.map((folder) => typedPath(folder, 'data.folders', { home })) } };
      training.requireIdle();
      await requireMemoryFor(trainer, config);
      const runId = runs.newRunId();
      const runDir = runs.dirOf(runId);
      await mkdir(runDir, { recursive: true });
      await writeRunConfig(runDir, config);
      training.set({ runId, state: 'starting', step: 0, totalSteps: config.steps, message: undefined });
      await trainer.request('train.start', { runDir, config, resume: false, ...folders });
      return runs.summary(runId);
    },
    'train.resume': async ({ runId, extraSteps, changes }) => {
      training.requireIdle();
      const summary = await runs.summary(runId);
      if (!summary.hasCheckpoint) throw new HostError('this run has no checkpoint to resume from');
      // What may change on resume (HOST_PARAMS refused the rest); the trainer writes config.json with it.
      const config = applyResumeChanges(await runs.config(runId), changes ?? {});
      const checked = validateRunConfig(config);
      if (!checked.ok) throw new HostError(`these changes make the run invalid: ${describeErrors(checked.errors)}`);
      await requireMemoryFor(trainer, config);
      training.set({ runId, state: 'starting', step: summary.stepsDone, totalSteps: config.steps + (extraSteps ?? 0), message: undefined });
      await trainer.request('train.start', { runDir: summary.dir, config, resume: true, extraSteps, ...folders });
      return { ...summary, config };
    },
    'train.pause': async () => {
      await trainer.request('train.pause', undefined);
      return training.status;
    },
    'train.continue': async () => {
      await trainer.request('train.continue', undefined);
      return training.status;
    },
    'train.stop': async () => {
      if (trainer.running) await trainer.request('train.stop', undefined);
      return training.status;
    },
    'train.status': async () => training.status,
  };
}
