import { Option, type Command } from 'commander';
import { TOY_OPTIONS, TOY_RUN_OPTIONS, TOY_SHORTHANDS, type ToyGanConfig } from '../../shared/schema';
import { addSchemaOptions, readOptions } from './schema-options';
import { availableParallelism } from 'node:os';
import type { BackendPreference } from '../../shared/contract';
import { chooseBackend } from '../../trainer/backend';
import { SYNC_READ_BACKENDS } from './engine-options';
import {
  DEFAULT_TOY_CONFIG,
  gmmBaseline,
  summarizeRuns,
  toyDistribution,
  type ToyRunResult,
} from '../../engine/toy/index';
import { formatEta } from '../../shared/format';
import { terminalProgressBar } from '../progress-bar';
import { runToyTasks, type ToyTask } from '../toy-pool';
import { UsageError } from '../usage-error';

/** tfjs-node spreads one run over every core already; wasm and cpu use one core per process. */
function autoJobs(backend: string): number {
  return backend.startsWith('tensorflow') ? 1 : availableParallelism();
}

/** Distributions with REFERENCE.md modes, the ones the CLI can score. */
const SCORED = ['ring8', 'grid25', 'gaussian'] as const;
type ScoredDistribution = (typeof SCORED)[number];

/**
 * Iterations per run of the defaults, measured over seeds 0–4 with DEFAULT_TOY_CONFIG: grid25 needs
 * the longer settling phase of 9,000 (6,000 left it at 23.8 modes, 89% HQ), while ring8 at 9,000
 * dropped modes on two seeds of five (7.4) that 6,000 keeps (8/8).
 */
export const DEFAULT_TOY_STEPS: Record<ScoredDistribution, number> = { ring8: 6000, grid25: 9000, gaussian: 6000 };

type ToyOptions = Record<string, unknown> & {
  dist?: ScoredDistribution;
  steps?: string;
  runs: string;
  gmm?: string;
  covariance: 'full' | 'diag';
  backend: BackendPreference;
  jobs: string;
  json?: boolean;
};

function integer(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${text}'`);
  return value;
}

