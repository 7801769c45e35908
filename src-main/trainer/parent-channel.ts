import type { TrainerMessage } from '../shared/contract';

/** The trainer's link to the host: Electron's parentPort in a utilityProcess, IPC in a Node child. */
export interface ParentChannel {
  /** Sends to the host; dropped once the host is gone (never throws). */
  send(message: TrainerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /**
   * Called once when the host can no longer be reached (it exited, crashed or was killed): a Node
   * child sees its IPC channel close. Electron ends a utility process whose main process died
   * itself, without telling it, so there the listener is never called.
   */
  onDisconnect(listener: () => void): void;
}

interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function connectToParent(): ParentChannel {
  const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (parentPort) {
    return {
      send: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
      onDisconnect: () => {},
    };
  }
  if (!process.send) {
    throw new Error('the trainer must be started by GAN Studio (as a utility or child process), not directly');
  }
  return {
    // process.send on a closed channel emits 'error' on process (fatal without a listener).
    send: (message) => {
      if (process.connected) process.send?.(message, undefined, undefined, () => {});
    },
    onMessage: (listener) => process.on('message', listener),
    onDisconnect: (listener) => {
      if (!process.connected) listener();
      else process.once('disconnect', listener);
    },
  };
}
