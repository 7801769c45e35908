import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Host } from '../host/dispatch';
import { IPC_INVOKE_CHANNEL, IPC_UPLOAD_CHANNEL, type HostEvent } from '../shared/contract';
import { registerIpcBridge, rendererUrlMatcher, type IpcInvokeEventLike } from './ipc-bridge';
import { denyAllPermissions, guardNavigation, secureWindowOptions } from './window';
import { createImageProtocolHandler, imagePathFromUrl } from './image-protocol';
import { createAppProtocolHandler, PRIVILEGED_SCHEMES } from './app-protocol';
import { APP_INDEX_URL, CONTENT_SECURITY_POLICY } from '../shared/security';
import { createPreloadBridge } from '../preload/bridge';

/** A stand-in for Electron's ipcMain: records handlers so the test can call them as Electron would. */
class FakeIpcMain {
  handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown) {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
}

function fakeHost(): Host & { fire(event: HostEvent, payload: unknown): void; uploads: Array<[unknown, unknown, string]> } {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const uploads: Array<[unknown, unknown, string]> = [];
  return {
    uploads,
    handlers: { 'app.info': async () => ({ version: '1', mode: 'electron', dataDir: '/d', platform: 'linux' }) } as unknown as Host['handlers'],
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    isImageAllowed: async (path) => path === '/data/ok.png',
    receiveUpload: async (uploadId, name, body) => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of body) chunks.push(chunk);
      uploads.push([uploadId, name, Buffer.concat(chunks).toString()]);
      return { name: String(name), bytes: chunks.reduce((sum, c) => sum + c.byteLength, 0) };
    },
    dispose: async () => {},
    fire(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
  };
}

const appUrl = APP_INDEX_URL;

test('IPC requests from our renderer reach the host; other frames are refused', async () => {
  const ipcMain = new FakeIpcMain();
  const host = fakeHost();
  registerIpcBridge({ ipcMain, host, isTrustedSender: rendererUrlMatcher(appUrl), sendEvent: () => {} });
  const invoke = ipcMain.handlers.get(IPC_INVOKE_CHANNEL)!;
  assert.deepEqual(await invoke({ senderFrame: { url: `${appUrl}#/runs` } }, 'app.info', undefined), {
    version: '1',
    mode: 'electron',
    dataDir: '/d',
    platform: 'linux',
  });
  await assert.rejects(async () => invoke({ senderFrame: { url: 'https://evil.example/' } }, 'app.info'), /untrusted frame/);
  await assert.rejects(async () => invoke({ senderFrame: { url: 'file:///tmp/other.html' } }, 'app.info'), /untrusted frame/);
  // The built renderer as a file is not the app any more: only app://gan-studio is.
  await assert.rejects(async () => invoke({ senderFrame: { url: 'file:///opt/gan-studio/out/renderer/index.html' } }, 'app.info'), /untrusted frame/);
  await assert.rejects(async () => invoke({ senderFrame: { url: 'app://elsewhere/index.html' } }, 'app.info'), /untrusted frame/);
  await assert.rejects(async () => invoke({ senderFrame: null }, 'app.info'), /untrusted frame/);
  await assert.rejects(async () => invoke({ senderFrame: { url: appUrl } }, 'constructor'), /unknown request/);
});

test('host events are forwarded to the window, and unregistering stops them', () => {
  const ipcMain = new FakeIpcMain();
  const host = fakeHost();
  const sent: Array<[string, unknown]> = [];
  const unregister = registerIpcBridge({ ipcMain, host, isTrustedSender: () => true, sendEvent: (event, payload) => sent.push([event, payload]) });
  host.fire('train.status', { state: 'running' });
  unregister();
  host.fire('train.status', { state: 'paused' });
  assert.deepEqual(sent, [['train.status', { state: 'running' }]]);
  assert.equal(ipcMain.handlers.size, 0);
});

test('windows are isolated and sandboxed; navigation away, in any frame, and new windows are blocked', () => {
  const options = secureWindowOptions('/app/preload.cjs');
  assert.equal(options.webPreferences?.contextIsolation, true);
  assert.equal(options.webPreferences?.sandbox, true);
  assert.equal(options.webPreferences?.nodeIntegration, false);
  const handlers = new Map<string, (...args: never[]) => void>();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  guardNavigation(
    {
      on: (event: string, listener: (...args: never[]) => void) => handlers.set(event, listener),
      setWindowOpenHandler: (handler) => (openHandler = handler),
    },
    rendererUrlMatcher(appUrl),
  );
  let prevented = 0;
  const event = { preventDefault: () => prevented++ };
  const navigate = handlers.get('will-navigate') as (event: { preventDefault(): void }, url: string) => void;
  navigate(event, 'https://example.com');
  navigate(event, `${appUrl}#/runs`);
  assert.equal(prevented, 1);
  const frameNavigate = handlers.get('will-frame-navigate') as ((details: { url: string; preventDefault(): void }) => void) | undefined;
  assert.ok(frameNavigate, 'will-frame-navigate is guarded (subframes too)');
  frameNavigate({ ...event, url: 'https://evil.example/frame' });
  frameNavigate({ ...event, url: 'file:///etc/passwd' });
  frameNavigate({ ...event, url: `${appUrl}#/generate` });
  assert.equal(prevented, 3);
  assert.deepEqual(openHandler!({ url: 'https://example.com' }), { action: 'deny' });
});

