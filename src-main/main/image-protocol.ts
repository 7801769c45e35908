import { Readable } from 'node:stream';
import { isAbsolute } from 'node:path';
import type { Host } from '../host/dispatch';
import { openAllowedImage } from '../host/image-file';

/** gan-image://local/<encoded absolute path>: the only way the renderer sees local images. Null for anything else. */
export function imagePathFromUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.host !== 'local') return null;
    const path = decodeURIComponent(parsed.pathname.slice(1));
    return isAbsolute(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * A protocol.handle handler that serves only what the host allows (its data folders and chosen
 * datasets): absolute paths, regular files that are images by their bytes, opened before they are
 * checked and served from the same handle (host/image-file.ts).
 */
export function createImageProtocolHandler(host: Host) {
  return async (request: Request): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const path = imagePathFromUrl(request.url);
    if (!path) return new Response('bad request', { status: 400 });
    const result = await openAllowedImage(path, (real) => host.isImageAllowed(real));
    if (!result.ok) return new Response(result.status === 404 ? 'not found' : 'forbidden', { status: result.status });
    const { image } = result;
    const headers = {
      'content-type': image.contentType,
      'content-length': String(image.size),
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    if (request.method === 'HEAD') {
      await image.close();
      return new Response(null, { headers });
    }
    return new Response(Readable.toWeb(image.stream()) as ReadableStream<Uint8Array>, { headers });
  };
}
