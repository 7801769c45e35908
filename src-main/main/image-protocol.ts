import { pathToFileURL } from 'node:url';
import type { Host } from '../host/dispatch';

/** gan-image://local/<encoded absolute path>: the only way the renderer sees local images. */
export function imagePathFromUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.host !== 'local') return null;
    return decodeURIComponent(parsed.pathname.slice(1));
  } catch {
    return null;
  }
}

/** A protocol.handle handler that serves only what the host allows (its data folders and chosen datasets). */
export function createImageProtocolHandler(host: Host, fetchFile: (fileUrl: string) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    const path = imagePathFromUrl(request.url);
    if (!path || !(await host.isImageAllowed(path))) return new Response('forbidden', { status: 403 });
    return fetchFile(pathToFileURL(path).toString());
  };
}
