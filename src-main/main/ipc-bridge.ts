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

/** The renderer is trusted when it is our built index.html (or the dev server in development). */
export function rendererUrlMatcher(rendererIndexUrl: string, devServerUrl?: string): (url: string) => boolean {
  const index = new URL(rendererIndexUrl);
  const dev = devServerUrl ? new URL(devServerUrl) : null;
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.protocol === index.protocol && parsed.pathname === index.pathname && parsed.host === index.host) return true;
    return !!dev && parsed.origin === dev.origin;
  };
}
