import { HOST_EVENTS, IPC_INVOKE_CHANNEL, IPC_UPLOAD_CHANNEL, type HostEvent } from '../shared/contract';
import { dispatch, type Host } from '../host/dispatch';

/** The parts of Electron's ipcMain the bridge uses, so tests can inject them. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcInvokeEventLike {
  senderFrame: { url: string } | null;
}

export interface IpcBridgeOptions {
  ipcMain: IpcMainLike;
  host: Host;
  /** Only our own renderer may call the host. */
  isTrustedSender(frameUrl: string): boolean;
  sendEvent(event: HostEvent, payload: unknown): void;
}

/** Maps the contract onto Electron IPC: one invoke channel for requests, one for events. */
export function registerIpcBridge(options: IpcBridgeOptions): () => void {
  options.ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, method, params) => {
    const url = event.senderFrame?.url;
    if (!url || !options.isTrustedSender(url)) throw new Error('refused: request from an untrusted frame');
    if (typeof method !== 'string') throw new Error('refused: malformed request');
    return dispatch(options.host, method, params);
  });
  // A dropped file's bytes, into an upload folder datasets.upload opened (browser mode: POST /upload).
  options.ipcMain.handle(IPC_UPLOAD_CHANNEL, async (event, uploadId, name, bytes) => {
    const url = event.senderFrame?.url;
    if (!url || !options.isTrustedSender(url)) throw new Error('refused: request from an untrusted frame');
    if (!(bytes instanceof Uint8Array)) throw new Error('refused: malformed upload');
    await options.host.receiveUpload(uploadId, name, (async function* () { yield bytes; })(), bytes.byteLength);
  });
  const unsubscribe = HOST_EVENTS.map((event) => options.host.on(event, (payload) => options.sendEvent(event, payload)));
  return () => {
    options.ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
    options.ipcMain.removeHandler(IPC_UPLOAD_CHANNEL);
    for (const stop of unsubscribe) stop();
  };
}

/**
 * The renderer is trusted when it comes from our app scheme's host (app://gan-studio/…, which
 * serves only the built renderer: main/app-protocol.ts), or from the dev server in development.
 * file:// pages are never trusted. `appUrl` is any URL of the app's host (APP_INDEX_URL).
 */
export function rendererUrlMatcher(appUrl: string, devServerUrl?: string): (url: string) => boolean {
  const app = new URL(appUrl);
  const dev = devServerUrl ? new URL(devServerUrl) : null;
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    // A custom scheme's URL.origin is "null" in Node: compare the scheme and the host themselves.
    if (parsed.protocol !== 'file:' && parsed.protocol === app.protocol && parsed.host === app.host) return true;
    return !!dev && parsed.origin === dev.origin;
  };
}
