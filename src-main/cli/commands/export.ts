import type { Command } from 'commander';
import type { BackendPreference } from '../../shared/contract';
import { existingExportFiles } from '../../disk/model-export';
import { UsageError } from '../usage-error';
import { backendOption, pathOption, requireOption, startBackend } from './engine-options';
import { requireRun } from './generate';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description("export the run's (EMA) generator as a tfjs model (model.json + weights) for web pages")
    .option('--run <run>', 'run folder')
    .option('--out <dir>', 'folder to write model.json and the weights into')
    .option('--overwrite', 'replace an export already in --out')
    .addOption(backendOption())
    .action(async (o: { run?: string; out?: string; overwrite?: boolean; backend: BackendPreference }) => {
      const runDir = requireRun(o.run);
      const out = pathOption(requireOption(o.out, '--out DIR'), '--out');
      const existing = o.overwrite ? [] : await existingExportFiles(out);
      if (existing.length > 0) {
        throw new UsageError(`--out: ${out} already holds ${existing.join(' and ')}; choose another folder, or pass --overwrite to replace them`);
      }
      await startBackend(o.backend, true);
      const { exportGenerator } = await import('../../trainer/generation');
      const { modelJson } = await exportGenerator({ runDir, outDir: out });
      process.stdout.write(`wrote ${modelJson}: load it with tf.loadLayersModel('…/model.json')\n`);
    });
}
