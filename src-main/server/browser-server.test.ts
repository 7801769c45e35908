import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { appPaths } from '../disk/app-paths';
import { createHost } from '../host/services';
import type { Host } from '../host/dispatch';
import { nodeTrainerLauncher, TrainerClient } from '../host/trainer-client';
import { startBrowserServer, tokenCookieName, type BrowserServer } from './browser-server';

function openSocket(url: string, headers: Record<string, string>): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    ws.once('error', () => resolve({ status: -1 }));
  });
}

function call(ws: WebSocket, method: string, params?: unknown): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as { id?: number; ok: boolean; result?: unknown; error?: string };
      if (message.id !== id) return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

describe('browser-mode server', () => {
  let home: string;
  let rendererDir: string;
  let host: Host;
  let server: BrowserServer;
  let origin: string;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'gan-server-'));
    rendererDir = join(home, 'renderer');
    await mkdir(rendererDir, { recursive: true });
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>GAN Studio</title>');
    await writeFile(join(home, 'secret.png'), 'not for the page');
    const paths = appPaths(join(home, 'data'));
    await mkdir(paths.runs, { recursive: true });
    await writeFile(join(paths.root, 'ok.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
    await writeFile(join(paths.root, 'text.png'), 'text, not a png');
    const trainer = new TrainerClient(nodeTrainerLauncher(undefined, { ...process.env, GAN_STUDIO_HOME: paths.root }));
    host = createHost({ paths, trainer, mode: 'browser', version: '0.0.0-test' });
    server = await startBrowserServer({ host, rendererDir, port: 0 });
    origin = `http://127.0.0.1:${server.port}`;
  });

  after(async () => {
    await server.close();
    await host.dispose();
    await rm(home, { recursive: true, force: true });
  });

  test('listens on loopback and prints a URL carrying a random token', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  test('a request without the token is refused with 401', async () => {
    const response = await fetch(`${origin}/`);
    assert.equal(response.status, 401);
    const wrong = await fetch(`${origin}/?token=${'x'.repeat(server.token.length)}`);
    assert.equal(wrong.status, 401);
  });

  test('the token sets the cookie and redirects to the page, which the cookie then opens', async () => {
    const response = await fetch(server.url, { redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/');
    const cookie = response.headers.get('set-cookie')!.split(';')[0];
    const page = await fetch(`${origin}/`, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /GAN Studio/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const again = await fetch(`${origin}/index.html`, { headers: { cookie } });
    assert.equal(again.status, 200);
  });

  test('paths outside the renderer and images outside the data folders are refused', async () => {
    const headers = { cookie: `${tokenCookieName(server.port)}=${server.token}` };
    const escape = await fetch(`${origin}/..%2Fsecret.png`, { headers });
    assert.equal(escape.status, 403);
    const secret = await fetch(`${origin}/image?path=${encodeURIComponent(join(home, 'secret.png'))}`, { headers });
    assert.equal(secret.status, 403);
    const allowed = await fetch(`${origin}/image?path=${encodeURIComponent(join(home, 'data', 'ok.png'))}`, { headers });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('content-type'), 'image/png');
    const text = await fetch(`${origin}/image?path=${encodeURIComponent(join(home, 'data', 'text.png'))}`, { headers });
    assert.equal(text.status, 403, 'an image by its name only is refused');
    const relativePath = await fetch(`${origin}/image?path=${encodeURIComponent('data/ok.png')}`, { headers });
    assert.equal(relativePath.status, 400);
  });

  test('a WebSocket from a foreign Origin is refused, even with the token', async () => {
    const result = await openSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: 'http://evil.example' });
    assert.deepEqual(result, { status: 403 });
    const noOrigin = await openSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {});
    assert.deepEqual(noOrigin, { status: 403 });
  });

  test('a WebSocket without the token is refused', async () => {
    const result = await openSocket(`ws://127.0.0.1:${server.port}/ws`, { origin });
    assert.deepEqual(result, { status: 403 });
  });

  test('the contract over the WebSocket: replies, errors, and the real trainer report', async () => {
    const opened = await openSocket(`ws://127.0.0.1:${server.port}/ws`, { origin, cookie: `${tokenCookieName(server.port)}=${server.token}` });
    assert.ok('ws' in opened);
    const { ws } = opened;
    try {
      const info = await call(ws, 'app.info');
      assert.equal(info.ok, true);
      assert.deepEqual((info.result as { mode: string }).mode, 'browser');
      const unknown = await call(ws, 'nope.nothing');
      assert.equal(unknown.ok, false);
      assert.equal(unknown.error, 'unknown request: nope.nothing');
      const backend = await call(ws, 'trainer.backend');
      assert.equal(backend.ok, true);
      const report = backend.result as { pid: number; backend: string };
      assert.notEqual(report.pid, process.pid, 'the report comes from the trainer process');
    } finally {
      ws.close();
    }
  });
});
