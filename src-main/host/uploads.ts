import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { writeStreamAtomic } from '../disk/atomic-write';
import { resolveInside } from '../disk/inside';
import { UPLOAD_LIMITS } from '../shared/contract';
import { formatBytes } from '../shared/format';
import { assertSafeId } from '../shared/ids';
import { HostError } from './dispatch';

/** An upload over a cap: HTTP answers it with 413. Nothing of the file is kept. */
export class UploadTooLargeError extends HostError {}

export interface UploadLimits {
  /** Largest single file, in bytes. */
  fileBytes: number;
  /** Largest sum of all files in one upload folder, in bytes. */
  totalBytes: number;
}

interface OpenUpload {
  folder: string;
  /** Bytes received or being received into the folder. */
  bytes: number;
  names: Set<string>;
}

/**
 * The name a dropped file gets in its upload folder: its last path segment, without control
 * characters, characters Windows forbids, or leading dots (hidden files are never imported), at
 * most 120 characters (the extension kept); "file" when nothing is left.
 */
export function uploadFileName(name: unknown): string {
  const last = (typeof name === 'string' ? name : '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  let clean = last.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '').trim();
  if (clean.length > 120) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : '';
    clean = clean.slice(0, 120 - ext.length) + ext;
  }
  return clean || 'file';
}

/**
 * Upload folders under the app data folder's uploads/: `open` makes one for a drop, `receive`
 * streams one file into it. Only folders this store opened accept files, each file within
 * `limits.fileBytes` and all of a folder's files within `limits.totalBytes`; an existing file is
 * never replaced (a taken name gets a "-2", "-3"… suffix).
 */
export class UploadStore {
  private uploads = new Map<string, OpenUpload>();

  constructor(
    private root: string,
    readonly limits: UploadLimits = UPLOAD_LIMITS,
  ) {}

  /** A new, empty upload folder named after `name` (the dropped folder's name, sanitised). */
  async open(name: unknown): Promise<{ uploadId: string; folder: string }> {
    const safe = (typeof name === 'string' ? name : '').replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '').slice(0, 60) || 'dropped';
    const uploadId = assertSafeId('upload id', `${new Date().toISOString().slice(0, 10)}-${safe}-${randomBytes(4).toString('hex')}`);
    const folder = resolveInside(this.root, uploadId);
    await mkdir(folder, { recursive: true });
    this.uploads.set(uploadId, { folder, bytes: 0, names: new Set() });
    return { uploadId, folder };
  }

  /**
   * Streams `body` into the upload folder `uploadId` as `fileName` (see uploadFileName). When the
   * sender declares the size (Content-Length), an oversized file is refused before any byte is read.
   * Throws HostError for an unknown upload or a bad id, UploadTooLargeError over a cap.
   */
  async receive(
    uploadId: unknown,
    fileName: unknown,
    body: AsyncIterable<Uint8Array>,
    declaredBytes?: number,
  ): Promise<{ name: string; bytes: number }> {
    const id = assertSafeId('upload id', uploadId);
    const found = this.uploads.get(id);
    if (!found) throw new HostError(`unknown upload ${id}: drop the files again`);
    const upload: OpenUpload = found;
    const { fileBytes, totalBytes } = this.limits;
    const base = uploadFileName(fileName);
    const tooBig = (size?: number) =>
      new UploadTooLargeError(
        `${base} is ${size === undefined ? 'over' : `${formatBytes(size)}, over`} the ${formatBytes(fileBytes)} limit per file; nothing of it was kept`,
      );
    const overTotal = () =>
      new UploadTooLargeError(
        `${base} would take this upload over its ${formatBytes(totalBytes)} limit; import the folder by its path instead`,
      );
    if (declaredBytes !== undefined && declaredBytes > fileBytes) throw tooBig(declaredBytes);
    if (declaredBytes !== undefined && upload.bytes + declaredBytes > totalBytes) throw overTotal();

    let name = base;
    const dot = base.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
    for (let i = 2; upload.names.has(name); i++) name = `${stem}-${i}${ext}`;
    upload.names.add(name);

    let counted = 0;
    async function* capped(): AsyncGenerator<Uint8Array> {
      for await (const chunk of body) {
        counted += chunk.byteLength;
        upload.bytes += chunk.byteLength;
        if (counted > fileBytes) throw tooBig();
        if (upload.bytes > totalBytes) throw overTotal();
        yield chunk;
      }
    }
    try {
      const bytes = await writeStreamAtomic(resolveInside(upload.folder, name), capped(), { exclusive: true });
      return { name, bytes };
    } catch (error) {
      upload.bytes -= counted;
      upload.names.delete(name);
      throw error;
    }
  }
}
