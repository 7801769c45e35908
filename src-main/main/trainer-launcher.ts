import type { UtilityProcess } from 'electron';
import type { TrainerLauncher } from '../host/trainer-client';
import type { TrainerMessage } from '../shared/contract';

type Fork = (modulePath: string, args?: string[], options?: Electron.ForkOptions) => UtilityProcess;

/** Starts the trainer as an Electron utilityProcess: its own OS process, so a crash spares the UI. */
export function utilityProcessLauncher(fork: Fork, entry: string, env: NodeJS.ProcessEnv = process.env): TrainerLauncher {
  return () => {
    const child = fork(entry, [], { serviceName: 'GAN Studio trainer', stdio: 'inherit', env });
    return {
      get pid() {
        return child.pid;
      },
      postMessage: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', (message: unknown) => listener(message as TrainerMessage)),
      onExit: (listener) => child.on('exit', (code: number) => listener(code, null)),
      kill: (force) => {
        // utilityProcess.kill() sends SIGTERM on POSIX; a trainer that outlived its grace is killed outright.
        if (force && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
        else child.kill();
      },
    };
  };
}
