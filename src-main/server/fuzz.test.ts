/**
 * A bounded fuzz test of browser mode over loopback: a few thousand random and malformed
 * WebSocket messages, hand-made frames and raw HTTP requests. Afterwards the server must be up,
 * answer a well-formed request correctly, and the sandbox (HOME, the app data folder, the working
 * folder, TMPDIR and a folder "outside") must be unchanged except where a valid request changed
 * it. GAN_FUZZ_SEED replays the same messages (their interleaving on the server may differ);
 * GAN_FUZZ_SCALE scales the counts. The seed is printed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type WebSocket from 'ws';
import { appPaths } from '../disk/app-paths';
import { writeRunConfig } from '../disk/run-folder';
import { HOST_PARAMS } from '../shared/contract';
import { defaultRunConfig } from '../shared/schema';
import { Rng } from '../engine/rng';
import { call, diffSnapshots, frame, pageSocket, rawHttp, rawSocket, snapshot, spawnTestServer, type Reply, type TestServer } from './test-clients';

const SEED = Number(process.env.GAN_FUZZ_SEED ?? Date.now() % 1e9);
const SCALE = Number(process.env.GAN_FUZZ_SCALE ?? 1);
const WS_MESSAGES = Math.round(3000 * SCALE);
const FRAME_SESSIONS = Math.round(300 * SCALE);
const HTTP_REQUESTS = Math.round(400 * SCALE);
const RUN_IDS = ['20240101-000000-aaaa', '20240102-000000-bbbb', '20240103-000000-cccc'];

const rng = new Rng(SEED);
const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)];

let root: string;
let dirs: { home: string; data: string; renderer: string; cwd: string; outside: string; tmp: string };
let server: TestServer;
let gitStatusBefore = '';

/** `promise`, or undefined once `ms` have passed (a bound on waiting for a peer that may stay silent). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-fuzz-'));
  dirs = {
    home: join(root, 'home'),
    data: join(root, 'data'),
    renderer: join(root, 'renderer'),
    cwd: join(root, 'cwd'),
    outside: join(root, 'outside'),
    tmp: join(root, 'tmp'),
  };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  await writeFile(join(dirs.renderer, 'index.html'), '<!doctype html><title>GAN Studio</title>');
  await writeFile(join(dirs.outside, 'victim.txt'), 'must survive');
  await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toFile(join(dirs.outside, 'face.png'));
  await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 20, g: 140, b: 90 } } }).png().toFile(join(dirs.outside, 'leaf.png'));
  const paths = appPaths(dirs.data);
  for (const runId of RUN_IDS) {
    await writeRunConfig(join(paths.runs, runId), defaultRunConfig({ data: { folders: [dirs.outside], settings: { size: 64, mode: 'crop', background: '#ffffff' } } }));
  }
  await mkdir(join(paths.uploads, 'earlier'), { recursive: true });
  await writeFile(join(paths.uploads, 'earlier', 'a.png'), 'an earlier upload');
  await mkdir(paths.cache, { recursive: true });
  await writeFile(join(paths.cache, 'keep.bin'), 'cache');
  await mkdir(join(dirs.data, 'generated', RUN_IDS[0], '1'), { recursive: true });
  await writeFile(join(dirs.data, 'generated', RUN_IDS[0], '1', 'image-0001.png'), 'generated');
  gitStatusBefore = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' });
  server = await spawnTestServer(
    // TSX_DISABLE_CACHE: the TypeScript loader of the test server would otherwise fill TMPDIR.
    { GAN_STUDIO_HOME: dirs.data, HOME: dirs.home, TMPDIR: dirs.tmp, TSX_DISABLE_CACHE: '1', GAN_TEST_RENDERER: dirs.renderer, GAN_TEST_UPLOAD_FILE_BYTES: '65536', GAN_TEST_UPLOAD_TOTAL_BYTES: '262144' },
    dirs.cwd,
  );
});

after(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

/** Strings a hostile client puts where an id, a name or a path belongs. */
function hostileStrings(): string[] {
  return [
    '', '.', '..', '...', '/', '\\', '../..', '../../..', '../data', '../outside/victim.txt', '..\\..\\outside',
    'runs/..', `${RUN_IDS[0]}/..`, `${RUN_IDS[1]}/../..`, '%2e%2e', '..%2f..', '~', '~/..', '~/../outside',
    'x\u0000y', '\u0000', 'CON', 'nul', 'C:\\Windows', '\\\\server\\share', '/etc/passwd', '/etc', '/dev/zero', '/proc/self/environ',
    dirs.outside, join(dirs.outside, 'victim.txt'), join(dirs.outside, 'face.png'), dirs.data, join(dirs.data, 'runs'),
    join(dirs.data, 'runs', RUN_IDS[0]), join(dirs.data, 'uploads'), dirs.home, join(dirs.home, 'saved'), join(dirs.home, '..', 'outside'),
    join(dirs.data, 'generated', RUN_IDS[0], '1', 'image-0001.png'), 'a'.repeat(5000), '..'.repeat(3000), 'é🙂\u202e', '__proto__', 'constructor',
    ...RUN_IDS, 'nope-run',
  ];
}

