import type { TrainerMessage } from '../shared/contract';

/** The trainer's link to the host: Electron's parentPort in a utilityProcess, IPC in a Node child. */
export interface ParentChannel {
  send(message: TrainerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
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
    };
  }
  if (!process.send) {
    throw new Error('the trainer must be started by GAN Studio (as a utility or child process), not directly');
  }
  return {
    send: (message) => process.send?.(message),
    onMessage: (listener) => process.on('message', listener),
  };
}
