/**
 * Runs an experiment's grid (issue 15) through a pool of trainer processes — one per core on a CPU backend
 * (each with cores ÷ pool threads), one on a GPU — and keeps experiment.json current, so that an interrupted
 * experiment resumes where it stopped: finished runs are skipped, a run with a checkpoint resumes from it, a
 * run never started starts. The host's service and `gan-studio experiment` both run experiments with it.
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { currentOwner, effectiveStatus, newExperimentId, readExperiment, writeExperiment, type ExperimentFile, type ExperimentFileRun } from '../disk/experiment-folder';
import { latestCheckpoint, writeRunConfig } from '../disk/run-folder';
import type { BackendReport, EvalMetrics, TrainingState } from '../shared/contract';
import { imagesPerStep } from '../shared/estimate';
import type { ExperimentPreset, ExperimentStatus, ExperimentVary } from '../shared/experiment';
import { experimentGrid, experimentLengths, experimentRunConfig, experimentSeeds } from '../shared/experiment-plan';
import type { RunConfig } from '../shared/schema';
import { TrainerClient, type TrainerLauncher } from './trainer-client';

/** What an experiment is asked to be: the base run, what varies, how many seeds, how long. */
export interface ExperimentRequest {
  base: RunConfig;
  preset?: ExperimentPreset | null;
  vary?: ExperimentVary[];
  /** Seeds per variant, 1 … 10. */
  seeds: number;
  /** Real images shown to D per run (rounded by experimentLengths). */
  images: number;
  name?: string;
}

export interface ExperimentRunnerDeps {
  /** The experiments folder (<data>/experiments) and the runs folder (<data>/runs). */
  root: string;
  runsDir: string;
  /** What the host hands every trainer (it never works out app folders itself). */
  folders: { dataDir: string; cacheDir: string; demoDir: string };
  /** Starts a trainer process for a pool of `jobs` processes: its backend takes cores ÷ jobs threads (GAN_STUDIO_JOBS). */
  launch: (jobs: number) => TrainerLauncher;
  /** Default os.availableParallelism(). */
  cores?: number;
}

/** What happened, for progress lines and events: a run started or ended, was scored, or trained a step. */
export type ExperimentEvent =
  | { kind: 'pool'; size: number; backend: BackendReport }
  | { kind: 'run-start' | 'run-end'; run: ExperimentFileRun; resumed?: boolean }
  | { kind: 'eval'; run: ExperimentFileRun; evaluation: EvalMetrics }
  | { kind: 'step'; run: ExperimentFileRun; step: number };

/**
 * Plans an experiment (shared/experiment-plan.ts) and writes its experiment.json with every run pending; run
 * ids are "<experiment id>-<variant>-s<seed>". Throws ExperimentPlanError (one line naming the flag) on a bad request.
 */
export async function createExperiment(deps: Pick<ExperimentRunnerDeps, 'root' | 'runsDir'>, request: ExperimentRequest, now = new Date()): Promise<ExperimentFile> {
  const grid = experimentGrid(request.base, request);
  const lengths = experimentLengths(request.base, grid.variants, request.images);
  const seeds = experimentSeeds(request.base, request.seeds);
  const id = newExperimentId(now);
  const slug = (variant: string) => variant.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^[-.]+|-+$/g, '');
  const runs = grid.variants.flatMap((variant) =>
    seeds.map((seed): ExperimentFileRun => {
      const { steps, evalEvery } = lengths.byVariant[variant.id];
      return { runId: `${id}-${slug(variant.id)}-s${seed}`.slice(0, 100), variant: variant.id, seed, status: 'pending', steps, evalEvery };
    }),
  );
  const file: ExperimentFile = {
    format: 1,
    id,
    name: request.name?.trim() || (request.preset ? `${request.preset} preset` : grid.variants.map((v) => v.id).join(' vs ')),
    created: now.toISOString(),
    status: 'interrupted',
    preset: request.preset ?? null,
    vary: request.vary ?? [],
    base: request.base,
    images: lengths.images,
    scoreImages: lengths.scoreImages,
    variants: grid.variants,
    baseline: grid.baseline,
    seeds,
    runsDir: deps.runsDir,
    runs,
  };
  await writeExperiment(deps.root, file);
  return file;
}

const ENDED: readonly TrainingState[] = ['finished', 'stopped', 'failed'];

/** Runs one experiment at a time; see the module comment. */
export class ExperimentRunner {
  private file: ExperimentFile | null = null;
  private clients: TrainerClient[] = [];
  private stopAs: 'cancelled' | 'interrupted' | null = null;
  private failure: string | null = null;
  private running: Promise<ExperimentFile> | null = null;
  private saving: Promise<void> = Promise.resolve();
  private liveSteps = new Map<string, number>();
  private listeners = new Set<(file: ExperimentFile, event: ExperimentEvent) => void>();

  constructor(private readonly deps: ExperimentRunnerDeps) {}

  /** The experiment running now, or null. */
  get current(): ExperimentFile | null {
    return this.file;
  }

