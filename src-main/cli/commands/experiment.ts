/**
 * `gan-studio experiment` (issue 15): runs a grid of runs that differ in one or two options, several seeds
 * each, at equal images seen, through a pool of trainer processes; prints the table (mean ± std over seeds)
 * and one verdict line per compared pair. Ctrl-C leaves it resumable with --resume ID.
 */
import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { appPaths } from '../../disk/app-paths';
import { readExperiment, type ExperimentFile } from '../../disk/experiment-folder';
import { createExperiment, ExperimentRunner, type ExperimentEvent } from '../../host/experiment-runner';
import { experimentState } from '../../host/experiment-state';
import { nodeTrainerLauncher } from '../../host/trainer-client';
import { describeBackend, type BackendPreference } from '../../shared/contract';
import { imagesPerStep } from '../../shared/estimate';
import { EXPERIMENT_PRESET_NAMES, presetQuestion, type ExperimentPreset, type ExperimentState, type MeanStd } from '../../shared/experiment';
import { ExperimentPlanError, parseVaryText } from '../../shared/experiment-plan';
import { RUN_OPTIONS, type RunOptionKey } from '../../shared/schema';
import { terminalProgressBar } from '../progress-bar';
import { UsageError } from '../usage-error';
import { backendOption, collect, parseIntOption, pathOption } from './engine-options';
import { addSchemaOptions } from './schema-options';
import { configFromOptions, TRAIN_DATASET_OPTIONS } from './train';

type ExperimentOptions = Record<string, unknown> & {
  data?: string[];
  vary?: string[];
  preset?: ExperimentPreset;
  seeds: string;
  steps?: string;
  images?: string;
  out?: string;
  resume?: string;
  backend: BackendPreference;
  json?: boolean;
};

/** The train flags an experiment takes (all but the length and the score interval, which it sets itself). */
const BASE_OPTIONS = Object.fromEntries(Object.entries(RUN_OPTIONS).filter(([key]) => key !== 'steps' && key !== 'evalEvery')) as Partial<typeof RUN_OPTIONS>;

