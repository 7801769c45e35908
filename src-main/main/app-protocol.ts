import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from '../shared/security';
import { IMAGE_SCHEME } from '../shared/contract';

/** Electron's CustomScheme, as protocol.registerSchemesAsPrivileged takes it (structural, so tests need no Electron). */
export interface PrivilegedScheme {
  scheme: string;
  privileges: {
    standard?: boolean;
    secure?: boolean;
    bypassCSP?: boolean;
    allowServiceWorkers?: boolean;
    supportFetchAPI?: boolean;
    corsEnabled?: boolean;
    stream?: boolean;
    codeCache?: boolean;
  };
}

/**
 * The schemes main/index.ts registers before the app is ready. app://gan-studio serves the built
 * renderer: standard and secure (a real origin, relative URLs, a secure context), corsEnabled so
 * its module scripts load, code cache on. gan-image:// serves local images to <img> only: no
 * fetch from other origins. Neither bypasses the CSP or allows service workers.
 */
export const PRIVILEGED_SCHEMES: PrivilegedScheme[] = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true, codeCache: true } },
  { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
];

/**
 * A protocol.handle handler for app://gan-studio/<path>: the file of that path inside
 * `rendererDir` (index.html for /), with the Content-Security-Policy, nosniff and no-cache as
 * response headers. `fetchFile` reads a file:// URL (Electron's net.fetch, which also sets the
 * content type). 404 for another host or a missing file, 403 for a path leaving rendererDir, 405
 * for anything but GET and HEAD.
 */
export function createAppProtocolHandler(rendererDir: string, fetchFile: (fileUrl: string) => Promise<Response>) {
  const root = resolve(rendererDir);
  const plain = (status: number, text: string) => new Response(text, { status, headers: { 'content-type': 'text/plain' } });
  return async (request: Request): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
    let url: URL;
    let pathname: string;
    try {
      url = new URL(request.url);
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return plain(400, 'bad request');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return plain(404, 'not found');
    const path = resolve(root, pathname === '/' ? 'index.html' : `.${pathname}`);
    const rel = relative(root, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || path.includes('\0')) return plain(403, 'forbidden');
    const upstream = await fetchFile(pathToFileURL(path).toString()).catch(() => null);
    if (!upstream?.ok) return plain(404, 'not found');
    const headers = new Headers(upstream.headers);
    headers.set('content-security-policy', CONTENT_SECURITY_POLICY);
    headers.set('x-content-type-options', 'nosniff');
    headers.set('cache-control', 'no-cache');
    return new Response(request.method === 'HEAD' ? null : upstream.body, { status: 200, headers });
  };
}
