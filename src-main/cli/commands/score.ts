import type { Command } from 'commander';
import type { BackendPreference } from '../../shared/contract';
import { DATASET_OPTIONS } from '../../shared/schema';
import type { ImageBatch, QualityScores } from '../../engine/metrics';
import { UsageError } from '../usage-error';
import { backendOption, parseIntOption, pathOption, requireOption, startBackend } from './engine-options';
import { requireRun } from './generate';

interface ScoreOptions {
  real?: string;
  fake?: string;
  run?: string;
  size?: string;
  n?: string;
  seed?: string;
  bins?: string;
  backend: BackendPreference;
  json?: boolean;
}

/** Images per set unless --n says otherwise: enough for SWD and NDB/K to settle, ~10–20 s at 32 px. */
const DEFAULT_COUNT = 1000;

/** The checked command line: which two sets, at what size, how many, which seed. */
interface ScorePlan {
  real: string;
  fake: { kind: 'folder'; dir: string } | { kind: 'run'; dir: string };
  size: number;
  n: number;
  seed: number;
  /** NDB's K; undefined: the metrics' default (50). */
  bins: number | undefined;
}

/** Checks every flag before anything is read or a backend starts, so a mistake fails fast with exit code 2. */
async function plan(o: ScoreOptions): Promise<ScorePlan> {
  const real = pathOption(requireOption(o.real, '--real DIR'), '--real');
  if ((o.fake === undefined) === (o.run === undefined)) throw new UsageError('give either --fake DIR or --run RUN (one of them)');
  const size = parseIntOption('size', o.size, 16);
  if (size !== undefined && (size % 8 !== 0 || size > DATASET_OPTIONS.size.max)) {
    throw new UsageError(`--size must be a multiple of 8 from 16 to ${DATASET_OPTIONS.size.max}, got "${o.size}"`);
  }
  const n = parseIntOption('n', o.n, 2) ?? DEFAULT_COUNT;
  const seed = parseIntOption('seed', o.seed, 0) ?? 0;
  const bins = parseIntOption('bins', o.bins, 2);
  if (o.run !== undefined) {
    const dir = requireRun(o.run);
    const { readRunConfig } = await import('../../disk/run-folder');
    const config = await readRunConfig(dir);
    if (size !== undefined && size !== config.size) {
      throw new UsageError(`--size: the run makes ${config.size} px images; score it at ${config.size} px (leave --size out)`);
    }
    return { real, fake: { kind: 'run', dir }, size: config.size, n, seed, bins };
  }
  return { real, fake: { kind: 'folder', dir: pathOption(o.fake!, '--fake') }, size: size ?? DATASET_OPTIONS.size.default, n, seed, bins };
}

/**
 * A folder's images at `size` px (the dataset import, its cache under the app's cache folder), at most
 * n of them (a random subset drawn from `seed` when it holds more). Duplicates are kept: a generator that
 * repeats itself must be scored as it is. A folder that cannot be used is a usage error naming the flag.
 */
async function readFolder(flag: string, dir: string, size: number, n: number, seed: number): Promise<ImageBatch> {
  const { importDataset, DatasetError } = await import('../../data/import');
  const { appPaths } = await import('../../disk/app-paths');
  const { sampleImages } = await import('../../engine/metrics');
  const { Rng } = await import('../../engine/rng');
  try {
    const settings = { size, mode: DATASET_OPTIONS.mode.default, background: DATASET_OPTIONS.background.default, keepDuplicates: true };
    const { images } = await importDataset([dir], settings, { cacheDir: appPaths().cache });
    return sampleImages(images, n, new Rng(seed));
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(`${flag}: ${error.message}`);
    throw error;
  }
}

function describeScores(scores: QualityScores, seed: number): string {
  const levels = scores.swdLevels.map((l) => `${l.size} px ${l.swd.toFixed(2)}`).join(', ');
  const differ = Math.round(scores.ndbK * scores.bins);
  return [
    `SWD ×10³: ${scores.swd.toFixed(2)} (${levels}; lower is better)`,
    `NDB/K: ${scores.ndbK.toFixed(3)} (${differ} of ${scores.bins} bins differ at p < 0.05), JS ${scores.ndbJs.toFixed(4)}`,
    `memorised: ${scores.memorised.toFixed(3)} (share nearer a real image than real images are to each other: about 0.5 for new samples of the real set, 1 for copies)`,
    `scored ${scores.counts.real} real against ${scores.counts.fake} generated images at ${scores.size} px, seed ${seed}`,
  ].join('\n') + '\n';
}

export function registerScore(program: Command): void {
  program
    .command('score')
    .description('score generated images against real ones: SWD, NDB/K and memorisation share (no download needed)')
    .option('--real <dir>', 'folder of real (training) images')
    .option('--fake <dir>', 'folder of generated images')
    .option('--run <run>', "run folder: draw --n images from its (EMA) generator instead of --fake")
    .option('--size <px>', `image side the sets are scored at, a multiple of 8, at least 16 (default: the run's size, or ${DATASET_OPTIONS.size.default})`)
    .option('--n <count>', `images per set: folders with more are subsampled by the seed (default ${DEFAULT_COUNT})`)
    .option('--seed <n>', 'seeds every random draw: subsets, z, patches, directions, K-means (default 0)')
    .option('--bins <k>', 'NDB bins K (default 50; the real image count when smaller)')
    .addOption(backendOption())
    .option('--json', 'print the scores as JSON')
    .action(async (o: ScoreOptions) => {
      const p = await plan(o);
      // The folders first: a folder that cannot be used fails before any backend starts.
      const real = await readFolder('--real', p.real, p.size, p.n, p.seed);
      const fakeFolder = p.fake.kind === 'folder' ? await readFolder('--fake', p.fake.dir, p.size, p.n, p.seed) : null;
      await startBackend(o.backend, o.json === true);
      let fake: ImageBatch;
      if (fakeFolder) {
        fake = fakeFolder;
      } else {
        const { sampleRunImages } = await import('../../trainer/generation');
        fake = await sampleRunImages({ runDir: p.fake.dir, n: p.n, seed: p.seed });
      }
      const { evaluate, MetricInputError } = await import('../../engine/metrics');
      let scores: QualityScores;
      try {
        scores = evaluate(real, fake, { seed: p.seed, bins: p.bins });
      } catch (error) {
        if (error instanceof MetricInputError) throw new UsageError(error.message);
        throw error;
      }
      if (o.json) {
        const { swd, swdLevels, ndbK, ndbJs, bins, memorised, counts, size } = scores;
        process.stdout.write(`${JSON.stringify({ swd, swdLevels, ndbK, ndbJs, bins, memorised, counts, size, seed: p.seed })}\n`);
      } else {
        process.stdout.write(describeScores(scores, p.seed));
      }
    });
}
