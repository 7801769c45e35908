import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isInside } from '../../disk/inside';
import { appPaths } from '../../disk/app-paths';
import type { BackendPreference, EvalMetrics, HealthFinding, StepMetrics } from '../../shared/contract';
import { formatEta } from '../../shared/format';
import {
  applyResumeChanges,
  DATASET_OPTIONS,
  defaultRunConfig,
  describeErrors,
  flagOf,
  optionText,
  RESUMABLE_OPTIONS,
  RUN_OPTIONS,
  validateRunConfig,
  type FieldError,
  type RunConfig,
  type RunOptionKey,
} from '../../shared/schema';
import { terminalProgressBar } from '../progress-bar';
import { UsageError } from '../usage-error';
import { backendOption, collect, pathOption, requireOption, startBackend } from './engine-options';
import { addSchemaOptions, readOptions } from './schema-options';

/** The dataset flags `train` offers (how the folder is prepared); the rest are `dataset`'s. */
export const TRAIN_DATASET_OPTIONS = { mode: DATASET_OPTIONS.mode, background: DATASET_OPTIONS.background, keepDuplicates: DATASET_OPTIONS.keepDuplicates };

type TrainOptions = Record<string, unknown> & {
  data?: string[];
  out?: string;
  backend: BackendPreference;
  resume?: boolean;
  json?: boolean;
};

/** The run config the command line asks for: the schema's defaults, then every option given. */
export function configFromOptions(o: TrainOptions): RunConfig {
  const data = requireOption(o.data, '--data DIR|demo');
  const demo = data.length === 1 && data[0] === 'demo';
  const overrides = readOptions(RUN_OPTIONS, o);
  const settings = readOptions(TRAIN_DATASET_OPTIONS, o);
  const folders = demo ? [] : data.map((dir) => pathOption(dir, '--data'));
  for (const dir of folders) if (!existsSync(dir)) throw new UsageError(`--data: folder not found: ${dir}`);
  const size = overrides.size ?? RUN_OPTIONS.size.default;
  const config = defaultRunConfig({
    ...overrides,
    data: {
      folders,
      settings: {
        size,
        mode: settings.mode ?? DATASET_OPTIONS.mode.default,
        background: settings.background ?? DATASET_OPTIONS.background.default,
        ...(settings.keepDuplicates ? { keepDuplicates: true } : {}),
      },
      ...(demo ? { demo: true } : {}),
    },
  });
  const checked = validateRunConfig(config);
  if (!checked.ok) throw new UsageError(flagErrors(checked.errors));
  return checked.value;
}

/** Schema errors as the command line names them: "--size: …". The dataset's size follows --size, so it is not repeated. */
function flagErrors(errors: FieldError[]): string {
  const named = errors
    .filter((e) => !(e.field === 'data.settings.size' && errors.some((other) => other.field === 'size')))
    .map((e) => (e.field in RUN_OPTIONS ? `--${flagOf(e.field, RUN_OPTIONS[e.field as RunOptionKey])}: ${e.message}` : `${e.field}: ${e.message}`));
  return named.join('; ');
}

/**
 * A health finding as the one line `train` prints: "warning: D has won: … Stop (Ctrl-C) and resume with:
 * gan-studio train --resume --out RUN --k 1 --lr-d 1e-5" (a new run's flags for remedies that change the networks).
 */
export function healthWarning(finding: HealthFinding, out: string): string {
  const flags = (Object.entries(finding.remedy.changes) as Array<[RunOptionKey, unknown]>)
    .map(([key, value]) => `--${flagOf(key, RUN_OPTIONS[key])} ${optionText(RUN_OPTIONS[key], value) || 'none'}`)
    .join(' ');
  const fix = finding.remedy.resumable
    ? `Stop (Ctrl-C) and resume with: gan-studio train --resume --out ${out} ${flags}`
    : `Try a new run with the same settings and ${flags}`;
  return `warning: ${finding.message} ${fix}`;
}

