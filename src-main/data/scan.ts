import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isRunFolder } from '../disk/run-folder';
import { DatasetError } from './errors';
import type { ImportProgress, SkippedFile } from './types';

export interface ScannedFile {
  path: string;
  size: number;
  mtimeMs: number;
  /**
   * Inode change time (ms): moves on every write, rename or utimes() and cannot be set back by
   * the user, so a file rewritten with the same size and a restored mtime still shows a change.
   */
  ctimeMs: number;
  /** Device and inode of the file (a link's target): a link pointed elsewhere, or a file replaced by rename, shows a change. */
  dev: number;
  ino: number;
}

function scanned(path: string, info: Stats): ScannedFile {
  return { path, size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, dev: info.dev, ino: info.ino };
}

export interface ScanResult {
  /** Regular files, sorted by path, so the order (and which of two duplicates is kept) never depends on the disk. */
  files: ScannedFile[];
  /** Entries that could not even be looked at: broken links, unreadable folders, pipes and devices. */
  skipped: SkippedFile[];
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DatasetError('Import cancelled.');
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function describeFsError(error: unknown): string {
  switch (errorCode(error)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'broken link or removed while importing';
    case 'ELOOP':
      return 'symbolic link loop';
    default:
      return errorCode(error) ?? 'unknown error';
  }
}

async function openFolder(folder: string): Promise<string> {
  let info: Stats;
  try {
    info = await stat(folder);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new DatasetError(`Folder not found: ${folder}`);
    throw new DatasetError(`Cannot open folder ${folder} (${describeFsError(error)}).`);
  }
  if (!info.isDirectory()) throw new DatasetError(`Not a folder: ${folder} (choose the folder that holds the images).`);
  return folder;
}

export interface ScanOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  /**
   * Folders that never hold training images: the app's data folder (runs, caches, generated
   * images). Passed over where the walk meets them; a folder given to scan that is one of them is
   * refused. Folders that do not exist are ignored.
   */
  exclude?: string[];
}

async function realFolders(folders: string[]): Promise<Set<string>> {
  const real = await Promise.all(folders.map((folder) => realpath(resolve(folder)).catch(() => null)));
  return new Set(real.filter((folder): folder is string => folder !== null));
}

/**
 * Refuses a folder to scan that is the app's own output: an excluded folder (the app's data), a
 * run folder, or a folder inside a run folder (its samples/ say). Throws a DatasetError naming it.
 */
async function refuseAppOutput(root: string, excluded: Set<string>): Promise<void> {
  const real = await realpath(root);
  if (excluded.has(real)) {
    throw new DatasetError(`${root} is GAN Studio's own data folder (runs, caches, generated images), not a folder of images: choose the folder that holds your images.`);
  }
  for (let dir = real; ; dir = dirname(dir)) {
    if (await isRunFolder(dir)) {
      const where = dir === real ? 'is a GAN Studio run folder' : `lies inside the GAN Studio run folder ${dir}`;
      throw new DatasetError(`${root} ${where}: its images are the app's own output, not training images; choose the folder that holds your images.`);
    }
    if (dirname(dir) === dir) return;
  }
}

/**
 * Walks the folders recursively, following symbolic links; each real folder is entered once, so
 * link loops and overlapping folders cannot repeat or hang the scan. Hidden entries (".git",
 * ".DS_Store", macOS "._" resource forks) are not part of anyone's image set and are passed over,
 * and so is the app's own output: run folders (their sample grids) and `options.exclude`, so that
 * `train --data D --out D/run1` never trains on its own samples. Throws a DatasetError when a
 * folder is missing, not a folder, or is itself (inside) a run folder or an excluded folder.
 */
export async function scanFolders(folders: string[], options: ScanOptions = {}): Promise<ScanResult> {
  const { signal, onProgress } = options;
  if (folders.length === 0) throw new DatasetError('No folder given.');
  const excluded = await realFolders(options.exclude ?? []);
  const roots: string[] = [];
  for (const folder of folders) {
    const root = await openFolder(resolve(folder));
    await refuseAppOutput(root, excluded);
    roots.push(root);
  }
  const rootSet = new Set(roots);

  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  const visited = new Set<string>();

  async function visitEntry(path: string, entry: Dirent): Promise<string | null> {
    if (entry.isDirectory()) return path;
    if (entry.isFile()) {
      files.push(scanned(path, await stat(path)));
      return null;
    }
    if (entry.isSymbolicLink()) {
      const info = await stat(path);
      if (info.isDirectory()) return path;
      if (info.isFile()) {
        files.push(scanned(path, info));
        return null;
      }
    }
    skipped.push({ path, code: 'unreadable', reason: 'not a regular file (pipe, socket or device)' });
    return null;
  }

  async function walk(folder: string): Promise<void> {
    throwIfCancelled(signal);
    let entries: Dirent[];
    try {
      const real = await realpath(folder);
      if (visited.has(real) || excluded.has(real)) return;
      visited.add(real);
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      skipped.push({ path: folder, code: 'unreadable', reason: `folder cannot be read (${describeFsError(error)})` });
      return;
    }
    // A run folder inside an image folder (train --out D/run1 --data D) is left out whole, silently:
    // it is not the user's image, and reporting it would change the dataset's id as the run grows.
    if (!rootSet.has(folder) && (await isRunFolder(folder, entries.map((entry) => entry.name)))) return;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subfolders: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      try {
        const subfolder = await visitEntry(path, entry);
        if (subfolder) subfolders.push(subfolder);
      } catch (error) {
        skipped.push({ path, code: 'unreadable', reason: `cannot be read (${describeFsError(error)})` });
      }
    }
    onProgress?.({ phase: 'scanning', done: files.length + skipped.length, total: 0, current: folder });
    for (const subfolder of subfolders) await walk(subfolder);
  }

  for (const root of roots) await walk(root);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}
