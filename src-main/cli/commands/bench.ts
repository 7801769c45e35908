import type { Command } from 'commander';
import type { KernelProfile } from '../../engine/kernel-profile';
import { BACKEND_PREFERENCES, type BackendPreference, type BackendReport } from '../../shared/contract';
import { printBackend } from './engine-options';
import { ARCH, ARCH_NAMES, RUN_OPTIONS, type Architecture } from '../../shared/schema';
import { UsageError } from '../usage-error';
import { addSchemaOptions, readOptions } from './schema-options';

/** Run options of the quality recipe whose cost bench can time (issue 12); off unless given. */
const RECIPE_OPTIONS = { spectralNorm: RUN_OPTIONS.spectralNorm, r1: RUN_OPTIONS.r1, r1Every: RUN_OPTIONS.r1Every };

interface BenchOptions {
  arch: string;
  size?: string;
  width?: string;
  latent?: string;
  batch: string;
  steps: string;
  backend: string;
  json?: boolean;
  freshFakes?: boolean;
  threads?: string;
  profile?: boolean;
}

export interface BenchSettings {
  arch: Architecture;
  size: number;
  width: number;
  latent: number;
  batch: number;
  steps: number;
  /** The generator update reuses the discriminator update's fakes (torch_dcgan.py's loop). */
  reuseFakes: boolean;
  /** Spectral norm of D and the R1 penalty (run options of the same names); off when absent. */
  spectralNorm?: boolean;
  r1?: number;
  r1Every?: number;
}

export interface BenchResult extends BenchSettings {
  backend: string;
  threads: number;
  msPerIter: number;
  /** Generated images per second: batch / seconds per iteration, as shared/bench/torch_dcgan.py counts. */
  imgPerSec: number;
  /**
   * CPU time of the whole process (all its threads) ÷ wall time over the timed iterations: about
   * the number of cores kept busy, e.g. near 2 on 2 wasm threads of an otherwise idle machine.
   */
  cpuPerWall: number;
  gParams: number;
  dParams: number;
  /** With --profile: the kernels of --steps more iterations, run after the timed ones. */
  profile?: KernelProfile;
}

export interface BenchRunOptions {
  /** wasm threads; default: one per core (threadsPerProcess). */
  threads?: number;
  /** Also profile --steps iterations kernel by kernel (after the timing, which it would slow). */
  profile?: boolean;
}

/**
 * Times the engine's own trainIteration (src-main/engine/gan.ts), configured as the reference
 * (shared/bench/README.md): ns loss, k = 1, Adam(2e-4, 0.5, 0.999), no EMA, replay or augmentation,
 * and with reuseFakes the reference's loop, where the generator update reuses the fakes (and the
 * generator's forward pass) of the discriminator update. spectralNorm, r1 and r1Every, when given,
 * add those parts of the quality recipe, to time what they cost.
 */
export async function runBench(
  settings: BenchSettings,
  preference: BackendPreference,
  options: BenchRunOptions = {},
): Promise<{ report: BackendReport; result: BenchResult }> {
  // Loaded here so that `--help` and option errors do not wait for tfjs.
  const [{ chooseBackend }, { createGan, disposeGan, trainIteration }, { randomRealBatches, timeIterations }, { countTrainableParams }, { profileKernels }, { defaultRunConfig, describeErrors, validateRunConfig, LOSS, PRIOR }] =
    await Promise.all([
      import('../../trainer/backend'),
      import('../../engine/gan'),
      import('../../engine/speed'),
      import('../../engine/models'),
      import('../../engine/kernel-profile'),
      import('../../shared/schema'),
    ]);
  const { reuseFakes, spectralNorm, r1, r1Every, ...modelSettings } = settings;
  const recipe = Object.fromEntries(Object.entries({ spectralNorm, r1, r1Every }).filter(([, v]) => v !== undefined));
  const config = defaultRunConfig({
    ...modelSettings,
    ...recipe,
    loss: LOSS.ns,
    k: 1,
    prior: PRIOR.normal,
    lrD: 2e-4,
    lrG: 2e-4,
    beta1: 0.5,
    beta2: 0.999,
    replay: 0,
    ema: 0,
    // The PyTorch reference has no augmentation: time the plain DCGAN iteration.
    augment: [],
    ada: 0,
    seed: 1,
    // The bench draws random images fixed before timing: no dataset folder is read.
    data: { folders: [], settings: { size: modelSettings.size, mode: 'crop', background: '#ffffff' }, demo: true },
  });
  const checked = validateRunConfig(config);
  if (!checked.ok) throw new UsageError(describeErrors(checked.errors));

  const report = await chooseBackend(preference, { threads: options.threads });
  const [{ trainingMemoryError }, { currentMemoryLimit }] = await Promise.all([import('../../engine/memory'), import('../../trainer/backend')]);
  const memory = trainingMemoryError(config, currentMemoryLimit(), '--batch');
  if (memory) throw new UsageError(memory);
  const state = createGan(config, { reuseFakes });
  const real = randomRealBatches(config.batch, config.size);
  const realBatch = real.source;
  try {
    let cpuStart = process.cpuUsage();
    const timing = await timeIterations(state, realBatch, { minSteps: config.steps, onTimedStart: () => (cpuStart = process.cpuUsage()) });
    const cpu = process.cpuUsage(cpuStart);
    const { wallSeconds, secondsPerStep: seconds } = timing;
    const profile = options.profile ? await profileKernels(() => trainIteration(state, realBatch), config.steps) : undefined;
    return {
      report,
      result: {
        backend: report.backend,
        threads: report.threads,
        ...settings,
        msPerIter: Math.round(seconds * 10000) / 10,
        imgPerSec: Math.round((config.batch / seconds) * 100) / 100,
        cpuPerWall: Math.round(((cpu.user + cpu.system) / 1e6 / wallSeconds) * 100) / 100,
        gParams: countTrainableParams(state.generator),
        dParams: countTrainableParams(state.discriminator),
        ...(profile ? { profile } : {}),
      },
    };
  } finally {
    real.dispose();
    disposeGan(state);
  }
}