export function registerExperiment(program: Command): void {
  const command = program
    .command('experiment')
    .description('compare runs that differ in one or two options, several seeds each, at equal images seen: a table and a verdict per pair')
    .option('--data <dir>', 'image folder, or "demo" (repeat for several folders)', collect)
    .option('--vary <option=a,b>', 'a train flag and its values, e.g. --vary k=1,5 (twice for a grid of both)', collect)
    .addOption(new Option('--preset <name>', `one of the lecture's questions: ${EXPERIMENT_PRESET_NAMES.map((p) => `${p} (${presetQuestion(p)})`).join('; ')}`).choices(EXPERIMENT_PRESET_NAMES))
    .option('--seeds <n>', 'runs per variant, with seeds --seed, --seed + 1, … (1 to 10)', '3')
    .option('--steps <n>', "the baseline variant's steps; the others see as many images (default 5000)")
    .option('--images <n>', 'real images shown to D per run, instead of --steps')
    .option('--out <dir>', `experiments folder (default ${appPaths().experiments}); the runs go to the app's runs folder`)
    .option('--resume <id>', 'continue an interrupted experiment in --out: finished runs are kept, the rest continue or start');
  addSchemaOptions(addSchemaOptions(command, BASE_OPTIONS as Record<string, (typeof RUN_OPTIONS)[RunOptionKey]>), TRAIN_DATASET_OPTIONS)
    .addOption(backendOption())
    .option('--json', 'print the final state (runs, table, verdicts) as one JSON object')
    .action(async (o: ExperimentOptions) => {
      const root = o.out ? pathOption(o.out, '--out') : appPaths().experiments;
      const seeds = parseIntOption('seeds', o.seeds, 1)!;
      if (seeds > 10) throw new UsageError(`--seeds must be 1 to 10, got ${seeds}`);
      let file: ExperimentFile;
      if (o.resume) {
        file = await readExperiment(root, o.resume).catch((error: unknown) => {
          throw new UsageError(`--resume: ${error instanceof Error ? error.message : String(error)}`);
        });
      } else {
        if (o.steps !== undefined && o.images !== undefined) throw new UsageError('give --steps or --images, not both');
        const base = configFromOptions({ ...o, resume: undefined });
        const images = parseIntOption('images', o.images, 1);
        const vary = (o.vary ?? []).map((text) => parseVaryGuarded(text));
        try {
          // --steps (default 5000) is the baseline variant's: the others see as many images.
          file = await createExperiment({ root, runsDir: appPaths().runs }, { base, preset: o.preset ?? null, vary, seeds, images: images ?? 0, steps: images === undefined ? base.steps : undefined });
          const asked = images ?? base.steps * imagesPerStep({ ...base, ...file.variants.find((v) => v.id === file.baseline)?.overrides });
          if (file.images !== asked) process.stderr.write(`note: ${asked.toLocaleString('en-US')} images per run rounded to ${file.images.toLocaleString('en-US')}, a whole number of steps of every variant\n`);
        } catch (error) {
          if (error instanceof ExperimentPlanError) throw new UsageError(error.message);
          const code = (error as NodeJS.ErrnoException).code;
          // A full disk is run-cli's line; any other file-system refusal is the folder's: name it.
          if (typeof code === 'string' && code !== 'ENOSPC') {
            const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'not writable' : code;
            throw new UsageError(`${o.out ? '--out' : 'the experiments folder'} ${root}: cannot write the experiment there (${why}); choose a folder you can write to`);
          }
          throw error;
        }
      }
      const state = await runWithProgress(root, file, o);
      if (o.json) process.stdout.write(`${JSON.stringify(state)}\n`);
      else process.stdout.write(`${describeExperiment(state)}\n`);
      const resumeHint = `gan-studio experiment --resume ${file.id}${o.out ? ` --out ${root}` : ''}`;
      if (state.status === 'interrupted' || state.status === 'cancelled') {
        process.stderr.write(`stopped; finished runs are kept. Continue with: ${resumeHint}\n`);
        process.exitCode = 130;
      } else if (state.status === 'failed') {
        for (const run of state.runs) if (run.status === 'failed') process.stderr.write(`run ${run.runId} failed: ${run.error}\n`);
        process.stderr.write(`retry the failed runs with: ${resumeHint}\n`);
        process.exitCode = 1;
      }
    });
}