/** Folders for datasets.import: the sandbox only (a real client may name "/", which only costs time). */
function importFolders(): unknown[] {
  return [dirs.outside, join(dirs.outside, 'nope'), '../outside', '.', 'missing', join(dirs.data, 'uploads', 'earlier'), '', 5, null, join(dirs.outside, 'face.png')];
}

function hostileValue(depth = 0): unknown {
  switch (rng.int(depth > 2 ? 9 : 12)) {
    case 0: return null;
    case 1: return pick([true, false]);
    case 2: return pick([0, -1, 1, -0, 1.5, 2 ** 53 + 1, -(2 ** 53) - 1, 1e308, -1e308, 4294967296, 65536, 100000]);
    case 3: return pick([1, 2, 8, 16, 256, 1e9, 2 ** 31, -5]);
    case 4:
    case 5:
    case 6: return pick(hostileStrings());
    case 7: return rng.int(1e6);
    case 8: return pick([{}, [], '', 'x']);
    case 9: return Array.from({ length: rng.int(4) }, () => hostileValue(depth + 1));
    case 10: return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [pick(['runId', 'n', 'folder', 'paths', 'name', 'settings', 'size', 'x']), hostileValue(depth + 1)]));
    default: return { nested: hostileValue(depth + 1) };
  }
}

