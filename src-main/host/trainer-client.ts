import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  BackendReport,
  TrainerApi,
  TrainerEvent,
  TrainerEvents,
  TrainerMessage,
  TrainerMethod,
  TrainerRequestMessage,
} from '../shared/contract';

/** A started trainer process, whatever started it (Node's fork or Electron's utilityProcess). */
export interface TrainerProcess {
  readonly pid: number | undefined;
  postMessage(message: TrainerRequestMessage): void;
  onMessage(listener: (message: TrainerMessage) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Asks the process to end (SIGTERM: a trainer saves its checkpoint first); `force` ends it at once (SIGKILL). */
  kill(force?: boolean): void;
}

export type TrainerLauncher = () => TrainerProcess;

/** The trainer's entry: the built bundle when it exists beside this file, else the TypeScript source. */
export function defaultTrainerEntry(): string {
  const source = fileURLToPath(new URL('../trainer/index.ts', import.meta.url));
  return existsSync(source) ? source : fileURLToPath(new URL('./trainer.js', import.meta.url));
}

/**
 * Starts the trainer as a Node child process; TypeScript entries run through tsx. `stdoutToStderr`: the
 * trainer's stdout (tfjs's greeting) goes to this process's stderr, so a command's stdout holds only results.
 */
export function nodeTrainerLauncher(entry = defaultTrainerEntry(), env: NodeJS.ProcessEnv = process.env, options: { stdoutToStderr?: boolean } = {}): TrainerLauncher {
  return () => {
    const child = fork(entry, [], {
      // tsx by its resolved URL: a bare 'tsx' would be looked up from the working folder, which
      // need not be the app's (`npx gan-studio serve` run from anywhere).
      execArgv: entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [],
      env,
      stdio: ['ignore', options.stdoutToStderr ? 2 : 'inherit', 'inherit', 'ipc'],
    });
    return {
      pid: child.pid,
      postMessage: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as TrainerMessage)),
      onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal)),
      kill: (force) => {
        child.kill(force ? 'SIGKILL' : 'SIGTERM');
      },
    };
  };
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class TrainerExitedError extends Error {}

/** How long the host waits, when it ends, for the trainer to checkpoint its run and exit (DESIGN.md). */
export const STOP_GRACE_MS = 10_000;

/**
 * The host's side of the trainer: starts it on the first request (and again after it exits),
 * matches replies to requests, forwards events, and rejects what is pending when it dies.
 */
export class TrainerClient {
  private process: TrainerProcess | null = null;
  private readyPromise: Promise<BackendReport> | null = null;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private eventListeners = new Set<(event: TrainerEvent, payload: unknown) => void>();
  private exitListeners = new Set<(info: { code: number | null; signal: string | null; reason: string }) => void>();
  private stopping = false;

  constructor(private launch: TrainerLauncher) {}

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get running(): boolean {
    return this.process !== null;
  }

  /** Starts the trainer if needed and resolves with its backend report. */
  ready(): Promise<BackendReport> {
    if (this.readyPromise) return this.readyPromise;
    this.stopping = false;
    const child = this.launch();
    this.process = child;
    this.readyPromise = new Promise<BackendReport>((resolve, reject) => {
      child.onMessage((message) => {
        if (message.kind === 'ready') resolve(message.report);
        else if (message.kind === 'reply') this.settle(message);
        else if (message.kind === 'event') for (const listener of this.eventListeners) listener(message.event, message.payload);
      });
      child.onExit((code, signal) => {
        if (this.process !== child) return;
        const reason = this.stopping
          ? 'stopped'
          : signal
            ? `the trainer process was killed (${signal})`
            : `the trainer process exited with code ${code}`;
        this.process = null;
        this.readyPromise = null;
        const error = new TrainerExitedError(reason);
        reject(error);
        for (const pending of this.pending.values()) pending.reject(error);
        this.pending.clear();
        for (const listener of this.exitListeners) listener({ code, signal, reason });
      });
    });
    // A failed start is reported to whoever awaits it; keep Node from flagging it as unhandled.
    this.readyPromise.catch(() => {});
    return this.readyPromise;
  }

  async request<M extends TrainerMethod>(method: M, params: TrainerApi[M]['params']): Promise<TrainerApi[M]['result']> {
    await this.ready();
    const child = this.process;
    if (!child) throw new TrainerExitedError('the trainer process is not running');
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.postMessage({ kind: 'request', id, method, params });
    });
  }

  onEvent<E extends TrainerEvent>(event: E, listener: (payload: TrainerEvents[E]) => void): () => void {
    const wrapped = (name: TrainerEvent, payload: unknown) => {
      if (name === event) listener(payload as TrainerEvents[E]);
    };
    this.eventListeners.add(wrapped);
    return () => this.eventListeners.delete(wrapped);
  }

  onExit(listener: (info: { code: number | null; signal: string | null; reason: string }) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /**
   * Ends the trainer (app quit, window closed, a signal to the host, trainer.restart); the next
   * request starts a new one. A run in training is first stopped, which saves a checkpoint of its
   * current step; then the process is asked to exit (SIGTERM). Whatever is left when `graceMs`
   * (default 10 s) have passed is killed (SIGKILL): the newest checkpoint on disk stays intact.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.stopping = true;
    let gone = false;
    const exited = new Promise<void>((resolve) => child.onExit(() => resolve())).then(() => {
      gone = true;
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    try {
      const checkpointed = this.request('train.stop', undefined).catch(() => undefined);
      await Promise.race([checkpointed, exited, deadline]);
      if (!gone) child.kill();
      await Promise.race([exited, deadline]);
      if (!gone) child.kill(true);
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private settle(message: Extract<TrainerMessage, { kind: 'reply' }>): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new Error(message.error));
  }
}
