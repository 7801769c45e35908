import { realpath } from 'node:fs/promises';
import { extname, isAbsolute } from 'node:path';
import { realpathInsideAny } from '../disk/inside';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp', '.tif', '.tiff', '.avif']);

/**
 * Whether the renderer may be shown this local file as an image: an absolute path with an image
 * extension whose real path (links resolved) lies inside the app's data folder or one of
 * `imageFolders`. Missing files and anything that is not a string: false.
 */
export async function isImageAllowed(path: unknown, dataRoot: string, imageFolders: Iterable<string>): Promise<boolean> {
  if (typeof path !== 'string' || !isAbsolute(path) || !IMAGE_EXTENSIONS.has(extname(path).toLowerCase())) return false;
  const real = await realpath(path).catch(() => null);
  return real !== null && (await realpathInsideAny(real, [dataRoot, ...imageFolders])) !== null;
}
