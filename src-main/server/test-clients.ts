/**
 * Tests only: a browser-mode server in a child process (test-server.ts) and clients that talk to it
 * the way a hostile page or program could: raw HTTP, raw WebSocket frames, malformed messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export interface TestServer {
  port: number;
  token: string;
  origin: string;
  /** A Cookie header that carries the token under the per-port name (and the old unported one). */
  cookie: string;
  child: ChildProcess;
  /** Whether the server process is still running. */
  alive(): boolean;
  /** Resolves when the server process ends, with what it wrote to stderr. */
  exited: Promise<{ code: number | null; signal: string | null; stderr: string }>;
  stop(): Promise<void>;
}

const serverEntry = fileURLToPath(new URL('./test-server.ts', import.meta.url));

/**
 * Starts test-server.ts with `env` (GAN_STUDIO_HOME and GAN_TEST_RENDERER at least) in `cwd`, and
 * waits for its {port, token} line; rejects with its stderr if it exits first.
 */
export async function spawnTestServer(env: Record<string, string>, cwd?: string): Promise<TestServer> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), serverEntry], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let running = true;
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal, stderr });
    }),
  );
  const { port, token } = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) resolve(JSON.parse(line) as { port: number; token: string });
    });
    void exited.then(({ code }) => reject(new Error(`test server exited (${code}): ${stderr}`)));
  });
  return {
    port,
    token,
    origin: `http://127.0.0.1:${port}`,
    cookie: `gan_studio_token_${port}=${token}; gan_studio_token=${token}`,
    child,
    alive: () => running,
    exited,
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Peak resident memory of a process so far, in bytes (Linux: VmHWM in /proc/PID/status). */
export async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!kb) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb[1]) * 1024;
}

/**
 * One HTTP request with full control of the headers (Host included), body optional. With
 * `giveUpMs`, a server still silent after that long (waiting for a body the headers promised)
 * gets the connection closed and the result is status 0.
 */
export function rawHttp(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string | number>; body?: Buffer | AsyncIterable<Uint8Array>; giveUpMs?: number },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    let responded = false;
    // agent: false: a connection of its own, so a request that lied about its body length cannot
    // leave its connection, half-read, to the next request.
    const request = httpRequest({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: false }, (response) => {
      responded = true;
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        request.destroy();
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    if (options.giveUpMs !== undefined) {
      const timer = setTimeout(() => {
        resolve({ status: 0, headers: {}, body: '' });
        request.destroy();
      }, options.giveUpMs);
      timer.unref();
      request.once('close', () => clearTimeout(timer));
    }
    const body = options.body;
    if (!body) request.end();
    else if (Buffer.isBuffer(body)) request.end(body);
    else {
      void (async () => {
        try {
          for await (const chunk of body) {
            // The server answered early (a refusal): stop sending, as a browser does.
            if (responded || request.destroyed) return;
            if (!request.write(chunk)) await new Promise((drain) => request.once('drain', drain));
          }
          request.end();
        } catch (error) {
          request.destroy(error as Error);
        }
      })();
    }
  });
}

/** Opens a WebSocket to /ws with the given headers; resolves with it, or with the refusal's status. */
export function openSocket(port: number, headers: Record<string, string>, path = '/ws'): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    ws.once('error', () => resolve({ status: -1 }));
  });
}

/** An authenticated WebSocket of our own page. */
export async function pageSocket(server: TestServer): Promise<WebSocket> {
  const opened = await openSocket(server.port, { origin: server.origin, cookie: server.cookie });
  if (!('ws' in opened)) throw new Error(`the WebSocket was refused (${opened.status})`);
  return opened.ws;
}

