import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BackendPreference, RankCheck } from '../../shared/contract';
import { describeRankCheck } from '../../shared/rank-check';
import { UsageError } from '../usage-error';
import { backendOption, parseIntOption, pathOption, requireOption, startBackend } from './engine-options';

interface GenerateOptions {
  run?: string;
  n?: string;
  out?: string;
  seed?: string;
  grid?: string;
  rankByD?: boolean;
  backend: BackendPreference;
  json?: boolean;
}

/** Checks --run before any backend starts, so a typo fails fast with exit code 2. */
export function requireRun(run: string | undefined): string {
  const dir = pathOption(requireOption(run, '--run RUN'), '--run');
  if (!existsSync(dir)) throw new UsageError(`--run: run folder not found: ${dir}`);
  if (!existsSync(resolve(dir, 'config.json'))) throw new UsageError(`--run: ${dir} is not a run folder (no config.json)`);
  return dir;
}

/**
 * D's ranking measured for the images just written (trainer/generation.ts measureRanking), or undefined with
 * one line on stderr saying why not (too many images, the run's dataset gone): the images are written either way.
 */
async function checkRanking(runDir: string, n: number, seed: number): Promise<RankCheck | undefined> {
  const { measureRanking, RANK_CHECK_MAX } = await import('../../trainer/generation');
  if (n > RANK_CHECK_MAX) {
    process.stderr.write(`D's ranking is measured for up to ${RANK_CHECK_MAX} images; ask for fewer to see it\n`);
    return undefined;
  }
  const { appPaths } = await import('../../disk/app-paths');
  const paths = appPaths();
  try {
    return await measureRanking({ runDir, n, seed, cacheDir: paths.cache, demoDir: paths.demo, dataDir: paths.root });
  } catch (error) {
    process.stderr.write(`D's ranking was not measured: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description("generate images with a run's (EMA) generator")
    .option('--run <run>', 'run folder')
    .option('--n <count>', 'number of images', '16')
    .option('--out <dir>', 'folder for the PNG files')
    .option('--seed <n>', 'random seed (default: a new one each time)')
    .option('--grid <file>', 'also write the images as one grid PNG')
    .option('--rank-by-d', "draw 4N and keep the N the discriminator scores highest, and measure whether that beats N drawn at random (SWD, NDB/K against the run's held-out images)")
    .addOption(backendOption())
    .option('--json', 'print the written files (and D scores) as JSON')
    .action(async (o: GenerateOptions) => {
      const runDir = requireRun(o.run);
      const out = pathOption(requireOption(o.out, '--out DIR'), '--out');
      const n = parseIntOption('n', o.n)!;
      const { randomSeed, generateImages } = await import('../../trainer/generation');
      const seed = parseIntOption('seed', o.seed, 0) ?? randomSeed();
      await startBackend(o.backend, o.json === true);
      const images = await generateImages({
        runDir,
        outDir: out,
        n,
        seed,
        rankByD: o.rankByD === true,
        grid: o.grid ? resolve(o.grid) : undefined,
      });
      const rankCheck = o.rankByD === true ? await checkRanking(runDir, n, seed) : undefined;
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ seed, images, ...(rankCheck ? { rankCheck } : {}) })}\n`);
      } else {
        process.stdout.write(`wrote ${images.length} images to ${out} (seed ${seed})${o.grid ? ` and the grid ${resolve(o.grid)}` : ''}\n`);
        if (rankCheck) process.stdout.write(`${describeRankCheck(rankCheck)}\n`);
      }
    });
}
