import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extname } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { HOST_EVENTS, type WireMessage } from '../shared/contract';
import { dispatch, HostError, type Host } from '../host/dispatch';
import { openAllowedImage } from '../host/image-file';
import { UploadTooLargeError } from '../host/uploads';
import { PathEscapeError, resolveInside } from '../disk/inside';
import { UnsafeIdError } from '../shared/ids';
import { CONTENT_SECURITY_POLICY } from '../shared/security';
import { describeListenError, PING_APP, PING_PATH } from './port';

/** Browser mode: the built renderer and the contract over HTTP + WebSocket, on loopback only. */
export interface BrowserServerOptions {
  host: Host;
  rendererDir: string;
  port?: number;
  /** Fixed for tests; random per launch otherwise. */
  token?: string;
}

export interface BrowserServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * The cookie that carries the token after the first visit. Cookies are not port-scoped, so the
 * name carries the port: another local server on another port never receives this one.
 */
export function tokenCookieName(port: number): string {
  return `gan_studio_token_${port}`;
}

/** Largest WebSocket message accepted (requests are small JSON; files travel by POST /upload). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** How much of a refused upload's body is read and dropped before the connection is cut. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.avif': 'image/avif',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

function cookieValue(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

function sameToken(a: string | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function plain(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(text);
}

/**
 * A WebSocket text message as a request, or why it is not one. Anything goes in: binary frames,
 * `null`, arrays, numbers, missing or mistyped fields.
 */
