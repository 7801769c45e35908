import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { typedPath } from '../disk/inside';
import type { DatasetReport, ImportSettings } from '../shared/contract';
import type { AppPaths } from '../disk/app-paths';
import { writeFileAtomic } from '../disk/atomic-write';
import { importDataset, listRecentDatasets } from '../data/import';
import { ensureDemoDataset } from '../data/demo-avatars';
import { DEFAULT_IMPORT_SETTINGS } from '../shared/schema';
import { HostError, type HostHandlers } from './dispatch';
import type { HostEventBus } from './events';
import type { UploadStore } from './uploads';


type DatasetMethod = 'datasets.import' | 'datasets.cancelImport' | 'datasets.recent' | 'datasets.demo' | 'datasets.upload';

export interface DatasetService {
  handlers: Pick<HostHandlers, DatasetMethod>;
  /** Cancels the import in progress, if any. */
  cancelImport(): void;
}

/**
 * Importing image folders (one import at a time, progress as 'datasets.progress'), the recent
 * datasets, the demo set and dropped files. Every folder of an imported or listed dataset is added
 * to `imageFolders`, the folders whose images the renderer may be shown. Typed folders may start with
 * `~` (the folder `home`); relative ones are refused (disk/inside.ts typedPath).
 */
export function createDatasetService(paths: AppPaths, events: HostEventBus, imageFolders: Set<string>, uploads: UploadStore, home?: string): DatasetService {
  let importAbort: AbortController | null = null;

  async function importFolders(folders: string[], settings: ImportSettings): Promise<DatasetReport> {
    if (importAbort) throw new HostError('an import is already running; cancel it first');
    const absolute = folders.map((folder) => typedPath(folder, 'Folder of images', { home }));
    importAbort = new AbortController();
    try {
      const { report } = await importDataset(absolute, settings, {
        cacheDir: paths.cache,
        appDataDir: paths.root,
        signal: importAbort.signal,
        onProgress: (progress) => events.emit('datasets.progress', progress),
      });
      for (const folder of report.folders) imageFolders.add(resolve(folder));
      return report;
    } finally {
      importAbort = null;
    }
  }

  const handlers: Pick<HostHandlers, DatasetMethod> = {
    'datasets.import': ({ folders, settings }) => importFolders(folders, settings),
    'datasets.cancelImport': async () => importAbort?.abort(),
    'datasets.recent': async () => {
      const reports = await listRecentDatasets(paths.cache);
      for (const report of reports) for (const folder of report.folders) imageFolders.add(resolve(folder));
      return reports;
    },
    'datasets.demo': async ({ settings }) => {
      const folder = await ensureDemoDataset(paths.demo);
      return importFolders([folder], { ...DEFAULT_IMPORT_SETTINGS, ...settings });
    },
    'datasets.upload': async ({ name }) => uploads.open(name),
  };

  return { handlers, cancelImport: () => importAbort?.abort() };
}
