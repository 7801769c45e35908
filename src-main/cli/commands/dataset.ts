import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { ensureDemoDataset } from '../../data/demo-avatars';
import { DatasetError } from '../../data/errors';
import { importDataset } from '../../data/import';
import { resolveSettings } from '../../data/settings';
import type { DatasetReport, ImportProgress, ImportSettings } from '../../data/types';
import { DATASET_OPTIONS } from '../../shared/schema';
import { pathOption } from './engine-options';
import { addSchemaOptions, readOptions } from './schema-options';
import { appPaths } from '../../disk/app-paths';
import { writeFileAtomic } from '../../disk/atomic-write';
import { terminalProgressBar } from '../progress-bar';
import { UsageError } from '../usage-error';

type DatasetOptions = Record<string, unknown> & {
  mosaic?: string;
  json?: boolean;
  demo?: boolean;
};

/** The dataset flags (run schema): --size, --resize, --background, --min-side, --max-file-bytes, --keep-duplicates. */
const FLAGS = {
  size: DATASET_OPTIONS.size,
  mode: DATASET_OPTIONS.mode,
  background: DATASET_OPTIONS.background,
  minSide: DATASET_OPTIONS.minSide,
  maxFileBytes: DATASET_OPTIONS.maxFileBytes,
  keepDuplicates: DATASET_OPTIONS.keepDuplicates,
};

/** The settings the options ask for, checked by the import's own rules; a problem is a usage error. */
async function settingsFromOptions(options: DatasetOptions): Promise<ImportSettings> {
  const given = readOptions(FLAGS, options);
  const settings: ImportSettings = {
    size: given.size ?? DATASET_OPTIONS.size.default,
    mode: given.mode ?? DATASET_OPTIONS.mode.default,
    background: given.background ?? DATASET_OPTIONS.background.default,
    minSide: given.minSide,
    maxFileBytes: given.maxFileBytes,
    keepDuplicates: given.keepDuplicates,
  };
  try {
    await resolveSettings(settings);
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(error.message);
    throw error;
  }
  return settings;
}

function describeReport(report: DatasetReport): string {
  const shown = (path: string): string => (report.folders.length === 1 ? relative(report.folders[0], path) || path : path);
  const { settings } = report;
  const lines = [
    `${report.used} of ${report.found} files used, ${settings.size}×${settings.size} px (${settings.mode}, background ${settings.background})${report.fromCache ? ', read from the cache' : ''}`,
  ];
  if (report.skipped.length > 0) {
    const counts = Object.entries(report.skippedByReason).map(([code, count]) => `${count} ${code}`);
    lines.push(`skipped ${report.skipped.length} (${counts.join(', ')}):`);
    for (const entry of report.skipped) lines.push(`  ${shown(entry.path)}: ${entry.reason}`);
  }
  if (report.duplicates.length > 0) {
    const kept = report.duplicates.filter((entry) => entry.kept).length;
    const left = report.duplicates.length - kept;
    const counts = [left > 0 ? `left out ${left}` : '', kept > 0 ? `kept ${kept}` : ''].filter(Boolean).join(', ');
    lines.push(`${report.duplicates.length} duplicate${report.duplicates.length === 1 ? '' : 's'} (${counts}):`);
    for (const entry of report.duplicates) {
      lines.push(`  ${shown(entry.path)}: ${entry.kind} duplicate of ${shown(entry.duplicateOf)}${entry.kept ? ' (kept)' : ''}`);
    }
  }
  const { bins, counts } = report.sizeHistogram;
  const sizes = counts
    .map((count, i) => {
      const low = i === 0 ? 0 : bins[i - 1];
      return count === 0 ? '' : `${i === bins.length - 1 ? `${low}+` : `${low}–${bins[i] - 1}`}: ${count}`;
    })
    .filter(Boolean);
  lines.push(`shorter sides of the originals (px): ${sizes.join(', ')}`);
  lines.push(`mosaic: ${report.mosaicPath}`, `mean image: ${report.meanImagePath}`);
  return `${lines.join('\n')}\n`;
}

export function registerDataset(program: Command): void {
  const command = program
    .command('dataset')
    .description('import folders of images into a training set and print what was used and skipped')
    .argument('[dirs...]', 'folders of images (searched recursively, never modified)');
  addSchemaOptions(command, FLAGS)
    .option('--mosaic <file>', 'also save the thumbnail mosaic (PNG) to this file')
    .option('--json', 'print the report as JSON')
    .option('--demo', 'create the built-in demo avatar set if needed and print its folder')
    .action(async (dirs: string[], options: DatasetOptions) => {
      const bar = terminalProgressBar('{phase} [{bar}] {value}/{total}');
      const showProgress = (progress: ImportProgress): void => bar.update(progress.done, progress.total, { phase: progress.phase });
      const controller = new AbortController();
      const onInterrupt = (): void => controller.abort();
      process.once('SIGINT', onInterrupt);
      try {
        if (options.demo) {
          if (dirs.length > 0) throw new UsageError('--demo takes no folders');
          const folder = await ensureDemoDataset(appPaths().demo, { onProgress: showProgress });
          bar.stop();
          process.stdout.write(`${folder}\n`);
          return;
        }
        if (dirs.length === 0) throw new UsageError('give at least one folder of images, or --demo');
        const settings = await settingsFromOptions(options);
        const { report } = await importDataset(
          dirs.map((dir) => pathOption(dir, 'folder')),
          settings,
          { cacheDir: appPaths().cache, appDataDir: appPaths().root, onProgress: showProgress, signal: controller.signal },
        );
        bar.stop();
        if (options.mosaic) await writeFileAtomic(pathOption(options.mosaic, '--mosaic'), await readFile(report.mosaicPath));
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : describeReport(report));
      } finally {
        bar.stop();
        process.off('SIGINT', onInterrupt);
      }
    });
}