function parseRequest(data: RawData, isBinary: boolean): { id: number | null; method?: string; params?: unknown; error?: string } {
  if (isBinary) return { id: null, error: 'malformed request: send JSON text, not binary data' };
  let value: unknown;
  try {
    value = JSON.parse(String(data));
  } catch {
    return { id: null, error: 'malformed request: not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { id: null, error: 'malformed request: expected an object {"id", "method", "params"}' };
  }
  const { id, method, params } = value as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { id: null, error: 'malformed request: "id" must be an integer' };
  if (typeof method !== 'string') return { id, error: 'malformed request: "method" must be a string' };
  return { id, method, params };
}

/**
 * Starts browser mode on 127.0.0.1. Every request must name this server in its Host header
 * (127.0.0.1:PORT or localhost:PORT: a DNS-rebinding page cannot), carry the token (the printed
 * URL's ?token=, then the port's cookie), and WebSockets and uploads must come from our own
 * Origin. GET PING_PATH needs no token. Throws PortInUseError when the port is taken.
 */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(18).toString('base64url');
  const rendererDir = options.rendererDir;
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = () => allowedHosts().map((host) => `http://${host}`);

  function hostAllowed(request: IncomingMessage): boolean {
    return allowedHosts().includes((request.headers.host ?? '').toLowerCase());
  }

  function originAllowed(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    return !!origin && allowedOrigins().includes(origin.toLowerCase());
  }

  function authorised(request: IncomingMessage, url: URL): boolean {
    return sameToken(url.searchParams.get('token'), token) || sameToken(cookieValue(request, tokenCookieName(port)), token);
  }

  function parseUrl(request: IncomingMessage): URL | null {
    try {
      return new URL(`http://127.0.0.1:${port}${(request.url ?? '/').startsWith('/') ? '' : '/'}${request.url ?? '/'}`);
    } catch {
      return null;
    }
  }

  async function sendFile(response: ServerResponse, path: string, cache: string): Promise<void> {
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) {
      plain(response, 404, 'not found');
      return;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
    });
    // A file removed or unreadable after the stat ends the response; it must not end the server.
    await pipeline(createReadStream(path), response).catch(() => response.destroy());
  }

  async function receiveUpload(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (!originAllowed(request)) {
      plain(response, 403, 'uploads are accepted only from the GAN Studio page itself');
      return;
    }
    const length = request.headers['content-length'];
    const declared = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
    try {
      const result = await options.host.receiveUpload(
        url.searchParams.get('id'),
        url.searchParams.get('name'),
        request.iterator({ destroyOnReturn: false }),
        declared,
      );
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(result));
    } catch (error) {
      const status = error instanceof UploadTooLargeError ? 413 : error instanceof HostError || error instanceof UnsafeIdError ? 400 : 500;
      const message = status === 500 ? 'the upload failed on the host; nothing of the file was kept' : (error as Error).message;
      // The rest of the body is read and dropped (no memory kept), and the reply waits for its end, so
      // that a sender still sending gets to read it: a reply sent mid-body can reset the connection
      // under the sender (EPIPE) before it reads the status. A sender that goes on past another
      // MAX_DRAIN_BYTES is cut off.
      if (!request.complete) {
        let drained = 0;
        request.on('data', (chunk: Buffer) => {
          drained += chunk.length;
          if (drained > MAX_DRAIN_BYTES) request.socket.destroy();
        });
        await new Promise<void>((done) => {
          request.once('end', done);
          request.once('close', done);
          request.resume();
        });
      }
      plain(response, status, message);
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = parseUrl(request);
    if (!url) {
      plain(response, 400, 'bad request');
      return;
    }
    if (!hostAllowed(request)) {
      plain(response, 403, `GAN Studio answers only as http://127.0.0.1:${port}/`);
      return;
    }
    if (url.pathname === PING_PATH && request.method === 'GET') {
      const { version } = await options.host.handlers['app.info'](undefined);
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ app: PING_APP, version }));
      return;
    }
    if (!authorised(request, url)) {
      plain(response, 401, 'GAN Studio: open the URL printed at launch (it carries the access token).');
      return;
    }
    if (url.searchParams.has('token') && (request.method === 'GET' || request.method === 'HEAD')) {
      // Keep the token out of the address bar and the history: the cookie carries it from here on.
      url.searchParams.delete('token');
      response.writeHead(303, {
        'set-cookie': `${tokenCookieName(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        // One leading slash: "//host/…" would leave this server.
        location: `/${url.pathname.replace(/^\/+/, '')}${url.search}`,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
      response.end();
      return;
    }
    if (url.pathname === '/upload' && request.method === 'POST') {
      await receiveUpload(request, response, url);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      plain(response, 405, 'method not allowed');
      return;
    }
    if (url.pathname === '/image') {
      // Opened before it is checked, served from the same handle (host/image-file.ts).
      const opened = await openAllowedImage(url.searchParams.get('path') ?? '', (real) => options.host.isImageAllowed(real));
      if (!opened.ok) {
        plain(response, opened.status, opened.status === 404 ? 'not found' : 'forbidden');
        return;
      }
      response.writeHead(200, {
        'content-type': opened.image.contentType,
        'content-length': opened.image.size,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      if (request.method === 'HEAD') {
        await opened.image.close();
        response.end();
      } else {
        opened.image.stream().pipe(response);
      }
      return;
    }
    let path: string;
    try {
      path = url.pathname === '/' ? resolveInside(rendererDir, 'index.html') : resolveInside(rendererDir, decodeURIComponent(url.pathname.slice(1)));
    } catch (error) {
      plain(response, error instanceof PathEscapeError ? 403 : 400, error instanceof PathEscapeError ? 'forbidden' : 'bad request');
      return;
    }
    response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    await sendFile(response, path, url.pathname === '/' || url.pathname === '/index.html' ? 'no-cache' : 'max-age=3600');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => plain(response, 500, 'internal error'));
  });
  // No cap on a whole request (Node's default, 5 min, would cut a large upload over a slow SSH
  // tunnel); a connection idle for 2 min is closed instead (the WebSocket ones excepted: ws clears it).
  server.requestTimeout = 0;
  server.setTimeout(120_000);
  // A malformed HTTP request gets a 400 from Node; an error on an idle socket is nobody's business.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = parseUrl(request);
      if (!url || url.pathname !== '/ws' || !hostAllowed(request) || !originAllowed(request) || !authorised(request, url)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
    } catch {
      socket.destroy();
    }
  });

  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, message: WireMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    try {
      ws.send(JSON.stringify(message));
    } catch {
      ws.terminate();
    }
  };
  const unsubscribe = HOST_EVENTS.map((event) =>
    options.host.on(event, (payload) => {
      for (const ws of clients) send(ws, { event, payload });
    }),
  );

  sockets.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    // Frame-level violations (invalid UTF-8, bad opcodes, oversized messages): ws closes the socket
    // with the right code and reports here; without a listener the error would end the process.
    ws.on('error', () => ws.terminate());
    ws.on('close', () => clients.delete(ws));
    ws.on('message', (data, isBinary) => {
      const request = parseRequest(data, isBinary);
      if (request.error !== undefined) {
        send(ws, { id: request.id, ok: false, error: request.error });
        return;
      }
      dispatch(options.host, request.method, request.params).then(
        (result) => send(ws, { id: request.id!, ok: true, result }),
        (error: unknown) => send(ws, { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
    });
  });

  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolveListen();
      });
    });
  } catch (error) {
    sockets.close();
    throw await describeListenError(error, options.port ?? 0);
  }
  server.on('error', (error) => process.stderr.write(`gan-studio: browser-mode server: ${error.message}\n`));
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const stop of unsubscribe) stop();
      for (const ws of clients) ws.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
