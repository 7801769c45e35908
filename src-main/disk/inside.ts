import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The one containment check for paths built from what a client sent (ids, file names, folders):
 * resolve, then make sure the result stays inside the folder it belongs to.
 */

/** A path that would leave its parent folder; the message names both. */
export class PathEscapeError extends Error {}

/** Whether `child` is `parent` itself or lies inside it, comparing resolved paths (no file system access). */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * `resolve(parent, ...segments)`, refused with PathEscapeError unless the result lies strictly inside
 * `parent` (never `parent` itself: `rm` of the result must not take the whole folder).
 */
export function resolveInside(parent: string, ...segments: string[]): string {
  const root = resolve(parent);
  const path = resolve(root, ...segments);
  if (path === root || !isInside(path, root)) throw new PathEscapeError(`${join(...segments)} is not inside ${root}`);
  return path;
}

/** The real path of `path`, or of its nearest existing ancestor with the missing rest appended. */
export async function realpathNearest(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const parent = dirname(absolute);
    if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === absolute) throw error;
    return join(await realpathNearest(parent), basename(absolute));
  }
}

/**
 * The real path of `path` (links followed; a missing tail is kept as written) when it is one of
 * `roots` or lies inside one of them, compared by real paths; else null. Roots that do not exist
 * never match.
 */
export async function realpathInsideAny(path: string, roots: readonly string[]): Promise<string | null> {
  const real = await realpathNearest(path);
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => null);
    if (realRoot && isInside(real, realRoot)) return real;
  }
  return null;
}
