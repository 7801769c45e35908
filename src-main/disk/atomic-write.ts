import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Names of the temp files writeFileAtomic makes (`<target>.<12 hex>.tmp`). */
export const TEMP_FILE = /\.[0-9a-f]{12}\.tmp$/;

/**
 * Writes a file so that readers only ever see the old or the whole new content: write a temp file
 * in the same folder, flush it to disk, then rename over the target. A failed write removes its
 * temp file; the error (ENOSPC, EACCES, …) is rethrown with `path` set to the target, not the temp.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw withTargetPath(error, path);
  }
}

/** Marks a file-system error with the file the caller meant to write (a temp file's name says little). */
export function withTargetPath(error: unknown, path: string): unknown {
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string') {
    (error as NodeJS.ErrnoException).path = path;
  }
  return error;
}

/**
 * writeFileAtomic for data that arrives in chunks (an upload): the chunks go straight to the temp
 * file, so memory stays at one chunk whatever the size. When `source` throws (a size cap, a broken
 * connection) the temp file is removed, the target is left as it was, and the error is rethrown.
 * With `exclusive`, an existing target is never replaced (fails with code EEXIST). Returns the bytes written.
 */
export async function writeStreamAtomic(
  path: string,
  source: AsyncIterable<Uint8Array>,
  options: { exclusive?: boolean } = {},
): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx');
  let bytes = 0;
  try {
    for await (const chunk of source) {
      for (let offset = 0; offset < chunk.byteLength; ) {
        offset += (await handle.write(chunk, offset, chunk.byteLength - offset)).bytesWritten;
      }
      bytes += chunk.byteLength;
    }
    await handle.sync();
    await handle.close();
    if (options.exclusive) {
      // link() refuses an existing target, where rename() would replace it.
      await link(temp, path);
      await rm(temp, { force: true });
    } else {
      await rename(temp, path);
    }
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw withTargetPath(error, path);
  }
  return bytes;
}
