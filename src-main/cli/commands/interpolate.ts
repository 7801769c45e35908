import type { Command } from 'commander';
import type { BackendPreference } from '../../shared/contract';
import { backendOption, parseIntOption, pathOption, requireOption, startBackend } from './engine-options';
import { requireRun } from './generate';

export function registerInterpolate(program: Command): void {
  program
    .command('interpolate')
    .description("write an animated GIF of a walk through the run's latent space")
    .option('--run <run>', 'run folder')
    .option('--out <file>', 'GIF file to write')
    .option('--frames <n>', 'frames in the loop', '48')
    .option('--seed <n>', 'random seed (default: a new one each time)')
    .addOption(backendOption())
    .action(async (o: { run?: string; out?: string; frames?: string; seed?: string; backend: BackendPreference }) => {
      const runDir = requireRun(o.run);
      const out = pathOption(requireOption(o.out, '--out FILE.gif'), '--out');
      const frames = parseIntOption('frames', o.frames, 2)!;
      const { randomSeed, writeInterpolationGif } = await import('../../trainer/generation');
      const seed = parseIntOption('seed', o.seed, 0) ?? randomSeed();
      await startBackend(o.backend, true);
      await writeInterpolationGif({ runDir, outFile: out, frames, seed });
      process.stdout.write(`wrote ${out} (${frames} frames, seed ${seed})\n`);
    });
}
