import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { EndSignal } from '../host/shutdown';
import { holdQuitUntilDisposed, type QuitApp } from './quit';

/** A stand-in for Electron's app: quit() emits 'before-quit' and quits unless a listener prevents it. */
class FakeApp extends EventEmitter implements QuitApp {
  quitted = false;
  exitCode: number | null = null;
  quit(): void {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.quitted = true;
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('quitting (menu, last window closed) waits for the host to dispose, then quits once', async () => {
  const app = new FakeApp();
  const disposing = deferred();
  let disposeCalls = 0;
  holdQuitUntilDisposed(app, () => {
    disposeCalls++;
    return disposing.promise;
  });
  app.quit();
  assert.equal(app.quitted, false, 'the quit is held while the trainer checkpoints');
  app.quit();
  assert.equal(disposeCalls, 1);
  disposing.resolve();
  await disposing.promise;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(app.quitted, true);
  assert.equal(disposeCalls, 1);
});

test('a failing dispose still lets the app quit', async () => {
  const app = new FakeApp();
  holdQuitUntilDisposed(app, async () => {
    throw new Error('disk full');
  });
  app.quit();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(app.quitted, true);
});

test('SIGTERM to the main process quits through the same wait and exits with 143; a second signal exits at once', async () => {
  const app = new FakeApp();
  const signals = new EventEmitter();
  const disposing = deferred();
  holdQuitUntilDisposed(app, () => disposing.promise, { on: (signal: EndSignal, listener) => signals.on(signal, listener) });
  signals.emit('SIGTERM', 'SIGTERM');
  assert.equal(app.quitted, false);
  assert.equal(app.exitCode, null);
  disposing.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(app.quitted, true);
  assert.equal(app.exitCode, 143);

  const stuck = new FakeApp();
  const stuckSignals = new EventEmitter();
  holdQuitUntilDisposed(stuck, () => new Promise(() => {}), { on: (signal: EndSignal, listener) => stuckSignals.on(signal, listener) });
  stuckSignals.emit('SIGINT', 'SIGINT');
  assert.equal(stuck.exitCode, null);
  stuckSignals.emit('SIGINT', 'SIGINT');
  assert.equal(stuck.exitCode, 130);
});
