import { realpath } from 'node:fs/promises';
import { extname, isAbsolute, relative } from 'node:path';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp', '.tif', '.tiff', '.avif']);

/** Whether `child` is `parent` or lies below it (both absolute, compared as written). */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Whether the renderer may be shown this local file as an image: an image extension, and a real
 * path (links resolved) inside the app's data folder or one of `imageFolders`. Missing files: false.
 */
export async function isImageAllowed(path: string, dataRoot: string, imageFolders: Iterable<string>): Promise<boolean> {
  if (!IMAGE_EXTENSIONS.has(extname(path).toLowerCase())) return false;
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return false;
  }
  const roots = [dataRoot, ...imageFolders];
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => null);
    if (realRoot && isInside(real, realRoot)) return true;
  }
  return false;
}