/** Parameters shaped like the method's (each field hostile), or a hostile value instead. */
function hostileParams(method: string): unknown {
  if (rng.next() < 0.15) return hostileValue();
  const v = () => (rng.next() < 0.7 ? pick(hostileStrings()) : hostileValue());
  const settings = () =>
    rng.next() < 0.3
      ? { size: 32, mode: 'crop', background: '#ffffff' }
      : rng.next() < 0.5
        ? { size: pick([32, 64, 0, -1, 1e9, 'x', null]), mode: pick(['crop', 'pad', 'x', null]), background: pick(['#ffffff', 'red', 5]) }
        : hostileValue();
  switch (method) {
    case 'runs.get':
    case 'runs.delete':
      return { runId: v() };
    case 'train.start': {
      // Never a valid run (k 0 at least), so no training starts: a run folder written for it is a failure.
      const base = { ...defaultRunConfig({ data: { folders: [pick(importFolders()) as string], settings: settings() as never } }), k: 0 } as Record<string, unknown>;
      if (rng.next() < 0.5) base[pick(Object.keys(base))] = hostileValue();
      return { config: rng.next() < 0.2 ? hostileValue() : base };
    }
    case 'experiments.start': {
      // Never a valid base run (k 0 at least), so no experiment is written and nothing trains.
      const base = { ...defaultRunConfig({ data: { folders: [pick(importFolders()) as string], settings: settings() as never } }), k: 0 } as Record<string, unknown>;
      if (rng.next() < 0.5) base[pick(Object.keys(base))] = hostileValue();
      return { config: rng.next() < 0.2 ? hostileValue() : base, preset: pick(['k', 'loss', 'x', undefined, hostileValue()]), vary: hostileValue(), seeds: pick([1, 2, 0, 11, 'x']), images: pick([1, 100, 0, -1, 1e12]) };
    }
    case 'experiments.get':
    case 'experiments.cancel':
    case 'experiments.resume':
      return { id: v() };
    case 'train.resume':
      return { runId: v(), extraSteps: hostileValue() };
    case 'estimate.speed': {
      // Never valid (k 0 at least), so nothing is measured: a speed cache written for it is a failure.
      const { schemaVersion: _v, data: _d, ...options } = { ...defaultRunConfig(), k: 0 } as Record<string, unknown>;
      if (rng.next() < 0.5) options[pick(Object.keys(options).filter((key) => key !== 'k'))] = hostileValue();
      return { options: rng.next() < 0.2 ? hostileValue() : options, cachedOnly: hostileValue() };
    }
    case 'generate.images':
      return { runId: v(), n: pick([1, 0, -1, 1e9, 2 ** 53, 'x', null, 1.5]), seed: hostileValue(), rankByD: hostileValue() };
    case 'generate.interpolation':
      return { runId: v(), frames: pick([2, 0, -1, 1e9, 'x', null]), seed: hostileValue() };
    case 'generate.save':
      return { paths: rng.next() < 0.6 ? Array.from({ length: rng.int(3) + 1 }, v) : hostileValue(), folder: v() };
    case 'generate.exportModel':
      return { runId: v(), folder: v(), overwrite: hostileValue() };
    case 'datasets.import':
      return { folders: rng.next() < 0.7 ? Array.from({ length: rng.int(2) + 1 }, () => pick(importFolders())) : hostileValue(), settings: settings() };
    case 'datasets.upload':
      return { name: v() };
    case 'dialog.chooseFolder':
      return { title: v() };
    default:
      return rng.next() < 0.5 ? undefined : hostileValue();
  }
}

/**
 * Methods fuzzed: every method of the contract, so a new one is fuzzed the day it is added, except these two
 * (slow, and they change nothing a client names): trainer.restart restarts the trainer process, and
 * datasets.demo draws the demo set.
 */
const NOT_FUZZED = new Set(['trainer.restart', 'datasets.demo']);
const METHODS = Object.keys(HOST_PARAMS).filter((method) => !NOT_FUZZED.has(method));

/** The id the reply to `text` must carry: the request's when it is an integer, else null. */
function expectedId(text: string): number | null {
  try {
    const id = (JSON.parse(text) as { id?: unknown } | null)?.id;
    return typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
  } catch {
    return null;
  }
}

/** One WebSocket text message: mostly requests with hostile fields, some not even JSON. */
function hostileMessage(id: number): { text: string; method?: string; params?: unknown } {
  const roll = rng.next();
  if (roll < 0.1) {
    return { text: pick(['null', '[]', '42', '"x"', '{}', 'true', '{"id":', '\u0000', '', '{"id":1e400,"method":"app.info"}', '{"id":1,"method":"__proto__"}',
      '{"id":1,"method":"constructor"}', '{"id":1,"method":"toString"}', '{"id":1,"method":"runs.get","params":{"__proto__":{"runId":".."}}}',
      `${'['.repeat(20000)}${']'.repeat(20000)}`, '{"id":-1,"method":"runs.delete","params":{"runId":".."}}']) };
  }
  if (roll < 0.15) return { text: JSON.stringify({ id: hostileValue(), method: hostileValue(), params: hostileValue() }) };
  if (roll < 0.18) {
    // Valid requests among the rest: their changes are the only ones the disk may show.
    const [method, params] = pick<[string, unknown]>([
      ['datasets.import', { folders: [dirs.outside], settings: { size: 32, mode: 'crop', background: '#ffffff' } }],
      ['generate.save', { paths: [join(dirs.data, 'generated', RUN_IDS[0], '1', 'image-0001.png')], folder: join(dirs.home, 'saved') }],
      ['datasets.upload', { name: 'valid' }],
      ['runs.delete', { runId: pick(RUN_IDS.slice(1)) }],
      ['runs.list', undefined],
    ]);
    return { text: JSON.stringify({ id, method, params }), method, params };
  }
  const method = rng.next() < 0.05 ? pick(hostileStrings()) : pick(METHODS);
  const params = hostileParams(method);
  return { text: JSON.stringify({ id, method, params }), method, params };
}

