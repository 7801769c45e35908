import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { AugmentName, RunConfig, StepMetrics } from '../../engine/config';
import type { GeneratorLossName } from '../../engine/losses';
import { AUGMENT_NAMES, defaultRunConfig, runConfigErrors } from '../../engine/run-config';
import { appPaths } from '../../disk/app-paths';
import type { BackendPreference, ResizeMode } from '../../shared/contract';
import { formatEta } from '../../shared/format';
import { terminalProgressBar } from '../progress-bar';
import { UsageError } from '../usage-error';
import { backendOption, collect, parseFloatOption, parseIntOption, requireOption, startBackend } from './engine-options';

interface TrainOptions {
  data?: string[];
  out?: string;
  arch?: string;
  size?: string;
  width?: string;
  latent?: string;
  steps?: string;
  batch?: string;
  loss?: string;
  k?: string;
  prior?: string;
  lrD?: string;
  lrG?: string;
  beta1?: string;
  beta2?: string;
  replay?: string;
  ema?: string;
  augment?: string;
  seed?: string;
  sampleEvery?: string;
  checkpointEvery?: string;
  resize?: string;
  background?: string;
  backend: BackendPreference;
  resume?: boolean;
  json?: boolean;
}

function parseAugment(list: string | undefined): AugmentName[] | undefined {
  if (list === undefined) return undefined;
  if (list.trim() === '' || list.trim() === 'none') return [];
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!AUGMENT_NAMES.includes(name as AugmentName)) {
      throw new UsageError(`--augment: unknown augmentation "${name}" (use a comma list of ${AUGMENT_NAMES.join(', ')}, or none)`);
    }
  }
  return names as AugmentName[];
}

