import type { Readable } from 'node:stream';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { SNIFF_BYTES, sniffImage } from '../data/sniff';

const CONTENT_TYPES: Record<string, string> = {
  JPEG: 'image/jpeg',
  PNG: 'image/png',
  GIF: 'image/gif',
  WebP: 'image/webp',
  TIFF: 'image/tiff',
  AVIF: 'image/avif',
  BMP: 'image/bmp',
};

/** An image file opened for the page: its type by content, its size, and a stream from the same handle. */
export interface OpenedImage {
  contentType: string;
  size: number;
  /** The whole file, read from the handle that was checked; closes the handle when done. */
  stream(): Readable;
  /** Closes the handle when the stream is not wanted after all. */
  close(): Promise<void>;
}

export type OpenImageResult = { ok: true; image: OpenedImage } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Opens a local image the page asked to see (Electron's gan-image:// and browser mode's /image):
 * `path` must be absolute. The file is opened first and everything is checked on the open handle:
 * a regular file; its real path, `isAllowed` by the host (its data folder and the chosen datasets);
 * the real path still naming the opened file (same device and inode), so a link swapped between
 * the open and the check cannot pass another file off; and an image by its first bytes, whatever
 * its name says. The bytes served are read from that same handle. Never throws: a refusal is a
 * status (400 not absolute, 404 missing, 403 anything else) and a reason for logs.
 */
export async function openAllowedImage(path: string, isAllowed: (realPath: string) => Promise<boolean>): Promise<OpenImageResult> {
  if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0')) {
    return { ok: false, status: 400, reason: 'not an absolute path' };
  }
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? { ok: false, status: 404, reason: 'not found' }
      : { ok: false, status: 403, reason: `cannot be opened (${code ?? 'error'})` };
  }
  const refuse = async (reason: string): Promise<OpenImageResult> => {
    await handle.close().catch(() => undefined);
    return { ok: false, status: 403, reason };
  };
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return await refuse('not a regular file');
    const real = await realpath(path);
    const named = await stat(real);
    if (named.dev !== opened.dev || named.ino !== opened.ino) return await refuse('the file changed while it was opened');
    if (!(await isAllowed(real))) return await refuse('outside the folders the page may read');
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    const sniffed = sniffImage(head.subarray(0, bytesRead));
    const contentType = sniffed.kind === 'image' ? CONTENT_TYPES[sniffed.format] : undefined;
    if (!contentType) return await refuse('not an image');
    return {
      ok: true,
      image: {
        contentType,
        size: opened.size,
        stream: () => handle.createReadStream({ start: 0, autoClose: true }),
        close: () => handle.close(),
      },
    };
  } catch (error) {
    return refuse(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