/**
 * A page socket whose replies are handed to waiters by id, first come first served (replies to
 * messages without a usable id carry null; several messages may share an id).
 */
async function fuzzSocket(): Promise<{ ws: WebSocket; wait(id: number | null): Promise<Reply | null> }> {
  const ws = await pageSocket(server);
  const waiters = new Map<number | null, Array<(reply: Reply | null) => void>>();
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data)) as Reply & { event?: string };
    if (reply.event !== undefined) return;
    waiters.get(reply.id)?.shift()?.(reply);
  });
  ws.once('close', () => {
    for (const list of waiters.values()) for (const waiter of list.splice(0)) waiter(null);
  });
  return {
    ws,
    wait: (id) =>
      new Promise((resolve) => {
        if (ws.readyState !== ws.OPEN) return resolve(null);
        const list = waiters.get(id) ?? [];
        waiters.set(id, list);
        list.push(resolve);
      }),
  };
}

test(`a bounded fuzz of browser mode leaves it up, answering, and the disk unchanged but for valid requests (seed ${SEED})`, async () => {
  process.stdout.write(`# fuzz seed ${SEED} (GAN_FUZZ_SEED=${SEED} replays it)\n`);
  const before = await snapshot(root);
  const uploadFolders = new Set<string>();
  const uploadIds: string[] = [];
  const deletedRuns = new Set<string>();
  let imports = 0;
  let generated = 0;
  let replies = 0;

  const lap = (() => {
    let last = Date.now();
    return (what: string) => {
      process.stdout.write(`# fuzz: ${what} in ${((Date.now() - last) / 1000).toFixed(1)} s\n`);
      last = Date.now();
    };
  })();
  // 1. WebSocket messages, in batches, each answered exactly once (a reply missing after a minute
  // counts as unanswered: the bound keeps a lost reply from hanging the test).
  const sockets = [await fuzzSocket(), await fuzzSocket(), await fuzzSocket()];
  const unanswered: string[] = [];
  let nextId = 1;
  for (let sent = 0; sent < WS_MESSAGES; ) {
    const batch: Array<Promise<void>> = [];
    for (let j = 0; j < 100 && sent < WS_MESSAGES; j++, sent++) {
      const index = rng.int(sockets.length);
      if (sockets[index].ws.readyState !== sockets[index].ws.OPEN) sockets[index] = await fuzzSocket();
      const socket = sockets[index];
      const message = hostileMessage(nextId++);
      const replied = socket.wait(expectedId(message.text));
      socket.ws.send(message.text);
      batch.push(
        within(replied, 60_000).then((reply) => {
          if (!reply) {
            unanswered.push(message.text.slice(0, 200));
            return;
          }
          replies++;
          if (reply.ok && message.method === 'datasets.upload') {
            const { uploadId, folder } = reply.result as { uploadId: string; folder: string };
            uploadIds.push(uploadId);
            uploadFolders.add(folder);
          }
          if (reply.ok && message.method === 'runs.delete') deletedRuns.add((message.params as { runId: string }).runId);
          if (reply.ok && message.method === 'datasets.import') imports++;
          if (reply.ok && (message.method === 'generate.images' || message.method === 'generate.interpolation')) generated++;
        }),
      );
    }
    await Promise.all(batch);
    assert.ok(server.alive(), `the server died after ${sent} messages: ${(await within(server.exited, 1000))?.stderr ?? ''}`);
  }
  assert.deepEqual(unanswered, [], 'messages without a reply');
  // Valid requests that change the disk, one at a time (in the batches they may find an import running).
  const imported = await call(sockets[0].ws, server, 'datasets.import', { folders: [dirs.outside], settings: { size: 32, mode: 'crop', background: '#ffffff' } });
  assert.equal(imported?.ok, true, imported?.error);
  imports++;
  for (const { ws } of sockets) ws.close();

  lap('WebSocket messages');

  // 2. Hand-made frames: protocol violations at the frame level.
  for (let i = 0; i < FRAME_SESSIONS; i++) {
    const { socket, status, closed } = await rawSocket(server);
    assert.equal(status, 101);
    const frames: Buffer[] = [];
    for (let k = rng.int(4) + 1; k > 0; k--) {
      const payload = pick([
        Buffer.from('{"id":1,"method":"app.info"}'),
        Buffer.from([0xff, 0xfe, 0xfd]),
        Buffer.from([0xc3]),
        Buffer.from([0x03, 0xe7]), // close code 999
        Buffer.from([0x03, 0xed]), // close code 1005 (never sent on the wire)
        Buffer.from([0x03, 0xe8, 0xff]), // close 1000, reason not UTF-8
        Buffer.from([0x01]),
        Buffer.alloc(200, 0x61),
        Buffer.alloc(0),
      ]);
      frames.push(
        frame(pick([0x0, 0x1, 0x2, 0x3, 0x7, 0x8, 0x9, 0xa, 0xb, 0xf]), payload, {
          fin: rng.next() < 0.7,
          rsv: rng.next() < 0.2 ? rng.int(8) : 0,
          mask: rng.next() < 0.9,
          declaredLength: rng.next() < 0.1 ? pick([2n ** 63n - 1n, 2n ** 32n, 5n * 1024n * 1024n, 126n]) : undefined,
        }),
      );
    }
    let bytes = Buffer.concat(frames);
    if (rng.next() < 0.2) bytes = bytes.subarray(0, rng.int(bytes.length + 1));
    socket.write(bytes);
    socket.end();
    await within(closed, 2000);
    socket.destroy();
  }
  assert.ok(server.alive(), 'the server died of malformed frames');
  lap('frame sessions');

  // 3. Raw HTTP: hostile paths, methods, headers and bodies, uploads among them.
  const host = `127.0.0.1:${server.port}`;
  for (let i = 0; i < HTTP_REQUESTS; i++) {
    const roll = rng.next();
    if (roll < 0.35) {
      const id = rng.next() < 0.6 && uploadIds.length ? pick(uploadIds) : pick(hostileStrings());
      const name = pick(hostileStrings());
      await rawHttp(server.port, {
        method: 'POST',
        path: `/upload?id=${encodeURIComponent(id.slice(0, 2000))}&name=${encodeURIComponent(name.slice(0, 2000))}`,
        headers: pick<Record<string, string | number>>([
          { host, origin: server.origin, cookie: server.cookie },
          { host, cookie: server.cookie },
          { host: 'evil.example', origin: server.origin, cookie: server.cookie },
          { host, origin: server.origin, cookie: server.cookie, 'content-length': pick([10, 1e12, 70000]) },
        ]),
        body: Buffer.alloc(pick([0, 10, 1000, 70000]), 0x42),
        giveUpMs: 2000,
      }).catch(() => null);
    } else if (roll < 0.7) {
      const target = pick(hostileStrings());
      const path = pick([
        `/image?path=${encodeURIComponent(target)}`,
        `/${encodeURIComponent(target)}`,
        `/${target.replace(/[\s\u0000-\u001f]/g, '')}`.slice(0, 4000),
        '/..%2f..%2foutside%2fvictim.txt',
        '/%E0%A4%A',
        '/?token=%',
        '//evil.example/',
        '/__gan-studio/ping',
        '/upload',
      ]);
      await rawHttp(server.port, {
        method: pick(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']),
        path: path.startsWith('/') ? path : `/${path}`,
        headers: pick<Record<string, string>>([{ host, cookie: server.cookie }, { host }, { host: 'localhost.evil:1' }, { host, cookie: 'gan_studio_token_1=%' }]),
        giveUpMs: 2000,
      }).catch(() => null);
    } else {
      // Not HTTP at all, or HTTP cut short or contradicting itself.
      const garbage = pick([
        Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'),
        Buffer.from(`POST /upload HTTP/1.1\r\nHost: ${host}\r\nContent-Length: -1\r\n\r\n`),
        Buffer.from(`POST /upload HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nzz\r\n`),
        Buffer.from(`GET /ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`),
        Buffer.from(`GET /ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\nOrigin: ${server.origin}\r\nCookie: ${server.cookie}\r\n\r\n`),
        Buffer.from(`GET /${'a'.repeat(70000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
        Buffer.from(`GET / HTTP/1.1\r\n${'X-A: b\r\n'.repeat(3000)}\r\n`),
        Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]),
        Buffer.from(Array.from({ length: 64 }, () => rng.int(256))),
      ]);
      const socket = connect(server.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.resume(); // read (and drop) the reply, or the socket never sees the server's end
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.end(garbage);
      await within(closed, 2000);
      socket.destroy();
    }
  }
  assert.ok(server.alive(), `the server died of raw HTTP: ${(await within(server.exited, 1000))?.stderr ?? ''}`);
  lap('HTTP requests');

  // 4. Still up, and a well-formed request gets the right answer.
  const ws = await pageSocket(server);
  try {
    const info = await call(ws, server, 'app.info');
    assert.deepEqual(info?.result, { version: '0.0.0-test', mode: 'browser', dataDir: dirs.data, platform: process.platform });
    const listed = await call(ws, server, 'runs.list');
    assert.deepEqual(
      (listed?.result as Array<{ id: string }>).map((run) => run.id).sort(),
      RUN_IDS.filter((id) => !deletedRuns.has(id)),
    );
  } finally {
    ws.close();
  }

  // 5. The disk: only HOME, the upload folders opened here, the cache (after a valid import) and the
  // runs deleted by valid requests may differ.
  const { added, removed, changed } = diffSnapshots(before, await snapshot(root));
  const rel = (path: string) => path.slice(root.length + 1);
  const allowed = (path: string) =>
    path === 'home' ||
    path.startsWith('home/') ||
    [...uploadFolders].some((folder) => path === rel(folder) || path.startsWith(`${rel(folder)}/`)) ||
    (imports > 0 && path.startsWith('data/cache/')) ||
    (generated > 0 && path.startsWith('data/generated/'));
  assert.deepEqual(added.filter((path) => !allowed(path)), [], 'created where no valid request writes');
  assert.deepEqual(changed.filter((path) => !allowed(path)), [], 'changed where no valid request writes');
  assert.deepEqual(
    removed.filter((path) => ![...deletedRuns].some((id) => path === `data/runs/${id}` || path.startsWith(`data/runs/${id}/`))),
    [],
    'removed where no valid request removes',
  );
  assert.equal(execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }), gitStatusBefore, 'the working tree of the repository changed');
  process.stdout.write(
    `# fuzz: ${WS_MESSAGES} messages (${replies} answered), ${FRAME_SESSIONS} frame sessions, ${HTTP_REQUESTS} HTTP requests; ` +
      `valid: ${uploadFolders.size} uploads opened, ${deletedRuns.size} runs deleted, ${imports} imports; ${added.length} paths added\n`,
  );
});