const BACKENDS = BACKEND_PREFERENCES;

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  }
  return n;
}

export function registerBench(program: Command): void {
  const command = program
    .command('bench')
    .description(
      'time whole training iterations (one D and one G update on batch real + batch generated images, ' +
        'random fixed real data): one warm-up iteration, then the mean over --steps',
    )
    .option('--arch <arch>', `architecture: ${ARCH_NAMES.join(' | ')}`, ARCH['dcgan-ref'])
    .option('--size <px>', 'image side (default 64)')
    .option('--width <n>', 'base channel count (default: 64 for dcgan-ref, as the reference; 32 otherwise)')
    .option('--latent <n>', 'latent size (default: 100 for dcgan-ref, as the reference; 128 otherwise)')
    .option('--batch <n>', 'images per batch', '16')
    .option('--steps <n>', 'timed iterations after the warm-up', '5')
    .option('--backend <name>', `compute backend: ${BACKENDS.join(' | ')}`, 'auto')
    .option('--threads <n>', 'wasm threads (default: one per core, at most 8)')
    .option('--profile', 'then profile --steps more iterations: time, calls and GFLOP/s of each kernel')
    .option('--fresh-fakes', 'new z for the generator update, as `train` does (default: reuse the fakes of the D update, as torch_dcgan.py does)')
    .option('--json', 'print one JSON line');
  addSchemaOptions(command, RECIPE_OPTIONS, { spectralNorm: false, r1: 0 });
  command.action(async (options: BenchOptions) => {
      if (!(ARCH_NAMES as string[]).includes(options.arch)) {
        throw new UsageError(`--arch must be one of ${ARCH_NAMES.join(', ')}, got "${options.arch}"`);
      }
      if (!(BACKENDS as readonly string[]).includes(options.backend)) {
        throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${options.backend}"`);
      }
      const arch = options.arch as Architecture;
      const ref = arch === ARCH['dcgan-ref'];
      const settings = {
        arch,
        size: positiveInt('size', options.size ?? '64'),
        width: positiveInt('width', options.width ?? (ref ? '64' : '32')),
        latent: positiveInt('latent', options.latent ?? (ref ? '100' : '128')),
        batch: positiveInt('batch', options.batch),
        steps: positiveInt('steps', options.steps),
        reuseFakes: !options.freshFakes,
        ...readOptions(RECIPE_OPTIONS, options as unknown as Record<string, unknown>),
      };
      const threads = options.threads === undefined ? undefined : positiveInt('threads', options.threads);
      const { report, result } = await runBench(settings, options.backend as BackendPreference, { threads, profile: options.profile });
      // Same backend lines as the other engine commands, on stderr so that stdout holds only results.
      printBackend(report);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      process.stdout.write(
        `${arch} ${result.size} px, width ${result.width}, latent ${result.latent}, batch ${result.batch} ` +
          `(G ${result.gParams.toLocaleString('en')}, D ${result.dParams.toLocaleString('en')} parameters): ` +
          `${result.msPerIter} ms per iteration, ${result.imgPerSec} img/s (mean of ${result.steps} after 1 warm-up` +
          `${result.reuseFakes ? '' : ', fresh fakes for G'}${result.spectralNorm ? ', spectral norm' : ''}` +
          `${result.r1 ? `, R1 γ ${result.r1} every ${result.r1Every ?? RUN_OPTIONS.r1Every.default}` : ''}; CPU time ${result.cpuPerWall}× wall time)\n`,
      );
      if (result.profile) {
        const { formatKernelProfile } = await import('../../engine/kernel-profile');
        process.stdout.write(`${formatKernelProfile(result.profile).join('\n')}\n`);
      }
    });
}
