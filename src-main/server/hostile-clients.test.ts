import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { appPaths } from '../disk/app-paths';
import { writeRunConfig } from '../disk/run-folder';
import { defaultRunConfig } from '../shared/schema';
import { createHost } from '../host/services';
import { nodeTrainerLauncher, TrainerClient } from '../host/trainer-client';
import { startBrowserServer } from './browser-server';
import {
  call,
  diffSnapshots,
  frame,
  openSocket,
  pageSocket,
  peakRss,
  rawHttp,
  rawSocket,
  sendAndWait,
  snapshot,
  spawnTestServer,
  type TestServer,
} from './test-clients';

const MB = 1024 * 1024;
const RUN_ID = '20240101-000000-aaaa';

/** `total` bytes in 1 MB chunks, made as they are sent (the test itself never holds them all). */
async function* bytes(total: number): AsyncGenerator<Uint8Array> {
  const chunk = Buffer.alloc(MB, 7);
  for (let sent = 0; sent < total; sent += MB) yield sent + MB <= total ? chunk : chunk.subarray(0, total - sent);
}

/** A sandbox: app data (with a run, an upload and a cache file), home, renderer and working folder. */
async function makeSandbox(): Promise<{ root: string; data: string; home: string; renderer: string; cwd: string }> {
  const root = await mkdtemp(join(tmpdir(), 'gan-hostile-'));
  const data = join(root, 'data');
  const home = join(root, 'home');
  const renderer = join(root, 'renderer');
  const cwd = join(root, 'cwd');
  const paths = appPaths(data);
  await writeRunConfig(join(paths.runs, RUN_ID), defaultRunConfig({ data: { folders: ['/nowhere'], settings: { size: 64, mode: 'crop', background: '#ffffff' } } }));
  await mkdir(join(paths.uploads, 'earlier'), { recursive: true });
  await writeFile(join(paths.uploads, 'earlier', 'a.png'), 'an earlier upload');
  await mkdir(paths.cache, { recursive: true });
  await writeFile(join(paths.cache, 'keep.bin'), 'cache');
  await mkdir(home, { recursive: true });
  await mkdir(renderer, { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>GAN Studio</title>');
  await mkdir(cwd, { recursive: true });
  return { root, data, home, renderer, cwd };
}

function serverEnv(box: { data: string; home: string; renderer: string }, extra: Record<string, string> = {}): Record<string, string> {
  return { GAN_STUDIO_HOME: box.data, HOME: box.home, GAN_TEST_RENDERER: box.renderer, ...extra };
}

describe('browser mode against hostile clients', () => {
  let box: Awaited<ReturnType<typeof makeSandbox>>;
  let server: TestServer;

  before(async () => {
    box = await makeSandbox();
    server = await spawnTestServer(serverEnv(box, { GAN_TEST_UPLOAD_FILE_BYTES: String(256 * MB), GAN_TEST_UPLOAD_TOTAL_BYTES: String(320 * MB) }), box.cwd);
  });

  after(async () => {
    await server.stop();
    await rm(box.root, { recursive: true, force: true });
  });

  test('kind 1: null, arrays, numbers, binary data and messages without id or method get an error reply; the server stays up', async () => {
    const ws = await pageSocket(server);
    try {
      const malformed: Array<[string | Buffer, boolean]> = [
        ['null', false],
        ['[]', false],
        ['42', false],
        ['"app.info"', false],
        ['{}', false],
        ['{"id": 1}', false],
        ['{"id": "1", "method": "app.info"}', false],
        ['{"id": 1e400, "method": "app.info"}', false],
        ['{"method": "app.info"', false],
        [Buffer.from('{"id": 2, "method": "app.info"}'), true],
      ];
      for (const [message, binary] of malformed) {
        const reply = await sendAndWait(ws, message, server, binary);
        assert.ok(reply, `no reply to ${String(message)}: the server ${server.alive() ? 'closed the socket' : 'died'}`);
        assert.equal(reply.ok, false);
        assert.match(reply.error ?? '', /^malformed request: /);
      }
      const wrongMethod = await sendAndWait(ws, '{"id": 3, "method": 5}', server);
      assert.deepEqual(wrongMethod, { id: 3, ok: false, error: 'malformed request: "method" must be a string' });
      const info = await call(ws, server, 'app.info');
      assert.equal((info?.result as { version: string }).version, '0.0.0-test');
    } finally {
      ws.close();
    }
    assert.ok(server.alive());
  });

  test('kind 1: handlers that fail on bad parameters are answered, never left hanging', async () => {
    const ws = await pageSocket(server);
    try {
      for (const [method, params] of [
        ['runs.get', null],
        ['runs.get', { runId: 'a/b' }],
        ['runs.delete', 5],
        ['generate.images', {}],
        ['datasets.import', { folders: 5 }],
        ['generate.save', { paths: 'x', folder: {} }],
        ['train.resume', []],
      ] as const) {
        const reply = await call(ws, server, method, params);
        assert.ok(reply, `${method} was not answered`);
        assert.equal(reply.ok, false, `${method} with ${JSON.stringify(params)} succeeded`);
      }
    } finally {
      ws.close();
    }
    assert.ok(server.alive());
  });

  test('kind 1: a text frame with invalid UTF-8 closes that socket, not the server', async () => {
    const { socket, status, closed } = await rawSocket(server);
    assert.equal(status, 101);
    socket.write(frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    await closed;
    const ws = await pageSocket(server);
    assert.equal((await call(ws, server, 'app.info'))?.ok, true);
    ws.close();
    assert.ok(server.alive());
  });

  test('kind 1: a malformed cookie, a multi-byte token or an unparsable URL in the handshake is refused, not fatal', async () => {
    const multiByteToken = 'é'.repeat(server.token.length);
    const attempts: Array<{ path?: string; headers?: Record<string, string> }> = [
      { headers: { Cookie: `gan_studio_token=%E0%A4%A; gan_studio_token_${server.port}=%E0%A4%A` } },
      { path: `/ws?token=${encodeURIComponent(multiByteToken)}`, headers: { Cookie: '' } },
      { headers: { Cookie: `gan_studio_token=${encodeURIComponent(multiByteToken)}; gan_studio_token_${server.port}=${encodeURIComponent(multiByteToken)}` } },
      { path: '//[' },
      { path: '/ws?token=%', headers: { Cookie: '' } },
    ];
    for (const attempt of attempts) {
      const { socket, status } = await rawSocket(server, attempt);
      socket.destroy();
      assert.notEqual(status, 101, `${JSON.stringify(attempt)} was let in`);
    }
    const page = await rawHttp(server.port, { path: '/%E0%A4%A', headers: { host: `127.0.0.1:${server.port}`, cookie: server.cookie } });
    assert.ok(page.status >= 400 && page.status < 500, `a malformed path got ${page.status}`);
    const ws = await pageSocket(server);
    assert.equal((await call(ws, server, 'app.info'))?.ok, true);
    ws.close();
    assert.ok(server.alive(), 'the server died');
  });

  test('kind 2: ids that are paths are refused, and nothing in or outside the app data folder changes', async () => {
    const before = await snapshot(box.root);
    const ws = await pageSocket(server);
    try {
      const ids = ['..', '.', '', '../data', '../../', 'runs/..', '..\\..', `${RUN_ID}/../..`, 'x\u0000y', '/', '/etc', 'a'.repeat(300), '~'];
      for (const runId of ids) {
        for (const [method, params] of [
          ['runs.delete', { runId }],
          ['runs.get', { runId }],
          ['train.resume', { runId }],
          ['generate.images', { runId, n: 1, seed: 1, rankByD: false }],
          ['generate.interpolation', { runId, frames: 2, seed: 1 }],
          ['generate.exportModel', { runId, folder: join(box.home, 'export') }],
        ] as const) {
          const reply = await call(ws, server, method, params);
          assert.equal(reply?.ok, false, `${method} ${JSON.stringify(runId)} was accepted`);
          assert.match(reply?.error ?? '', /run id/, `${method} ${JSON.stringify(runId)}: ${reply?.error}`);
        }
      }
      const listed = await call(ws, server, 'runs.list');
      assert.deepEqual((listed?.result as Array<{ id: string }>).map((r) => r.id), [RUN_ID]);
    } finally {
      ws.close();
    }
    assert.deepEqual(diffSnapshots(before, await snapshot(box.root)), { added: [], removed: [], changed: [] });
  });

  test('kind 13: a request that names another host is refused, token or not', async () => {
    const evil = `evil.example:${server.port}`;
    const page = await rawHttp(server.port, { path: '/', headers: { host: evil, cookie: server.cookie } });
    assert.equal(page.status, 403);
    const upgrade = await rawSocket(server, { headers: { Host: evil, Origin: `http://${evil}` } });
    upgrade.socket.destroy();
    assert.equal(upgrade.status, 403);
    const upgradeOwnOrigin = await rawSocket(server, { headers: { Host: evil } });
    upgradeOwnOrigin.socket.destroy();
    assert.equal(upgradeOwnOrigin.status, 403);
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`]) {
      const ok = await rawHttp(server.port, { path: '/', headers: { host, cookie: server.cookie } });
      assert.equal(ok.status, 200, host);
    }
  });

  test('kind 13: the cookie carries the port in its name, and the token leaves the address bar', async () => {
    const first = await rawHttp(server.port, { path: `/?token=${server.token}`, headers: { host: `127.0.0.1:${server.port}` } });
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, '/');
    const cookie = String(first.headers['set-cookie']?.[0] ?? '');
    assert.match(cookie, new RegExp(`^gan_studio_token_${server.port}=`));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const withPortCookie = await rawHttp(server.port, { path: '/', headers: { host: `127.0.0.1:${server.port}`, cookie: cookie.split(';')[0] } });
    assert.equal(withPortCookie.status, 200);
    const otherPortsCookie = await rawHttp(server.port, {
      path: '/',
      headers: { host: `127.0.0.1:${server.port}`, cookie: `gan_studio_token=${server.token}; gan_studio_token_${server.port + 1}=${server.token}` },
    });
    assert.equal(otherPortsCookie.status, 401);
    const deep = await rawHttp(server.port, { path: `/index.html?token=${server.token}&x=1`, headers: { host: `127.0.0.1:${server.port}` } });
    assert.equal(deep.headers.location, '/index.html?x=1');
  });

  test('kind 15: the ping answers without a token; a second server on the port says GAN Studio runs there', async () => {
    const ping = await rawHttp(server.port, { path: '/__gan-studio/ping', headers: { host: `127.0.0.1:${server.port}` } });
    assert.equal(ping.status, 200);
    assert.deepEqual(JSON.parse(ping.body), { app: 'gan-studio', version: '0.0.0-test' });
    assert.doesNotMatch(ping.body, new RegExp(server.token));

    const trainer = new TrainerClient(nodeTrainerLauncher());
    const host = createHost({ paths: appPaths(join(box.root, 'second')), trainer, mode: 'browser', version: '0.0.0-test' });
    try {
      await assert.rejects(startBrowserServer({ host, rendererDir: box.renderer, port: server.port }), (error: Error) => {
        assert.equal(
          error.message,
          `GAN Studio is already running at http://127.0.0.1:${server.port}/ — open the link that instance printed (it carries the access token)`,
        );
        return true;
      });
      const foreign = createNetServer(() => {});
      await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
      const foreignPort = (foreign.address() as { port: number }).port;
      try {
        await assert.rejects(startBrowserServer({ host, rendererDir: box.renderer, port: foreignPort }), (error: Error) => {
          assert.equal(error.message, `port ${foreignPort} on 127.0.0.1 is taken by another program: choose another with --port N (--port 0 picks a free one)`);
          return true;
        });
      } finally {
        foreign.close();
      }
    } finally {
      await host.dispose();
    }
  });

  test('kind 15: a second `gan-studio serve` on the port prints one line naming the running one and exits', async () => {
    const bin = fileURLToPath(new URL('../cli/gan-studio.mjs', import.meta.url));
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'serve', '--port', String(server.port)], {
        cwd: box.cwd,
        env: { ...process.env, GAN_STUDIO_HOME: join(box.root, 'second'), HOME: box.home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `gan-studio: GAN Studio is already running at http://127.0.0.1:${server.port}/ — open the link that instance printed (it carries the access token)\n`,
    );
    assert.equal(result.stdout, '');
  });

  test('uploads stream to disk: 200 MB raise the server\'s peak memory by less than 64 MB', async () => {
    const ws = await pageSocket(server);
    const opened = await call(ws, server, 'datasets.upload', { name: 'big' });
    ws.close();
    assert.equal(opened?.ok, true, opened?.error);
    const { uploadId, folder } = opened!.result as { uploadId: string; folder: string };
    const peakBefore = await peakRss(server.child.pid!);
    const size = 200 * MB;
    const response = await rawHttp(server.port, {
      method: 'POST',
      path: `/upload?id=${encodeURIComponent(uploadId)}&name=big.png`,
      headers: { host: `127.0.0.1:${server.port}`, origin: server.origin, cookie: server.cookie, 'content-length': size },
      body: bytes(size),
    });
    assert.equal(response.status, 200, response.body);
    const growth = await peakRss(server.child.pid!) - peakBefore;
    process.stdout.write(`# peak RSS growth for a 200 MB upload: ${(growth / MB).toFixed(1)} MB\n`);
    assert.ok(growth < 64 * MB, `peak memory grew by ${(growth / MB).toFixed(0)} MB`);
    assert.equal((await stat(join(folder, 'big.png'))).size, size);
    assert.deepEqual(await readdir(folder), ['big.png']);
    await rm(join(folder, 'big.png'));
  });

  test('uploads: token, Host and Origin are checked; ids and names that are paths stay inside the upload folder', async () => {
    const ws = await pageSocket(server);
    const opened = await call(ws, server, 'datasets.upload', { name: '../../escape' });
    ws.close();
    const { uploadId, folder } = opened!.result as { uploadId: string; folder: string };
    assert.equal(join(folder, '..'), join(box.data, 'uploads'));
    const own = { host: `127.0.0.1:${server.port}`, origin: server.origin, cookie: server.cookie };
    const post = (path: string, headers: Record<string, string>) => rawHttp(server.port, { method: 'POST', path, headers, body: Buffer.from('png bytes') });
    const good = `/upload?id=${uploadId}&name=a.png`;
    assert.equal((await post(good, { ...own, cookie: '' })).status, 401);
    assert.equal((await post(good, { ...own, origin: 'http://evil.example' })).status, 403);
    assert.equal((await post(good, { host: own.host, cookie: own.cookie })).status, 403);
    assert.equal((await post(good, { ...own, host: `evil.example:${server.port}` })).status, 403);
    for (const id of ['..', '../runs', 'earlier', 'nope', '']) {
      const refused = await post(`/upload?id=${encodeURIComponent(id)}&name=a.png`, own);
      assert.equal(refused.status, 400, `upload id ${JSON.stringify(id)}: ${refused.status} ${refused.body}`);
    }
    const names: Array<[string, string]> = [
      ['../../../escape.png', 'escape.png'],
      ['..', 'file'],
      ['.hidden.png', 'hidden.png'],
      ['a\\..\\..\\b.png', 'b.png'],
      ['a.png', 'a.png'],
      ['a.png', 'a-2.png'],
    ];
    for (const [name, stored] of names) {
      const response = await post(`/upload?id=${uploadId}&name=${encodeURIComponent(name)}`, own);
      assert.equal(response.status, 200, `${name}: ${response.body}`);
      assert.equal((JSON.parse(response.body) as { name: string }).name, stored);
    }
    assert.deepEqual((await readdir(folder)).sort(), ['a-2.png', 'a.png', 'b.png', 'escape.png', 'file', 'hidden.png']);
    const uploads = (await readdir(join(box.data, 'uploads'))).filter((name) => !name.includes('-big-'));
    assert.deepEqual(uploads.sort(), ['earlier', uploadId].sort());
    assert.ok(server.alive());
  });

  test('uploads: over a cap the answer is 413 with the limit, and nothing of the file is kept', async () => {
    const small = await spawnTestServer(serverEnv(box, { GAN_STUDIO_HOME: join(box.root, 'small'), GAN_TEST_UPLOAD_FILE_BYTES: String(MB), GAN_TEST_UPLOAD_TOTAL_BYTES: String(3 * MB) }), box.cwd);
    try {
      const ws = await pageSocket(small);
      const { uploadId, folder } = (await call(ws, small, 'datasets.upload', { name: 'capped' }))!.result as { uploadId: string; folder: string };
      ws.close();
      const headers = { host: `127.0.0.1:${small.port}`, origin: small.origin, cookie: small.cookie };
      const path = (name: string) => `/upload?id=${uploadId}&name=${name}`;
      const declared = await rawHttp(small.port, { method: 'POST', path: path('declared.png'), headers: { ...headers, 'content-length': 2 * MB }, body: bytes(2 * MB) });
      assert.equal(declared.status, 413);
      assert.equal(declared.body, 'declared.png is 2.0 MB, over the 1.0 MB limit per file; nothing of it was kept');
      const streamed = await rawHttp(small.port, { method: 'POST', path: path('streamed.png'), headers, body: bytes(2 * MB) });
      assert.equal(streamed.status, 413);
      assert.equal(streamed.body, 'streamed.png is over the 1.0 MB limit per file; nothing of it was kept');
      for (const name of ['a.png', 'b.png', 'c.png']) {
        const ok = await rawHttp(small.port, { method: 'POST', path: path(name), headers: { ...headers, 'content-length': MB }, body: bytes(MB) });
        assert.equal(ok.status, 200, ok.body);
      }
      const overTotal = await rawHttp(small.port, { method: 'POST', path: path('d.png'), headers: { ...headers, 'content-length': 10 }, body: Buffer.alloc(10) });
      assert.equal(overTotal.status, 413);
      assert.equal(overTotal.body, 'd.png would take this upload over its 3.0 MB limit; import the folder by its path instead');
      assert.deepEqual((await readdir(folder)).sort(), ['a.png', 'b.png', 'c.png']);

      // A sender that disappears midway: its partial file is removed.
      const { uploadId: cutId, folder: cutFolder } = (await call(await pageSocket(small), small, 'datasets.upload', { name: 'cut' }))!.result as { uploadId: string; folder: string };
      const cut = httpRequest({
        host: '127.0.0.1',
        port: small.port,
        method: 'POST',
        path: `/upload?id=${cutId}&name=cut.png`,
        headers: { ...headers, 'content-length': MB },
      });
      cut.on('error', () => {});
      cut.write(Buffer.alloc(MB / 2));
      for (let i = 0; i < 200 && (await readdir(cutFolder)).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      assert.match((await readdir(cutFolder))[0] ?? '', /^cut\.png\..*\.tmp$/, 'the partial file is being written');
      cut.destroy();
      for (let i = 0; i < 200 && (await readdir(cutFolder)).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      assert.deepEqual(await readdir(cutFolder), []);
      assert.ok(small.alive());
    } finally {
      await small.stop();
    }
  });
});