test('every permission request is refused and every permission check says no', () => {
  let request = null as ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null;
  let check = null as ((contents: unknown, permission: string) => boolean) | null;
  denyAllPermissions({ setPermissionRequestHandler: (handler) => (request = handler), setPermissionCheckHandler: (handler) => (check = handler) });
  assert.ok(check, 'a permission check handler is set');
  for (const permission of ['media', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'hid', 'fullscreen']) {
    assert.equal(check!({}, permission), false, permission);
    let granted: boolean | null = null;
    request!({}, permission, (answer) => (granted = answer));
    assert.equal(granted, false, permission);
  }
});

test('the renderer is served from app://gan-studio with the CSP as a response header, and only from its folder', async () => {
  const root = await mkdtemp(join(tmpdir(), 'gan-app-protocol-'));
  try {
    const renderer = join(root, 'renderer');
    await mkdir(join(renderer, 'assets'), { recursive: true });
    await writeFile(join(renderer, 'index.html'), '<!doctype html><title>GAN Studio</title>');
    await writeFile(join(renderer, 'assets', 'app.js'), 'export {};');
    await writeFile(join(root, 'secret.txt'), 'not for the page');
    // Stands in for Electron's net.fetch of file:// URLs (which also sets the content type).
    const fetchFile = async (url: string) => {
      const { readFile } = await import('node:fs/promises');
      const path = new URL(url);
      const type = path.pathname.endsWith('.js') ? 'text/javascript' : 'text/html';
      return new Response(await readFile(path), { headers: { 'content-type': type } });
    };
    const handle = createAppProtocolHandler(renderer, fetchFile);
    const index = await handle(new Request(APP_INDEX_URL));
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await index.text(), /GAN Studio/);
    assert.equal((await handle(new Request('app://gan-studio/'))).status, 200, '/ is index.html');
    const script = await handle(new Request('app://gan-studio/assets/app.js'));
    assert.equal(script.headers.get('content-type'), 'text/javascript');
    assert.equal(script.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal((await handle(new Request('app://gan-studio/..%2Fsecret.txt'))).status, 403);
    assert.equal((await handle(new Request('app://gan-studio/%2E%2E/secret.txt'))).status, 404, 'dot segments are resolved inside the app: no such file there');
    assert.equal((await handle(new Request('app://gan-studio/missing.js'))).status, 404);
    assert.equal((await handle(new Request('app://other-host/index.html'))).status, 404);
    assert.equal((await handle(new Request(APP_INDEX_URL, { method: 'POST', body: 'x' }))).status, 405);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const app = PRIVILEGED_SCHEMES.find((scheme) => scheme.scheme === 'app')!;
  assert.deepEqual(
    { standard: app.privileges.standard, secure: app.privileges.secure, bypassCSP: app.privileges.bypassCSP, allowServiceWorkers: app.privileges.allowServiceWorkers },
    { standard: true, secure: true, bypassCSP: undefined, allowServiceWorkers: undefined },
  );
  for (const scheme of PRIVILEGED_SCHEMES) assert.ok(!scheme.privileges.bypassCSP, `${scheme.scheme} must not bypass the CSP`);
});

test('the image protocol serves absolute paths to images the host allows, from the file it opened', async () => {
  const root = await mkdtemp(join(tmpdir(), 'gan-image-protocol-'));
  try {
    const allowed = join(root, 'data');
    await mkdir(allowed);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest of a png')]);
    const otherPng = Buffer.concat([png, Buffer.from(' (another)')]);
    await writeFile(join(allowed, 'ok.png'), png);
    await writeFile(join(allowed, 'other.png'), otherPng);
    await writeFile(join(allowed, 'text.png'), 'just text named .png');
    await writeFile(join(root, 'secret.png'), Buffer.concat([png, Buffer.from(' SECRET')]));
    await symlink(join(root, 'secret.png'), join(allowed, 'link-out.png'));
    await mkdir(join(allowed, 'folder.png'));
    let onCheck: () => Promise<void> = async () => {};
    const host = {
      ...fakeHost(),
      isImageAllowed: async (path: string) => {
        await onCheck();
        return path.startsWith(`${allowed}/`) && path.endsWith('.png');
      },
    };
    const handler = createImageProtocolHandler(host);
    const bridge = createPreloadBridge({ invoke: async () => null, on: () => {}, removeListener: () => {} }, { getPathForFile: () => '' });
    const get = (path: string) => handler(new Request(bridge.imageUrl(path)));

    const ok = await get(join(allowed, 'ok.png'));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await ok.arrayBuffer()), png);
    assert.equal((await get(join(root, 'secret.png'))).status, 403, 'outside the allowed folders');
    assert.equal((await get(join(allowed, 'link-out.png'))).status, 403, 'a link out of the allowed folders');
    assert.equal((await get(join(allowed, 'text.png'))).status, 403, 'not an image by its bytes');
    assert.equal((await get(join(allowed, 'folder.png'))).status, 403, 'not a regular file');
    assert.equal((await get(join(allowed, 'missing.png'))).status, 404);
    assert.equal((await handler(new Request('gan-image://local/data%2Fok.png'))).status, 400, 'relative paths are refused');
    assert.equal(imagePathFromUrl('gan-image://elsewhere/%2Fdata%2Fok.png'), null);
    assert.equal(imagePathFromUrl('gan-image://local/relative%2Fok.png'), null);

    // A link swapped between the check and the read cannot pass another file off: what is
    // served is the file that was opened and checked.
    const swap = join(allowed, 'swap.png');
    await symlink(join(allowed, 'other.png'), swap);
    onCheck = async () => {
      onCheck = async () => {};
      await unlink(swap);
      await symlink(join(root, 'secret.png'), swap);
    };
    const swapped = await get(swap);
    const body = swapped.status === 200 ? Buffer.from(await swapped.arrayBuffer()) : null;
    assert.ok(!body?.includes('SECRET'), 'the secret behind the swapped link was served');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the preload exposes exactly the contract over the two channels', async () => {
  const calls: unknown[][] = [];
  const listeners = new Set<(event: unknown, ...args: unknown[]) => void>();
  const bridge = createPreloadBridge(
    {
      invoke: async (...args) => {
        calls.push(args);
        return 'reply';
      },
      on: (_channel, listener) => listeners.add(listener),
      removeListener: (_channel, listener) => listeners.delete(listener),
    },
    { getPathForFile: () => '/dropped/file.png' },
  );
  assert.deepEqual(Object.keys(bridge).sort(), ['imageUrl', 'invoke', 'on', 'pathForFile', 'uploadFile']);
  assert.equal(await bridge.invoke('app.info', undefined), 'reply');
  assert.deepEqual(calls, [[IPC_INVOKE_CHANNEL, 'app.info', undefined]]);
  const seen: unknown[] = [];
  const off = bridge.on('train.status', (payload) => seen.push(payload));
  for (const listener of listeners) listener({}, 'train.status', { state: 'running' });
  for (const listener of listeners) listener({}, 'train.sample', { step: 1 });
  off();
  assert.equal(listeners.size, 0);
  assert.deepEqual(seen, [{ state: 'running' }]);
  assert.equal(bridge.pathForFile!({} as File), '/dropped/file.png');
  await bridge.uploadFile('up-1', 'a.png', new Blob(['png']));
  assert.deepEqual(calls.at(-1), [IPC_UPLOAD_CHANNEL, 'up-1', 'a.png', new Uint8Array(Buffer.from('png'))]);
});

test('dropped files reach the host over the upload channel from our renderer only', async () => {
  const ipcMain = new FakeIpcMain();
  const host = fakeHost();
  registerIpcBridge({ ipcMain, host, isTrustedSender: rendererUrlMatcher(appUrl), sendEvent: () => {} });
  const upload = ipcMain.handlers.get(IPC_UPLOAD_CHANNEL)!;
  await upload({ senderFrame: { url: appUrl } }, 'up-1', 'a.png', new Uint8Array(Buffer.from('png bytes')));
  assert.deepEqual(host.uploads, [['up-1', 'a.png', 'png bytes']]);
  await assert.rejects(async () => upload({ senderFrame: { url: 'https://evil.example/' } }, 'up-1', 'b.png', new Uint8Array(1)), /untrusted frame/);
  await assert.rejects(async () => upload({ senderFrame: { url: appUrl } }, 'up-1', 'c.png', 'not bytes'), /malformed upload/);
  assert.equal(host.uploads.length, 1);
});
