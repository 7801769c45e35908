import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { HOST_EVENTS, type WireMessage, type WireRequest } from '../shared/contract';
import { dispatch, type Host } from '../host/dispatch';
import { openAllowedImage } from '../host/image-file';
import { CONTENT_SECURITY_POLICY } from '../shared/security';

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

const COOKIE = 'gan_studio_token';
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

function cookieToken(request: IncomingMessage): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return decodeURIComponent(value.join('='));
  }
  return null;
}

function sameToken(a: string | null, b: string): boolean {
  if (!a || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(18).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  let port = 0;

  function authorised(request: IncomingMessage, url: URL): boolean {
    return sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(request), token);
  }

  async function sendFile(response: ServerResponse, path: string, cache: string): Promise<void> {
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
    });
    createReadStream(path).pipe(response);
  }

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
      if (!authorised(request, url)) {
        response.writeHead(401, { 'content-type': 'text/plain' }).end('GAN Studio: open the URL printed at launch (it carries the access token).');
        return;
      }
      const headers = { 'content-security-policy': CONTENT_SECURITY_POLICY };
      if (url.searchParams.has('token')) {
        response.setHeader('set-cookie', `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed');
        return;
      }
      if (url.pathname === '/image') {
        // Opened before it is checked, served from the same handle (host/image-file.ts).
        const opened = await openAllowedImage(url.searchParams.get('path') ?? '', (real) => options.host.isImageAllowed(real));
        if (!opened.ok) {
          response.writeHead(opened.status, { 'content-type': 'text/plain' }).end(opened.status === 404 ? 'not found' : 'forbidden');
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
      const relativePath = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
      const path = normalize(join(rendererDir, relativePath));
      if (!path.startsWith(rendererDir + sep)) {
        response.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden');
        return;
      }
      for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
      await sendFile(response, path, relativePath === 'index.html' ? 'no-cache' : 'max-age=3600');
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(error instanceof Error ? error.message : 'internal error');
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 512 * 1024 * 1024 });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    const origin = request.headers.origin;
    const allowedOrigins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
    if (url.pathname !== '/ws' || !origin || !allowedOrigins.includes(origin) || !authorised(request, url)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });

  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, message: WireMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = HOST_EVENTS.map((event) =>
    options.host.on(event, (payload) => {
      for (const ws of clients) send(ws, { event, payload });
    }),
  );

  sockets.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('message', (data) => {
      let request: WireRequest;
      try {
        request = JSON.parse(String(data)) as WireRequest;
      } catch {
        return;
      }
      dispatch(options.host, request.method, request.params).then(
        (result) => send(ws, { id: request.id, ok: true, result }),
        (error: unknown) => send(ws, { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
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
