import type { GanStudioBridge, HostEvent, HostEvents, WireMessage } from '../../src-main/shared/contract';

declare global {
  interface Window {
    ganStudio?: GanStudioBridge;
  }
}

/**
 * Browser mode: the same contract over a WebSocket to the local server. The access token travels
 * as the HttpOnly cookie the server set when the page was opened with ?token=.
 */
export function createWebSocketBridge(url: string): GanStudioBridge {
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const listeners = new Map<HostEvent, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;

  function connect(): Promise<WebSocket> {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onerror = () => reject(new Error('cannot reach the GAN Studio server'));
      ws.onclose = () => {
        socket = null;
        opened = null;
        for (const request of pending.values()) request.reject(new Error('the connection to the GAN Studio server was lost'));
        pending.clear();
        // Reconnect so events keep flowing after a server restart.
        setTimeout(() => void connect().catch(() => {}), 1000);
      };
      ws.onmessage = (message) => {
        let data: WireMessage;
        try {
          data = JSON.parse(String(message.data)) as WireMessage;
        } catch {
          return;
        }
        if ('event' in data) {
          for (const listener of listeners.get(data.event) ?? []) listener(data.payload);
          return;
        }
        if (data.id === null) return;
        const request = pending.get(data.id);
        if (!request) return;
        pending.delete(data.id);
        if (data.ok) request.resolve(data.result);
        else request.reject(new Error(data.error));
      };
    });
    return opened;
  }
  void connect().catch(() => {});

  return {
    async invoke(method, params) {
      const ws = socket ?? (await connect());
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    on<E extends HostEvent>(event: E, listener: (payload: HostEvents[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    imageUrl: (path) => `/image?path=${encodeURIComponent(path)}`,
    async uploadFile(uploadId: string, name: string, file: Blob) {
      // Streamed by the browser, token in the cookie, Origin checked by the server.
      const response = await fetch(`/upload?id=${encodeURIComponent(uploadId)}&name=${encodeURIComponent(name)}`, {
        method: 'POST',
        body: file,
        headers: { 'content-type': 'application/octet-stream' },
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error((await response.text().catch(() => '')).trim() || `the upload of ${name} failed (HTTP ${response.status})`);
    },
  };
}

/** The preload's bridge in Electron, the WebSocket one in a browser. */
export const bridge: GanStudioBridge =
  typeof window !== 'undefined' && window.ganStudio
    ? window.ganStudio
    : createWebSocketBridge(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