  /** Whether an experiment runs (from the call of run() on, before its file is read). */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Listens to every event of the experiments this runner runs; returns the function that removes it. */
  on(listener: (file: ExperimentFile, event: ExperimentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Images seen by the current experiment's runs so far: finished runs in full, running ones by their live step. */
  liveImages(file: ExperimentFile): number {
    return file.runs.reduce((sum, run) => {
      const step = run.status === 'done' ? run.steps : (this.liveSteps.get(run.runId) ?? 0);
      return sum + step * this.perStep(file, run.variant);
    }, 0);
  }

  /**
   * Runs experiment `id` until every run is done (or failed), or stop() is called; resolves with the final
   * experiment.json. Throws when an experiment is already running here, or the file is running elsewhere.
   */
  run(id: string): Promise<ExperimentFile> {
    if (this.running) return Promise.reject(new Error(`experiment ${this.file?.id} is running; cancel it first`));
    this.running = this.runNow(id).finally(() => {
      this.running = null;
      this.file = null;
      this.clients = [];
      this.liveSteps.clear();
    });
    return this.running;
  }

  /**
   * Stops the running experiment: each training run saves a checkpoint and its trainer exits. 'cancelled'
   * (the user's choice) or 'interrupted' (Ctrl-C, the app quitting): either way it can resume later.
   */
  async stop(as: 'cancelled' | 'interrupted'): Promise<void> {
    if (!this.running) return;
    this.stopAs ??= as;
    const running = this.running;
    await Promise.all(this.clients.map((client) => client.stop()));
    await running.catch(() => undefined);
  }

  private async runNow(id: string): Promise<ExperimentFile> {
    const file = await readExperiment(this.deps.root, id);
    if (effectiveStatus(file) === 'running' && file.owner?.pid !== process.pid) {
      throw new Error(`experiment ${id} is running in another GAN Studio process (pid ${file.owner?.pid})`);
    }
    this.file = file;
    this.stopAs = null;
    this.failure = null;
    const queue = file.runs.filter((run) => run.status !== 'done');
    for (const run of queue) {
      run.status = 'pending';
      delete run.error;
    }
    file.status = 'running';
    file.owner = currentOwner();
    await this.save(file);
    try {
      if (queue.length > 0) await this.pool(file, queue);
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      await Promise.all(this.clients.map((client) => client.stop()));
      file.status = this.finalStatus(file);
      delete file.owner;
      await this.save(file);
    }
    return file;
  }

  private finalStatus(file: ExperimentFile): ExperimentStatus {
    if (this.stopAs) return this.stopAs;
    if (this.failure || file.runs.some((run) => run.status === 'failed')) return 'failed';
    return file.runs.every((run) => run.status === 'done') ? 'done' : 'interrupted';
  }

  /** Pool size: one process per core on a CPU backend (at most one per run), one on a GPU. */
  private async pool(file: ExperimentFile, queue: ExperimentFileRun[]): Promise<void> {
    const jobs = Math.max(1, Math.min(this.deps.cores ?? availableParallelism(), queue.length));
    const first = new TrainerClient(this.deps.launch(jobs));
    this.clients = [first];
    const report = await first.ready();
    const size = report.device === 'GPU' ? 1 : jobs;
    this.emit(file, { kind: 'pool', size, backend: report });
    for (let i = 1; i < size && !this.stopAs; i++) this.clients.push(new TrainerClient(this.deps.launch(jobs)));
    let next = 0;
    await Promise.all(
      this.clients.map(async (client) => {
        while (!this.stopAs && next < queue.length) await this.runOne(client, file, queue[next++]);
      }),
    );
  }

  private perStep(file: ExperimentFile, variant: string): number {
    return imagesPerStep({ ...file.base, ...file.variants.find((v) => v.id === variant)?.overrides });
  }

  private async runOne(client: TrainerClient, file: ExperimentFile, run: ExperimentFileRun): Promise<void> {
    const variant = file.variants.find((v) => v.id === run.variant);
    if (!variant) throw new Error(`experiment ${file.id}: run ${run.runId} names no variant of it (${run.variant})`);
    const config = experimentRunConfig(file.base, variant, run.seed, { steps: run.steps, evalEvery: run.evalEvery, imagesPerStep: this.perStep(file, run.variant) });
    const runDir = join(file.runsDir, run.runId);
    const resume = (await latestCheckpoint(runDir)) !== null;
    if (!resume) {
      await mkdir(runDir, { recursive: true });
      await writeRunConfig(runDir, config);
    }
    run.status = 'running';
    await this.save(file);
    this.emit(file, { kind: 'run-start', run, resumed: resume });
    const offs: Array<() => void> = [];
    const ended = new Promise<{ state: TrainingState | 'exited'; message?: string }>((resolve) => {
      offs.push(client.onEvent('train.state', ({ state, message }) => ENDED.includes(state) && resolve({ state, message })));
      offs.push(client.onExit(({ reason }) => resolve({ state: 'exited', message: reason })));
    });
    offs.push(client.onEvent('train.eval', ({ evaluation }) => this.emit(file, { kind: 'eval', run, evaluation })));
    offs.push(
      client.onEvent('train.metrics', ({ metrics }) => {
        const step = metrics.at(-1)?.step;
        if (step === undefined) return;
        this.liveSteps.set(run.runId, step);
        this.emit(file, { kind: 'step', run, step });
      }),
    );
    let outcome: { state: TrainingState | 'exited'; message?: string };
    try {
      await client.request('train.start', { runDir, config, resume, ...this.deps.folders });
      outcome = await ended;
    } catch (error) {
      outcome = { state: 'failed', message: error instanceof Error ? error.message : String(error) };
    } finally {
      for (const off of offs) off();
    }
    if (outcome.state === 'finished') run.status = 'done';
    else if (this.stopAs) run.status = this.stopAs === 'cancelled' ? 'cancelled' : 'pending';
    else {
      run.status = 'failed';
      run.error = outcome.message ?? `the run ${outcome.state}`;
    }
    await this.save(file);
    this.emit(file, { kind: 'run-end', run });
  }

  private emit(file: ExperimentFile, event: ExperimentEvent): void {
    for (const listener of this.listeners) listener(file, event);
  }

  /** Writes experiment.json after the writes before it (one file, many runs finishing). */
  private save(file: ExperimentFile): Promise<void> {
    const snapshot = structuredClone(file);
    this.saving = this.saving.catch(() => undefined).then(() => writeExperiment(this.deps.root, snapshot));
    return this.saving;
  }
}
