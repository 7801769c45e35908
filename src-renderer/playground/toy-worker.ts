/**
 * The playground's Web Worker: the toy GAN trains here, off the page's thread, so the page stays
 * responsive while it plays (issue 14). Started by playground.svelte.ts as a module worker; tfjs runs
 * on its wasm backend here (tf-browser.ts), and the messages are those of protocol.ts.
 */
import type { ToMain, ToWorker } from './protocol';
import { useBrowserBackend } from './tf-browser';
import { ToySession } from './toy-session';

// The DOM typings describe `self` as a Window; in a worker it is a DedicatedWorkerGlobalScope, whose
// postMessage takes (message, transfer) as below.
const scope = self as unknown as {
  postMessage(message: ToMain, transfer: ArrayBufferLike[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const post = (message: ToMain, transfer: ArrayBufferLike[] = []) => scope.postMessage(message, transfer);
const session = new ToySession(post);
const pending: ToWorker[] = [];
let started = false;

// Messages that arrive while the backend starts wait for it, in order.
scope.onmessage = (event) => {
  if (started) session.handle(event.data);
  else pending.push(event.data);
};

void useBrowserBackend().then((backend) => {
  const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function' && typeof (globalThis as { document?: unknown }).document === 'undefined';
  post({ type: 'ready', backend, inWorker });
  started = true;
  for (const message of pending.splice(0)) session.handle(message);
});