/** The toy GAN settings the flags ask for (schema rules); shorthands like --lr set both networks unless a flag of one is given. */
function configFrom(options: ToyOptions): Partial<ToyGanConfig> {
  const config: Partial<ToyGanConfig> = readOptions(TOY_OPTIONS, options);
  const shorthands = readOptions(Object.fromEntries(Object.entries(TOY_SHORTHANDS).map(([flag, s]) => [flag, s.option])), options);
  for (const [flag, value] of Object.entries(shorthands)) {
    for (const key of TOY_SHORTHANDS[flag as keyof typeof TOY_SHORTHANDS].sets) (config as Record<string, unknown>)[key] ??= value;
  }
  const batch = config.batch ?? DEFAULT_TOY_CONFIG.batch;
  const pack = config.pack ?? DEFAULT_TOY_CONFIG.pack;
  if (batch % pack !== 0) throw new UsageError(`--batch (${batch}) must be a multiple of --pack (${pack})`);
  return config;
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const pm = (s: { mean: number; std: number }, digits: number, format = (x: number) => x.toFixed(digits)) =>
  `${format(s.mean)} ± ${format(s.std)}`;

interface DistributionReport {
  dist: ScoredDistribution;
  method: 'gan' | 'gmm';
  steps?: number;
  components?: number;
  runs: ToyRunResult[];
  summary: ReturnType<typeof summarizeRuns>;
}

function printReport(report: DistributionReport): void {
  const s = report.summary;
  const total = report.runs[0]?.totalModes ?? NaN;
  const what = report.method === 'gan' ? `GAN, ${report.steps} steps` : `GMM K=${report.components} (EM)`;
  const lines = [
    `${report.dist} — ${what}, ${report.runs.length} run${report.runs.length === 1 ? '' : 's'} (mean ± std):`,
    `  modes       ${pm(s.modesCaptured, 2)} / ${total}`,
    `  hq          ${pm(s.highQuality, 1, percent)}`,
    `  reverseKL   ${pm(s.reverseKL, 3)}`,
  ];
  if (report.method === 'gan') {
    lines.push(`  jsdEstimate ${pm(s.jsdEstimate, 3)} nats (from V: a lower bound)`);
    lines.push(`  dFlatness   ${pm(s.dFlatness, 3)} (std of D over real samples)`);
  }
  lines.push(`  histogramJsd ${pm(s.histogramJsd, 3)} nats`, `  time        ${pm(s.seconds, 1)} s per run`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerToy(program: Command): void {
  const command = program
    .command('toy')
    .description('Train the 2-D playground GAN headless and score it with the REFERENCE.md mode metrics')
    .addOption(new Option('--dist <name>', 'target distribution (default: ring8 and grid25)').choices(SCORED))
    .option('--steps <n>', `iterations per run (default ${Object.entries(DEFAULT_TOY_STEPS).map(([dist, n]) => `${dist} ${n}`).join(', ')})`)
    .option('--runs <n>', 'independent runs (seeds) to average; run r uses --seed + r', '1');
  addSchemaOptions(command, TOY_OPTIONS);
  addSchemaOptions(command, Object.fromEntries(Object.entries(TOY_SHORTHANDS).map(([flag, s]) => [flag, s.option])));
  addSchemaOptions(command, TOY_RUN_OPTIONS)
    .option('--gmm <K>', 'fit a K-component Gaussian mixture by EM instead (the maximum-likelihood baseline)')
    .addOption(new Option('--covariance <type>', 'GMM covariances').choices(['full', 'diag']).default('full'))
    .addOption(
      new Option('--backend <name>', 'compute backend (wasm is the fastest on CPU for these tiny MLPs)')
        .choices(SYNC_READ_BACKENDS)
        .default('wasm'),
    )
    .option('--jobs <n>', 'runs trained at once, each in its own process (auto: one per core on wasm/cpu, one on tensorflow)', 'auto')
    .option('--json', 'print one JSON object instead of text')
    .action(async (options: ToyOptions) => {
      const runs = integer('runs', options.runs, 1);

      const stepsOption = options.steps === undefined ? undefined : integer('steps', options.steps, 0);
      const components = options.gmm === undefined ? undefined : integer('gmm', options.gmm, 1);
      const config = configFrom(options);
      const seed = config.seed ?? DEFAULT_TOY_CONFIG.seed;
      const { decay = TOY_RUN_OPTIONS.decay.default, settle = TOY_RUN_OPTIONS.settle.default } = readOptions(TOY_RUN_OPTIONS, options);
      const dists: ScoredDistribution[] = options.dist ? [options.dist] : ['ring8', 'grid25'];

      // This process only finds out which backend loads (the workers train): no wasm threads here.
      const backend = components === undefined ? await chooseBackend(options.backend, { threads: 1, readsSync: true }) : undefined;
      if (backend && !options.json) {
        const skippedWhy = backend.skipped.filter((s) => !s.reason.startsWith('not requested'));
        const skipped = skippedWhy.length ? ` (skipped: ${skippedWhy.map((s) => `${s.backend}: ${s.reason}`).join('; ')})` : '';
        process.stderr.write(`backend: ${backend.label}${skipped}\n`);
      }
      const bar = terminalProgressBar('toy [{bar}] {value}/{total} iterations · {label} · ETA {etaText}', !options.json);
      const jobs = options.jobs === 'auto' ? 'auto' : integer('jobs', options.jobs, 1);
      const stepsOf = (dist: ScoredDistribution): number => stepsOption ?? DEFAULT_TOY_STEPS[dist];
      const printRun = (dist: ScoredDistribution, result: ToyRunResult): void => {
        if (options.json) return;
        process.stderr.write(
          `  ${dist} run ${result.seed - seed + 1}/${runs} (seed ${result.seed}): modes ${result.modesCaptured}/${result.totalModes}, ` +
            `hq ${percent(result.highQuality)}, reverseKL ${result.reverseKL.toFixed(3)}, ${result.seconds.toFixed(1)} s\n`,
        );
      };
      const resultsOf = new Map<ScoredDistribution, ToyRunResult[]>();
      if (components === undefined) {
        const tasks: ToyTask[] = dists.flatMap((dist) =>
          Array.from({ length: runs }, (_, r) => ({ dist, steps: stepsOf(dist), config: { ...config, seed: seed + r }, decay, settle })),
        );
        const totalSteps = tasks.reduce((sum, task) => sum + task.steps, 0);
        const done = tasks.map(() => 0);
        let finished = 0;
        const started = performance.now();
        const showProgress = (): void => {
          const iterations = done.reduce((sum, n) => sum + n, 0);
          const perSecond = iterations / ((performance.now() - started) / 1000);
          bar.update(iterations, totalSteps, {
            label: `${finished}/${tasks.length} run${tasks.length === 1 ? '' : 's'} done`,
            etaText: formatEta(totalSteps - iterations, perSecond),
          });
        };
        const results = await runToyTasks(tasks, {
          jobs: jobs === 'auto' ? autoJobs(backend!.backend) : jobs,
          backend: options.backend,
          onProgress: (index, iterations) => {
            done[index] = iterations;
            showProgress();
          },
          onResult: (index, result) => {
            done[index] = tasks[index].steps;
            finished++;
            bar.stop();
            printRun(tasks[index].dist, result);
            if (finished < tasks.length) showProgress();
          },
        });
        dists.forEach((dist, d) => resultsOf.set(dist, results.slice(d * runs, (d + 1) * runs)));
      } else {
        for (const dist of dists) {
          const results = Array.from({ length: runs }, (_, r) => {
            const { model: _model, ...result } = gmmBaseline({ distribution: toyDistribution(dist), components, covariance: options.covariance, seed: seed + r });
            void _model;
            printRun(dist, result);
            return result;
          });
          resultsOf.set(dist, results);
        }
      }
      const reports: DistributionReport[] = dists.map((dist) => {
        const results = resultsOf.get(dist)!;
        return {
          dist,
          method: components === undefined ? 'gan' : 'gmm',
          ...(components === undefined ? { steps: stepsOf(dist) } : { components }),
          runs: results,
          summary: summarizeRuns(results),
        };
      });
      if (!options.json) reports.forEach(printReport);
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify(
            {
              backend: backend ? { name: backend.backend, label: backend.label } : null,
              config: components === undefined ? { ...DEFAULT_TOY_CONFIG, ...config, steps: stepsOption ?? DEFAULT_TOY_STEPS, decay, settle } : { components, covariance: options.covariance },
              results: reports,
            },
            (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value),
          )}\n`,
        );
      }
    });
}
