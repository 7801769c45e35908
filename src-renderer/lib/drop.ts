import { UPLOAD_LIMITS } from '../../src-main/shared/contract';

/**
 * Reading what the user dropped on the window. DataTransfer items are only readable during the
 * drop event, so `captureDrop` takes everything synchronously and the async walk happens after.
 */
export interface CapturedDrop {
  entries: Array<{ entry: FileSystemEntry | null; file: File | null }>;
}

export function captureDrop(data: DataTransfer): CapturedDrop {
  const entries: CapturedDrop['entries'] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    entries.push({ entry: item.webkitGetAsEntry?.() ?? null, file: item.getAsFile() });
  }
  return { entries };
}

export interface DropContents {
  /** Real folder paths (Electron only). */
  folders: string[];
  /** Files to upload (browser mode, or loose files in Electron). */
  files: Array<{ name: string; file: File }>;
  /** A name for the upload folder: the dropped folder's, when there is one. */
  name: string;
  /** Files left out because they are over UPLOAD_LIMITS.fileBytes. */
  tooLarge: string[];
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function addFile(contents: DropContents, name: string, file: File): void {
  if (file.size > UPLOAD_LIMITS.fileBytes) contents.tooLarge.push(name);
  else contents.files.push({ name, file });
}

async function walk(entry: FileSystemEntry, prefix: string, out: DropContents): Promise<void> {
  if (entry.isFile) {
    if (!entry.name.startsWith('.')) addFile(out, `${prefix}${entry.name}`, await entryFile(entry as FileSystemFileEntry));
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns the listing in chunks (about 100 at a time in Chromium) until it returns none.
  for (;;) {
    const batch = await readEntries(reader);
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, `${prefix}${entry.name}-`, out);
  }
}

/** Folders by path where the platform gives real paths; everything else as files to upload. */
export async function resolveDrop(drop: CapturedDrop, pathForFile?: (file: File) => string): Promise<DropContents> {
  const contents: DropContents = { folders: [], files: [], name: 'dropped', tooLarge: [] };
  for (const { entry, file } of drop.entries) {
    if (entry?.isDirectory) {
      contents.name = entry.name;
      const path = file && pathForFile ? pathForFile(file) : '';
      if (path) contents.folders.push(path);
      else await walk(entry, '', contents);
    } else if (file) {
      addFile(contents, file.name, file);
    }
  }
  return contents;
}