/**
 * One line per quality score of `train`: "quality at step 1000 (32,000 images seen): SWD ×10³ 41.52 ·
 * NDB/K 0.620 (lower is better) · memorised 0.31 (1000 generated against 800 held-out at 32 px, 12.5 s) ·
 * D flatness 0.18 (0 = flat)" — "real" in place of "held-out" when the run scores against its training
 * images; the flatness (engine/landscape.ts) where the line records D's landscape.
 */
export function describeEval(e: EvalMetrics): string {
  const q = e.eval;
  return (
    `quality at step ${e.step} (${e.imagesSeen.toLocaleString('en-US')} images seen): SWD ×10³ ${q.swd.toFixed(2)} · NDB/K ${q.ndbK.toFixed(3)} (lower is better) · ` +
    `memorised ${q.memorised.toFixed(2)} (${q.n} generated against ${q.real} ${q.against === 'held-out' ? 'held-out' : 'real'} at ${q.size} px, ${q.seconds.toFixed(1)} s)` +
    (e.landscape ? ` · D flatness ${e.landscape.flatness.toFixed(2)} (0 = flat)` : '')
  );
}

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description('train a GAN on a folder of images (or the demo set) into a run folder')
    .option('--data <dir>', 'image folder, or "demo" (repeat for several folders)', collect)
    .option('--out <run>', 'run folder to write (config.json, metrics.jsonl, samples/, checkpoints/)');
  addSchemaOptions(addSchemaOptions(command, RUN_OPTIONS), TRAIN_DATASET_OPTIONS)
    .addOption(backendOption())
    .option('--resume', `continue the run in --out from its last checkpoint; ${RESUMABLE_OPTIONS.map((key) => `--${flagOf(key, RUN_OPTIONS[key])}`).join(', ')} may change (--steps is the new total)`)
    .option('--json', 'print one JSON line of metrics per logged step, and per quality score (its "eval" key)')
    .action(async (o: TrainOptions) => {
      const out = pathOption(requireOption(o.out, '--out RUN'), '--out');
      // One writer per run folder: refuse at once, before a backend starts (runTraining takes the lock).
      const { isLockLive, readRunLock, RunLockedError } = await import('../../disk/run-lock');
      const owner = await readRunLock(out);
      if (owner && isLockLive(owner)) throw new RunLockedError(out, owner);
      let config: RunConfig;
      if (o.resume) {
        const { readRunConfig } = await import('../../disk/run-folder');
        const { loadNewestIntactCheckpoint } = await import('../../disk/checkpoint-files');
        if (!existsSync(out)) throw new UsageError(`--resume: run folder not found: ${out}`);
        const changes = readOptions(RUN_OPTIONS, o);
        config = applyResumeChanges(await readRunConfig(out), changes);
        const latest = await loadNewestIntactCheckpoint(out);
        if (!latest) throw new UsageError(`--resume: ${out} has no checkpoint yet`);
        const ignored = Object.keys(changes).filter((key) => !(RESUMABLE_OPTIONS as string[]).includes(key));
        const flags = ignored.map((key) => `--${flagOf(key, RUN_OPTIONS[key as keyof typeof RUN_OPTIONS])}`);
        for (const [key, option] of Object.entries(TRAIN_DATASET_OPTIONS)) if (o[key] !== undefined) flags.push(`--${flagOf(key, option)}`);
        if (o.data !== undefined) flags.push('--data');
        if (flags.length > 0) {
          process.stderr.write(`--resume keeps the run's own settings (config.json); ignored: ${flags.join(' ')}\n`);
        }
        const checked = validateRunConfig(config);
        if (!checked.ok) throw new UsageError(flagErrors(checked.errors));
        if (config.steps <= latest.step) {
          throw new UsageError(`--resume: the run is already at step ${latest.step}; pass a larger --steps (the new total)`);
        }
      } else {
        config = configFromOptions(o);
        const { latestCheckpoint } = await import('../../disk/run-folder');
        if (await latestCheckpoint(out)) {
          throw new UsageError(`${out} already holds a trained run: add --resume to continue it, or choose another --out`);
        }
      }
      for (const folder of config.data.folders) {
        if (isInside(folder, out)) {
          throw new UsageError(`--out ${out} would hold the image folder ${folder}: give the run a folder of its own, e.g. --out ${resolve(out, 'run')}`);
        }
        if (isInside(out, folder)) {
          process.stderr.write(`note: the run folder ${out} is inside the image folder ${folder}; run folders are left out of the images, so its samples are never trained on\n`);
        }
      }
      const report = await startBackend(o.backend);
      const [{ trainingMemoryError }, { currentMemoryLimit }] = await Promise.all([import('../../engine/memory'), import('../../trainer/backend')]);
      const memory = trainingMemoryError(config, currentMemoryLimit(), '--batch');
      if (memory) throw new UsageError(memory);
      const { runTraining } = await import('../../trainer/session');

      const controller = new AbortController();
      let stopSignal: NodeJS.Signals | null = null;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopSignal) process.exit(signal === 'SIGINT' ? 130 : 143);
        stopSignal = signal;
        process.stderr.write(`\n${signal}: saving a checkpoint, then stopping (again to quit at once)\n`);
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);

      const tty = !o.json && process.stderr.isTTY === true;
      const importBar = terminalProgressBar('{phase} [{bar}] {value}/{total}', !o.json);
      const bar = terminalProgressBar(
        'step {value}/{total} [{bar}] {imgps} img/s · ETA {etaText} · D {dLoss} G {gLoss} · JSD {jsd}',
        !o.json,
      );
      const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
      try {
        const result = await runTraining({
          runDir: out,
          config,
          resume: o.resume === true,
          resumeHint: `continue with: gan-studio train --resume --out ${out}`,
          backendReport: report,
          cacheDir: appPaths().cache,
          demoDir: appPaths().demo,
          dataDir: appPaths().root,
          signal: controller.signal,
          hooks: {
            onState: (state, message) => {
              if (state === 'starting' && message) process.stderr.write(`${message}…\n`);
            },
            onImportProgress: (p) => importBar.update(p.done, p.total, { phase: p.phase }),
            onDataset: (r) => {
              importBar.stop();
              process.stderr.write(`dataset: ${r.used} images (${r.found} found, ${r.skipped.length} skipped, ${r.duplicates.length} duplicates)\n`);
            },
            onLog: (message) => process.stderr.write(`${message}\n`),
            // The divergence guard's warning is printed by onLog already.
            onHealth: ({ added }) => {
              for (const finding of added) if (finding.kind !== 'divergence') process.stderr.write(`${healthWarning(finding, out)}\n`);
            },
            onEval: (e) => {
              if (o.json) process.stdout.write(`${JSON.stringify(e)}\n`);
              else process.stderr.write(`${tty ? '\r\x1b[K' : ''}${describeEval(e)}\n`);
            },
            onMetrics: (m: StepMetrics) => {
              if (o.json) process.stdout.write(`${JSON.stringify(m)}\n`);
              if (tty) {
                bar.update(m.step, config.steps, { imgps: m.imgPerSec.toFixed(1), etaText: formatEta(config.steps - m.step, m.imgPerSec / (config.batch * config.k)), dLoss: fmt(m.dLoss), gLoss: fmt(m.gLoss), jsd: fmt(m.jsd) });
              } else if (!o.json && (m.step % config.sampleEvery === 0 || m.step === config.steps)) {
                process.stderr.write(`step ${m.step}/${config.steps} · ${m.imgPerSec.toFixed(1)} img/s · D ${fmt(m.dLoss)} G ${fmt(m.gLoss)} · JSD ${fmt(m.jsd)}\n`);
              }
            },
          },
        });
        bar.stop();
        if (result.state === 'finished') {
          process.stderr.write(`finished at step ${result.step}: ${out}\n`);
        } else {
          process.stderr.write(
            `stopped at step ${result.step}; checkpoint saved. Continue with: gan-studio train --resume --out ${out}\n`,
          );
          process.exitCode = stopSignal === 'SIGTERM' ? 143 : 130;
        }
      } finally {
        importBar.stop();
        bar.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