export interface Reply {
  id: number | null;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/**
 * Sends `text` and waits for the first message `matches` accepts; null when the socket closes or the
 * server dies first.
 */
function awaitReply(ws: WebSocket, server: TestServer, matches: (message: Reply & { event?: string }) => boolean, send: () => void): Promise<Reply | null> {
  return new Promise((resolve) => {
    const done = (value: Reply | null) => {
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(value);
    };
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as Reply & { event?: string };
      if (matches(message)) done(message);
    };
    const onClose = () => done(null);
    ws.on('message', onMessage);
    ws.once('close', onClose);
    void server.exited.then(() => done(null));
    send();
  });
}

/** Sends `text` and waits for the next reply (not event); null when the socket closes or the server dies first. */
export function sendAndWait(ws: WebSocket, text: string | Buffer, server: TestServer, binary = false): Promise<Reply | null> {
  return awaitReply(ws, server, (message) => message.event === undefined, () => ws.send(text, { binary }));
}

/** Calls one contract method and waits for its reply (null when the socket or the server goes first). */
export function call(ws: WebSocket, server: TestServer, method: string, params?: unknown): Promise<Reply | null> {
  const id = Math.floor(Math.random() * 1e9);
  return awaitReply(ws, server, (message) => message.id === id, () => ws.send(JSON.stringify({ id, method, params })));
}

/**
 * One WebSocket frame as a client sends it (masked unless `mask` is false), with every field
 * open to abuse: reserved bits, any opcode, a length field that lies.
 */
export function frame(
  opcode: number,
  payload: Buffer,
  options: { fin?: boolean; rsv?: number; mask?: boolean; declaredLength?: bigint } = {},
): Buffer {
  const { fin = true, rsv = 0, mask = true } = options;
  const length = options.declaredLength ?? BigInt(payload.length);
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const maskBit = mask ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(length);
  }
  const key = mask ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (mask) for (let i = 0; i < body.length; i++) body[i] ^= key[i % 4];
  return Buffer.concat([Buffer.from(head), extended, key, body]);
}

/**
 * A raw TCP connection that has completed the WebSocket handshake (or not: `status` says), for
 * sending hand-made frames. `headers` override the page's own (Host, Origin, Cookie).
 */
export function rawSocket(
  server: TestServer,
  options: { path?: string; headers?: Record<string, string> } = {},
): Promise<{ socket: Socket; status: number; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => {});
    const headers: Record<string, string> = {
      Host: `127.0.0.1:${server.port}`,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Version': '13',
      Origin: server.origin,
      Cookie: server.cookie,
      ...options.headers,
    };
    socket.once('connect', () => {
      socket.write(`GET ${options.path ?? '/ws'} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    });
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      resolve({ socket, status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), closed });
    };
    socket.on('data', onData);
    socket.once('close', () => resolve({ socket, status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), closed }));
    void server.exited.then(() => reject(new Error('the server died')));
  });
}

/**
 * Everything under `dir`: relative path → "dir", "link:TARGET" or the SHA-1 of the file's bytes.
 * Paths under `skip` (relative, e.g. "data") are left out. Missing `dir`: an empty map.
 */
export async function snapshot(dir: string, skip: readonly string[] = []): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function visit(rel: string): Promise<void> {
    const path = join(dir, rel);
    const info = await lstat(path).catch(() => null);
    if (!info) return;
    if (rel && skip.some((s) => rel === s || rel.startsWith(`${s}/`))) return;
    if (info.isSymbolicLink()) out.set(rel, `link:${await readlink(path)}`);
    else if (info.isDirectory()) {
      if (rel) out.set(rel, 'dir');
      for (const name of (await readdir(path)).sort()) await visit(rel ? `${rel}/${name}` : name);
    } else out.set(rel, createHash('sha1').update(await readFile(path)).digest('hex'));
  }
  await visit('');
  return out;
}

/** What changed between two snapshots: added, removed and changed paths, each sorted. */
export function diffSnapshots(before: Map<string, string>, after: Map<string, string>): { added: string[]; removed: string[]; changed: string[] } {
  const added = [...after.keys()].filter((k) => !before.has(k)).sort();
  const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
  const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)).sort();
  return { added, removed, changed };
}
