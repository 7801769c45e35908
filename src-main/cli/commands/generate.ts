import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BackendPreference } from '../../shared/contract';
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

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description("generate images with a run's (EMA) generator")
    .option('--run <run>', 'run folder')
    .option('--n <count>', 'number of images', '16')
    .option('--out <dir>', 'folder for the PNG files')
    .option('--seed <n>', 'random seed (default: a new one each time)')
    .option('--grid <file>', 'also write the images as one grid PNG')
    .option('--rank-by-d', "draw 4N and keep the N the discriminator scores highest")
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
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ seed, images })}\n`);
      } else {
        process.stdout.write(`wrote ${images.length} images to ${out} (seed ${seed})${o.grid ? ` and the grid ${resolve(o.grid)}` : ''}\n`);
      }
    });
}
