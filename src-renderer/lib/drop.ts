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
}

const MAX_UPLOAD_FILE = 64 * 1024 * 1024;

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: DropContents['files']): Promise<void> {
  if (entry.isFile) {
    const file = await entryFile(entry as FileSystemFileEntry);
    if (file.size <= MAX_UPLOAD_FILE && !entry.name.startsWith('.')) out.push({ name: `${prefix}${entry.name}`, file });
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
  const contents: DropContents = { folders: [], files: [], name: 'dropped' };
  for (const { entry, file } of drop.entries) {
    if (entry?.isDirectory) {
      contents.name = entry.name;
      const path = file && pathForFile ? pathForFile(file) : '';
      if (path) contents.folders.push(path);
      else await walk(entry, '', contents.files);
    } else if (file) {
      contents.files.push({ name: file.name, file });
    }
  }
  return contents;
}

/** base64 of a file without building a huge string by hand: the data URL does the encoding. */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}
