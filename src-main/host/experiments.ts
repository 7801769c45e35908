/**
 * The experiments service (issue 15): experiments.list/get/start/cancel/resume and the experiment.progress
 * event. An experiment's runs train in a pool of trainer processes of their own (host/experiment-runner.ts);
 * the host's one trainer stays for single runs, which behave as before.
 */
import { stat } from 'node:fs/promises';
import { typedPath } from '../disk/inside';
import { listExperiments, readExperiment, writeExperiment, type ExperimentFile } from '../disk/experiment-folder';
import { ExperimentPlanError } from '../shared/experiment-plan';
import type { ExperimentSummary } from '../shared/experiment';
import { describeErrors, validateRunConfig } from '../shared/schema';
import { HostError, type HostHandlers } from './dispatch';
import type { HostEventBus } from './events';
import { createExperiment, ExperimentRunner, type ExperimentRunnerDeps } from './experiment-runner';
import { experimentState, experimentSummary } from './experiment-state';

type ExperimentMethods = 'experiments.list' | 'experiments.get' | 'experiments.start' | 'experiments.cancel' | 'experiments.resume';

/** How often a training step may send experiment.progress, ms (runs starting, ending and scores always do). */
const STEP_PROGRESS_MS = 1000;

export interface ExperimentService {
  handlers: Pick<HostHandlers, ExperimentMethods>;
  /** Stops the running experiment, leaving it resumable (each run checkpoints). */
  dispose(): Promise<void>;
}

/**
 * The handlers over a runner with `deps` (its pool's trainer launcher, the app's folders). `home`: what a
 * typed `~` in the base run's image folders means (disk/inside.ts typedPath), as for train.start.
 */
export function createExperimentService(deps: ExperimentRunnerDeps, events: HostEventBus, home?: string): ExperimentService {
  const runner = new ExperimentRunner(deps);
  let lastStep = 0;
  runner.on((file, event) => {
    const now = Date.now();
    if (event.kind === 'step' && now - lastStep < STEP_PROGRESS_MS) return;
    if (event.kind === 'step') lastStep = now;
    events.emit('experiment.progress', live(file));
  });
  const live = (file: ExperimentFile): ExperimentSummary => experimentSummary(file, runner.liveImages(file), 'running');
  const summary = (file: ExperimentFile): ExperimentSummary =>
    runner.current?.id === file.id ? live(runner.current) : experimentSummary(file, file.images * file.runs.filter((r) => r.status === 'done').length);
  const read = (id: string) =>
    readExperiment(deps.root, id).catch((error: unknown) => {
      throw new HostError(error instanceof Error ? error.message : String(error));
    });
  let creating = false;
  const requireIdle = () => {
    if (!runner.busy && !creating) return;
    throw new HostError(`${runner.current ? `experiment "${runner.current.name}"` : 'an experiment'} is running; cancel it or wait for it to finish`);
  };
  /** Runs it in the background; its end (done, failed, cancelled) is one more progress event. */
  const launch = async (file: ExperimentFile): Promise<ExperimentSummary> => {
    requireIdle();
    const done = runner.run(file.id);
    void done.then(
      (final) => events.emit('experiment.progress', summary(final)),
      () => read(file.id).then((final) => events.emit('experiment.progress', summary(final)), () => undefined),
    );
    // run() reads and marks the file before the first run starts: report it as running from here.
    return { ...experimentSummary(file, 0), status: 'running' };
  };

  return {
    handlers: {
      'experiments.list': async () => (await listExperiments(deps.root)).map(summary),
      'experiments.get': async ({ id }) => {
        const current = runner.current;
        return current?.id === id ? experimentState(structuredClone(current), 'running') : experimentState(await read(id));
      },
      'experiments.start': async ({ config: asked, preset, vary, seeds, images, name }) => {
        requireIdle();
        const base = { ...asked, data: { ...asked.data, folders: asked.data.folders.map((folder) => typedPath(folder, 'data.folders', { home })) } };
        // The base run's own faults (no dataset, a folder that is not there) are the config's, said once up
        // front: otherwise every variant would name them, or every run would fail on them in turn.
        const checked = validateRunConfig(base);
        if (!checked.ok) throw new HostError(`config: ${describeErrors(checked.errors)}`);
        if (!base.data.demo) {
          for (const folder of base.data.folders) {
            if (!(await stat(folder).then((s) => s.isDirectory(), () => false))) throw new HostError(`data.folders: folder not found: ${folder}`);
          }
        }
        let file: ExperimentFile;
        creating = true;
        try {
          file = await createExperiment(deps, { base, preset, vary, seeds, images, name });
        } catch (error) {
          if (error instanceof ExperimentPlanError) throw new HostError(error.message.replace(/^--vary:? /, 'vary: '));
          throw error;
        } finally {
          creating = false;
        }
        return launch(file);
      },
      'experiments.cancel': async ({ id }) => {
        if (runner.current?.id === id) return runner.stop('cancelled');
        const file = await read(id);
        if (file.status === 'done' || file.status === 'cancelled') return;
        await writeExperiment(deps.root, { ...file, status: 'cancelled' });
        events.emit('experiment.progress', summary({ ...file, status: 'cancelled' }));
      },
      'experiments.resume': async ({ id }) => launch(await read(id)),
    },
    dispose: () => runner.stop('interrupted'),
  };
}
