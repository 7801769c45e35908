import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The one containment check for paths built from what a client sent (ids, file names, folders):
 * resolve, then make sure the result stays inside the folder it belongs to.
 */

/** A path that would leave its parent folder; the message names both. */
export class PathEscapeError extends Error {}

/** A typed path that names no one folder (relative, empty, with a NUL); the message names the field and says what to type. */
export class TypedPathError extends Error {}

/**
 * The absolute path a person meant by a path typed into a field or flag (the Datasets folder, the
 * Generate output folder, `--data`, `--out`): trimmed, with a leading `~` (`~`, `~/…`, `~\…`) made
 * `home`. A relative path would depend on wherever the app was started, so it is refused with
 * TypedPathError "<field>: use an absolute path or ~/… (got "x")" — unless `base` is given (the
 * command line, where relative paths mean the working folder), which it is then resolved against.
 * `~user` forms are not expanded (and so refused as relative).
 */
export function typedPath(typed: string, field: string, options: { home?: string; base?: string } = {}): string {
  const trimmed = typed.trim();
  if (!trimmed) throw new TypedPathError(`${field}: type the full path of a folder (an absolute path or ~/…)`);
  if (trimmed.includes('\0')) throw new TypedPathError(`${field}: the path holds a NUL character`);
  const expanded = /^~(?=$|[\\/])/.test(trimmed) ? join(options.home ?? homedir(), trimmed.slice(1)) : trimmed;
  if (isAbsolute(expanded)) return resolve(expanded);
  if (options.base !== undefined) return resolve(options.base, expanded);
  throw new TypedPathError(`${field}: use an absolute path or ~/… (got "${trimmed}")`);
}

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
