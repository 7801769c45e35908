import type { Command } from 'commander';
import type { Tensor4D } from '@tensorflow/tfjs';
import type { KernelProfile } from '../../engine/kernel-profile';
import { BACKEND_PREFERENCES, type BackendPreference, type BackendReport } from '../../shared/contract';
import { printBackend } from './engine-options';
import { ARCH, ARCH_NAMES, type Architecture } from '../../shared/schema';
import { UsageError } from '../usage-error';

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
 * generator's forward pass) of the discriminator update.
 */
export async function runBench(
  settings: BenchSettings,
  preference: BackendPreference,
  options: BenchRunOptions = {},
): Promise<{ report: BackendReport; result: BenchResult }> {
  // Loaded here so that `--help` and option errors do not wait for tfjs.
  const [tf, { chooseBackend }, { createGan, disposeGan, trainIteration }, { countTrainableParams }, { profileKernels }, { defaultRunConfig, describeErrors, validateRunConfig, LOSS, PRIOR }] =
    await Promise.all([
      import('@tensorflow/tfjs'),
      import('../../trainer/backend'),
      import('../../engine/gan'),
      import('../../engine/models'),
      import('../../engine/kernel-profile'),
      import('../../shared/schema'),
    ]);
  const { reuseFakes, ...modelSettings } = settings;
  const config = defaultRunConfig({
    ...modelSettings,
    loss: LOSS.ns,
    k: 1,
    prior: PRIOR.normal,
    lrD: 2e-4,
    lrG: 2e-4,
    beta1: 0.5,
    beta2: 0.999,
    replay: 0,
    ema: 0,
    augment: [],
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
  const real = tf.randomUniform([config.batch, config.size, config.size, 3], -1, 1, 'float32', 7) as Tensor4D;
  // trainIteration disposes each real batch it is handed; a clone shares the fixed data.
  const realBatch = () => real.clone();
  try {
    await trainIteration(state, realBatch);
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < config.steps; i++) await trainIteration(state, realBatch);
    const cpu = process.cpuUsage(cpuStart);
    const wallSeconds = (performance.now() - start) / 1000;
    const seconds = wallSeconds / config.steps;
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
  program
    .command('bench')
    .description(
      'time whole training iterations (one D and one G update on batch real + batch generated images, ' +
        'random fixed real data): one warm-up iteration, then the mean over --steps',
    )
    .option('--arch <arch>', `architecture: ${ARCH_NAMES.join(' | ')}`, ARCH['dcgan-ref'])
    .option('--size <px>', 'image side (default 64)')
    .option('--width <n>', 'base channel count (default: 64 for dcgan-ref, as the reference; 32 for dcgan)')
    .option('--latent <n>', 'latent size (default: 100 for dcgan-ref, as the reference; 128 for dcgan)')
    .option('--batch <n>', 'images per batch', '16')
    .option('--steps <n>', 'timed iterations after the warm-up', '5')
    .option('--backend <name>', `compute backend: ${BACKENDS.join(' | ')}`, 'auto')
    .option('--threads <n>', 'wasm threads (default: one per core, at most 8)')
    .option('--profile', 'then profile --steps more iterations: time, calls and GFLOP/s of each kernel')
    .option('--fresh-fakes', 'new z for the generator update, as `train` does (default: reuse the fakes of the D update, as torch_dcgan.py does)')
    .option('--json', 'print one JSON line')
    .action(async (options: BenchOptions) => {
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
          `${result.reuseFakes ? '' : ', fresh fakes for G'}; CPU time ${result.cpuPerWall}× wall time)\n`,
      );
      if (result.profile) {
        const { formatKernelProfile } = await import('../../engine/kernel-profile');
        process.stdout.write(`${formatKernelProfile(result.profile).join('\n')}\n`);
      }
    });
}
