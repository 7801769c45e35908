import {
  IMAGE_SCHEME,
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_CHANNEL,
  type DroppedFile,
  IPC_UPLOAD_CHANNEL,
  UPLOAD_LIMITS,
  type GanStudioBridge,
  type HostEvent,
} from '../shared/contract';

/** The parts of ipcRenderer and webUtils the bridge uses, so tests can inject them. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
}

export interface WebUtilsLike {
  getPathForFile(file: DroppedFile): string;
}

/** Exactly the contract, nothing of ipcRenderer itself leaks to the page. */
export function createPreloadBridge(ipcRenderer: IpcRendererLike, webUtils: WebUtilsLike): GanStudioBridge {
  return {
    invoke: (method, params) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, params) as never,
    on: (event, listener) => {
      const wrapped = (_event: unknown, name: unknown, payload: unknown) => {
        if (name === (event as HostEvent)) listener(payload as never);
      };
      ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped as (event: unknown, ...args: unknown[]) => void);
      return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped as (event: unknown, ...args: unknown[]) => void);
    },
    imageUrl: (path) => `${IMAGE_SCHEME}://local/${encodeURIComponent(path)}`,
    pathForFile: (file) => webUtils.getPathForFile(file),
    uploadFile: async (uploadId, name, file) => {
      // The host refuses it too; checked here so an oversized file is never read into memory.
      if (file.size > UPLOAD_LIMITS.fileBytes) throw new Error(`${name} is over the upload limit per file`);
      await ipcRenderer.invoke(IPC_UPLOAD_CHANNEL, uploadId, name, new Uint8Array(await file.arrayBuffer()));
    },
  };
}
