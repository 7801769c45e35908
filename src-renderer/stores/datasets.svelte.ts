import { UPLOAD_LIMITS, type DatasetReport, type ImportProgress, type ImportSettings } from '../../src-main/shared/contract';
import { DEFAULT_IMPORT_SETTINGS } from '../../src-main/shared/schema';
import { formatBytes } from '../../src-main/shared/format';
import { bridge } from '../lib/bridge';
import { captureDrop, resolveDrop } from '../lib/drop';
import { errorMessage } from '../lib/format';
import { studio } from './studio.svelte';

/** Import jobs: one at a time, as the host allows; the report lands in studio.dataset. */
class DatasetImports {
  busy = $state(false);
  /** What the user sees while busy: the host's progress, or the upload of dropped files. */
  progress = $state<ImportProgress | null>(null);
  label = $state('');
  error = $state<string | null>(null);
  settings = $state<ImportSettings>({ ...DEFAULT_IMPORT_SETTINGS });
  private started = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    bridge.on('datasets.progress', (progress) => {
      if (this.busy) this.progress = progress;
    });
  }

  private async run(label: string, job: () => Promise<import('../../src-main/shared/contract').DatasetReport>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    this.progress = null;
    this.label = label;
    try {
      const report = await job();
      studio.useDataset(report);
      void studio.refreshRecent();
    } catch (error) {
      const message = errorMessage(error);
      this.error = /abort|cancel/i.test(message) ? 'Import cancelled.' : message;
    } finally {
      this.busy = false;
      this.progress = null;
    }
  }

  importFolders(folders: string[]): Promise<void> {
    const clean = folders.map((f) => f.trim()).filter(Boolean);
    if (clean.length === 0) {
      this.error = 'Type the path of a folder of images first.';
      return Promise.resolve();
    }
    return this.run(`Importing ${clean.join(', ')}`, () => bridge.invoke('datasets.import', { folders: clean, settings: { ...this.settings } }));
  }

  /**
   * Imports a dataset's folders again with some of its settings changed (the duplicate review's keeps):
   * the new report replaces it, and what a run started from it trains on follows.
   */
  reimport(report: DatasetReport, change: Partial<ImportSettings>, label: string): Promise<void> {
    return this.run(label, () => bridge.invoke('datasets.import', { folders: report.folders, settings: { ...report.settings, ...change } }));
  }

  importDemo(): Promise<void> {
    return this.run('Preparing the demo avatars', () => bridge.invoke('datasets.demo', { settings: { ...this.settings } }));
  }

  async chooseFolder(): Promise<string | null> {
    try {
      return await bridge.invoke('dialog.chooseFolder', { title: 'Choose a folder of images' });
    } catch (error) {
      this.error = errorMessage(error);
      return null;
    }
  }

  /** Drops: real folder paths in Electron; in a browser the files travel to the host first. */
  async importDrop(data: DataTransfer): Promise<void> {
    if (this.busy) return;
    const captured = captureDrop(data);
    await this.run('Reading the dropped files', async () => {
      const contents = await resolveDrop(captured, bridge.pathForFile?.bind(bridge));
      const folders = [...contents.folders];
      if (contents.files.length > 0) {
        const total = contents.files.reduce((sum, { file }) => sum + file.size, 0);
        if (total > UPLOAD_LIMITS.totalBytes) {
          throw new Error(
            `the dropped files come to ${formatBytes(total)}, over the ${formatBytes(UPLOAD_LIMITS.totalBytes)} upload limit: import the folder by typing its path instead`,
          );
        }
        this.label = `Uploading ${contents.files.length} files`;
        const { uploadId, folder } = await bridge.invoke('datasets.upload', { name: contents.name });
        for (const [i, { name, file }] of contents.files.entries()) {
          this.progress = { phase: 'reading', done: i, total: contents.files.length, current: name };
          await bridge.uploadFile(uploadId, name, file);
        }
        folders.push(folder);
      }
      if (folders.length === 0 && contents.tooLarge.length > 0) {
        throw new Error(`every dropped file is over the ${formatBytes(UPLOAD_LIMITS.fileBytes)} limit per file (${contents.tooLarge.slice(0, 3).join(', ')}${contents.tooLarge.length > 3 ? ', …' : ''})`);
      }
      if (folders.length === 0) throw new Error('nothing usable was dropped: drop a folder or image files');
      this.label = `Importing ${folders.length === 1 ? folders[0] : `${folders.length} folders`}`;
      return bridge.invoke('datasets.import', { folders, settings: { ...this.settings } });
    });
  }

  async cancel(): Promise<void> {
    try {
      await bridge.invoke('datasets.cancelImport', undefined);
    } catch (error) {
      this.error = errorMessage(error);
    }
  }
}

export const imports = new DatasetImports();
