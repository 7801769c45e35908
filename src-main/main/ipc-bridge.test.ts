import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Host } from '../host/dispatch';
import { IPC_INVOKE_CHANNEL, IPC_UPLOAD_CHANNEL, type HostEvent } from '../shared/contract';
import { registerIpcBridge, rendererUrlMatcher, type IpcInvokeEventLike } from './ipc-bridge';
import { guardNavigation, secureWindowOptions } from './window';
import { createImageProtocolHandler, imagePathFromUrl } from './image-protocol';
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

const appUrl = 'file:///opt/gan-studio/out/renderer/index.html';

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

test('windows are isolated and sandboxed; navigation away and new windows are blocked', () => {
  const options = secureWindowOptions('/app/preload.cjs');
  assert.equal(options.webPreferences?.contextIsolation, true);
  assert.equal(options.webPreferences?.sandbox, true);
  assert.equal(options.webPreferences?.nodeIntegration, false);
  const handlers = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  guardNavigation(
    { on: (event, listener) => handlers.set(event, listener), setWindowOpenHandler: (handler) => (openHandler = handler) },
    rendererUrlMatcher(appUrl),
  );
  let prevented = 0;
  handlers.get('will-navigate')!({ preventDefault: () => prevented++ }, 'https://example.com');
  handlers.get('will-navigate')!({ preventDefault: () => prevented++ }, appUrl);
  assert.equal(prevented, 1);
  assert.deepEqual(openHandler!({ url: 'https://example.com' }), { action: 'deny' });
});

test('the image protocol serves only what the host allows', async () => {
  const host = fakeHost();
  const fetched: string[] = [];
  const handler = createImageProtocolHandler(host, async (url) => {
    fetched.push(url);
    return new Response('png');
  });
  const bridge = createPreloadBridge({ invoke: async () => null, on: () => {}, removeListener: () => {} }, { getPathForFile: () => '' });
  const ok = await handler(new Request(bridge.imageUrl('/data/ok.png')));
  assert.equal(ok.status, 200);
  assert.deepEqual(fetched, ['file:///data/ok.png']);
  const denied = await handler(new Request(bridge.imageUrl('/etc/passwd.png')));
  assert.equal(denied.status, 403);
  assert.equal(imagePathFromUrl('gan-image://elsewhere/%2Fdata%2Fok.png'), null);
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