/** The run config the command line asks for: defaults, then every option given. */
export function configFromOptions(o: TrainOptions): RunConfig {
  const data = requireOption(o.data, '--data DIR|demo');
  const demo = data.length === 1 && data[0] === 'demo';
  const size = parseIntOption('size', o.size, 8) ?? 64;
  const overrides: Partial<RunConfig> = { size };
  const set = <K extends keyof RunConfig>(key: K, value: RunConfig[K] | undefined) => {
    if (value !== undefined) overrides[key] = value;
  };
  set('arch', o.arch as RunConfig['arch'] | undefined);
  set('width', parseIntOption('width', o.width));
  set('latent', parseIntOption('latent', o.latent));
  set('steps', parseIntOption('steps', o.steps));
  set('batch', parseIntOption('batch', o.batch));
  set('loss', o.loss as GeneratorLossName | undefined);
  set('k', parseIntOption('k', o.k));
  set('prior', o.prior as RunConfig['prior'] | undefined);
  set('lrD', parseFloatOption('lr-d', o.lrD, 1e-9, 1));
  set('lrG', parseFloatOption('lr-g', o.lrG, 1e-9, 1));
  set('beta1', parseFloatOption('beta1', o.beta1, 0, 0.999999));
  set('beta2', parseFloatOption('beta2', o.beta2, 0, 0.999999));
  set('replay', parseFloatOption('replay', o.replay, 0, 1));
  set('ema', parseFloatOption('ema', o.ema, 0, 0.999999));
  set('augment', parseAugment(o.augment));
  set('seed', parseIntOption('seed', o.seed, 0));
  set('sampleEvery', parseIntOption('sample-every', o.sampleEvery));
  set('checkpointEvery', parseIntOption('checkpoint-every', o.checkpointEvery));
  if (!demo) {
    for (const dir of data) if (!existsSync(dir)) throw new UsageError(`--data: folder not found: ${dir}`);
  }
  overrides.data = {
    folders: demo ? [] : data.map((d) => resolve(d)),
    settings: { size, mode: (o.resize ?? 'crop') as ResizeMode, background: o.background ?? '#ffffff' },
    ...(demo ? { demo: true } : {}),
  };
  const config = defaultRunConfig(overrides);
  const errors = runConfigErrors(config);
  if (errors.length > 0) throw new UsageError(errors[0]);
  return config;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a GAN on a folder of images (or the demo set) into a run folder')
    .option('--data <dir>', 'image folder, or "demo" (repeat for several folders)', collect)
    .option('--out <run>', 'run folder to write (config.json, metrics.jsonl, samples/, checkpoints/)')
    .addOption(new Option('--arch <arch>', 'architecture').choices(['dcgan', 'dcgan-ref']))
    .option('--size <px>', 'image size: 32, 64, 96 or 128 (default 64)')
    .option('--width <n>', 'base channel count of both networks (default 32)')
    .option('--latent <n>', 'latent size (default 128)')
    .option('--steps <n>', 'generator updates in total (default 5000)')
    .option('--batch <n>', 'real and generated images per update, each (default 32)')
    .addOption(new Option('--loss <name>', 'generator loss (default ns)').choices(['mm', 'ns', 'hinge', 'ls']))
    .option('--k <n>', 'discriminator updates per generator update (default 1)')
    .addOption(new Option('--prior <name>', 'latent prior (default normal)').choices(['normal', 'uniform']))
    .option('--lr-d <rate>', 'discriminator learning rate (default 2e-4)')
    .option('--lr-g <rate>', 'generator learning rate (default 2e-4)')
    .option('--beta1 <b>', "Adam's beta1 (default 0.5)")
    .option('--beta2 <b>', "Adam's beta2 (default 0.999)")
    .option('--replay <fraction>', 'fraction of generated images for D drawn from earlier generators (default 0)')
    .option('--ema <decay>', "EMA decay of the generator's weights, 0 = off (default 0.999)")
    .option('--augment <list>', `comma list of ${AUGMENT_NAMES.join(', ')}, or none (default none)`)
    .option('--seed <n>', 'random seed (default 1)')
    .option('--sample-every <n>', 'steps between sample grids (default 100)')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default 500)')
    .addOption(new Option('--resize <mode>', 'how images are fitted to the square (default crop)').choices(['crop', 'fit', 'stretch']))
    .option('--background <colour>', 'colour for transparency and letterboxing (default #ffffff)')
    .addOption(backendOption())
    .option('--resume', 'continue the run in --out from its last checkpoint; --steps (new total), --lr-d, --lr-g, --sample-every and --checkpoint-every may change')
    .option('--json', 'print one JSON line of metrics per logged step')
    .action(async (o: TrainOptions) => {
      const out = resolve(requireOption(o.out, '--out RUN'));
      let config: RunConfig;
      if (o.resume) {
        const { readRunConfig, latestCheckpoint } = await import('../../disk/run-folder');
        if (!existsSync(out)) throw new UsageError(`--resume: run folder not found: ${out}`);
        config = await readRunConfig(out);
        const latest = await latestCheckpoint(out);
        if (!latest) throw new UsageError(`--resume: ${out} has no checkpoint yet`);
        config.steps = parseIntOption('steps', o.steps) ?? config.steps;
        config.lrD = parseFloatOption('lr-d', o.lrD, 1e-9, 1) ?? config.lrD;
        config.lrG = parseFloatOption('lr-g', o.lrG, 1e-9, 1) ?? config.lrG;
        config.sampleEvery = parseIntOption('sample-every', o.sampleEvery) ?? config.sampleEvery;
        config.checkpointEvery = parseIntOption('checkpoint-every', o.checkpointEvery) ?? config.checkpointEvery;
        const changeable = ['out', 'steps', 'lrD', 'lrG', 'sampleEvery', 'checkpointEvery', 'resume', 'json', 'backend'];
        const ignored = Object.keys(o).filter((key) => !changeable.includes(key));
        if (ignored.length > 0) {
          const flags = ignored.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
          process.stderr.write(`--resume keeps the run's own settings (config.json); ignored: ${flags.join(' ')}\n`);
        }
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
      const inside = (child: string, parent: string) => {
        const rel = relative(parent, child);
        return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
      };
      for (const folder of config.data.folders) {
        if (inside(folder, out)) {
          throw new UsageError(`--out ${out} would hold the image folder ${folder}: give the run a folder of its own, e.g. --out ${resolve(out, 'run')}`);
        }
        if (inside(out, folder)) {
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
          backendReport: report,
          cacheDir: appPaths().cache,
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