function parseVaryGuarded(text: string) {
  try {
    return parseVaryText(text);
  } catch (error) {
    if (error instanceof ExperimentPlanError) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs the experiment with progress on stderr; Ctrl-C (or SIGTERM) stops it with checkpoints, resumable. */
async function runWithProgress(root: string, file: ExperimentFile, o: ExperimentOptions): Promise<ExperimentState> {
  const launch = (jobs: number) =>
    nodeTrainerLauncher(undefined, { ...process.env, GAN_STUDIO_BACKEND: o.backend, GAN_STUDIO_JOBS: String(jobs) }, { stdoutToStderr: true });
  const runner = new ExperimentRunner({ root, runsDir: file.runsDir, folders: { dataDir: appPaths().root, cacheDir: appPaths().cache, demoDir: appPaths().demo }, launch });
  const tty = process.stderr.isTTY === true;
  const bar = terminalProgressBar('images {value}/{total} [{bar}] · runs {done}/{runs}');
  const line = (text: string) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}${text}\n`);
  const total = file.images * file.runs.length;
  const index = (runId: string) => `${file.runs.findIndex((r) => r.runId === runId) + 1}/${file.runs.length}`;
  line(`experiment ${file.id}: ${file.variants.length} variants × ${file.seeds.length} seeds, ${file.images.toLocaleString('en-US')} images seen per run, scored every ${file.scoreImages.toLocaleString('en-US')} → ${join(root, file.id, 'experiment.json')}`);
  runner.on((live, event: ExperimentEvent) => {
    const done = String(live.runs.filter((r) => r.status === 'done').length);
    if (event.kind === 'pool') line(`${event.size} trainer process${event.size === 1 ? '' : 'es'} on ${describeBackend(event.backend)}`);
    else if (event.kind === 'run-start') line(`run ${index(event.run.runId)} ${event.resumed ? 'resumed' : 'started'}: ${event.run.variant}, seed ${event.run.seed}, ${event.run.steps} step${event.run.steps === 1 ? '' : 's'} → ${join(file.runsDir, event.run.runId)}`);
    else if (event.kind === 'run-end') line(`run ${index(event.run.runId)} ${event.run.status === 'done' ? 'finished' : event.run.status === 'pending' ? 'stopped, resumable' : event.run.status}: ${event.run.variant}, seed ${event.run.seed}${event.run.error ? ` (${event.run.error})` : ''}`);
    else if (event.kind === 'eval') {
      const e = event.evaluation;
      line(`  ${event.run.variant}, seed ${event.run.seed}: at ${e.imagesSeen.toLocaleString('en-US')} images SWD ×10³ ${e.eval.swd.toFixed(2)} · NDB/K ${e.eval.ndbK.toFixed(3)}`);
    }
    bar.update(runner.liveImages(live), total, { done, runs: String(live.runs.length) });
  });
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(signal === 'SIGINT' ? 130 : 143);
    signalled = true;
    line(`${signal}: the runs save a checkpoint, then stop (again to quit at once)`);
    void runner.stop('interrupted');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const final = await runner.run(file.id);
    return await experimentState(final);
  } finally {
    bar.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function meanStd(x: MeanStd, digits: number): string {
  if (!Number.isFinite(x.mean)) return '—';
  return `${x.mean.toFixed(digits)} ± ${Number.isFinite(x.std) ? x.std.toFixed(digits) : '—'}`;
}

/**
 * The table (per variant: mean ± std over finished seeds of SWD × 10³, NDB/K, the final D and G losses, the
 * wall time, the generator steps, and D's landscape at the end — flatness, mean D on held-out real and on
 * generated images, "—" for runs without one), the verdict lines, and the compute used, as the command prints them.
 */
export function describeExperiment(state: ExperimentState): string {
  const header = ['variant', 'seeds', 'SWD ×10³', 'NDB/K', 'D loss', 'G loss', 'G steps', 'wall s', 'D flat', 'D real', 'D fake'];
  const rows = state.table.map((r) => [
    r.variant, String(r.seeds), meanStd(r.swd, 2), meanStd(r.ndbK, 3), meanStd(r.dLoss, 3), meanStd(r.gLoss, 3), String(r.steps), meanStd(r.seconds, 1),
    meanStd(r.flatness, 3), meanStd(r.dReal, 3), meanStd(r.dFake, 3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const seconds = state.runs.reduce((sum, r) => sum + r.seconds, 0);
  return [
    `${state.name} (${state.id}): ${state.status}, ${state.runsDone}/${state.runsTotal} runs, mean ± std over seeds, lower is better`,
    format(header),
    ...rows.map(format),
    '',
    ...state.verdicts.map((v) => v.text),
    '',
    ...(state.table.some((r) => r.landscapeSeeds > 0)
      ? [`D flat: the spread of D over held-out real and generated images at the end (0 = flat, as Goodfellow's D* = 1/2); D real / D fake: D's mean on each${state.table.some((r) => r.dValue === 'score') ? " (D(x) in [0, 1] for MMGAN/NSGAN, D's raw score for hinge and least squares)" : ', D(x) in [0, 1]'}`, '']
      : []),
    `compute: ${state.imagesSeen.toLocaleString('en-US')} images seen in all, ${(seconds / 60).toFixed(1)} min of training wall time over all runs`,
  ].join('\n');
}
