/**
 * The trainer process: owns tfjs and the compute backend, runs training and generation, and
 * answers the host over the contract's TrainerApi. Started as an Electron utilityProcess or a Node
 * child process from this same file.
 */
import type { z } from 'zod';
import {
  TRAINER_PARAMS,
  type BackendPreference,
  type TrainerApi,
  type TrainerEvent,
  type TrainerEvents,
  type TrainerMethod,
  type TrainerRequestMessage,
} from '../shared/contract';
import { describeErrors, validateWith } from '../shared/schema';
import { chooseBackend } from './backend';
import { connectToParent } from './parent-channel';
import { createTrainerHandlers } from './handlers';
import { diskFullLine } from '../disk/disk-full';

const channel = connectToParent();

function emit<E extends TrainerEvent>(event: E, payload: TrainerEvents[E]): void {
  channel.send({ kind: 'event', event, payload });
}

function isRequest(message: unknown): message is TrainerRequestMessage {
  const m = message as Partial<TrainerRequestMessage> | null;
  return !!m && m.kind === 'request' && typeof m.id === 'number' && typeof m.method === 'string';
}

async function start(): Promise<void> {
  // GAN_STUDIO_JOBS: trainers of an experiment's pool (host/experiment-runner.ts) share the cores.
  const report = await chooseBackend((process.env.GAN_STUDIO_BACKEND as BackendPreference) || 'auto', { concurrentJobs: Number(process.env.GAN_STUDIO_JOBS) || 1 });
  const handlers = createTrainerHandlers({ report, emit });
  channel.onMessage(async (message) => {
    if (!isRequest(message)) return;
    const handler = handlers[message.method as TrainerMethod] as
      | ((params: unknown) => Promise<TrainerApi[TrainerMethod]['result']>)
      | undefined;
    try {
      if (!handler) throw new Error(`unknown trainer request: ${message.method}`);
      // Defence in depth: the host validated these with the same schemas.
      const params = validateWith(TRAINER_PARAMS[message.method as TrainerMethod] as z.ZodType<unknown, unknown>, message.params, 'params');
      if (!params.ok) throw new Error(`${message.method}: ${describeErrors(params.errors)}`);
      const result = await handler(params.value);
      channel.send({ kind: 'reply', id: message.id, ok: true, result });
    } catch (error) {
      // The trainer does not know the app's folders: the message names the file that could not be written.
      const text = diskFullLine(error) ?? (error instanceof Error ? error.message : String(error));
      channel.send({ kind: 'reply', id: message.id, ok: false, error: text });
    }
  });
  endWithCheckpoint(handlers);
  channel.send({ kind: 'ready', report });
}

/**
 * However the trainer is asked to end — its host gone (a crash or SIGKILL leaves the IPC channel
 * closed), SIGTERM, SIGINT (Ctrl-C reaches the whole process group) or SIGHUP (the terminal
 * closed) — a training run first saves a checkpoint of its last completed step, then the process
 * exits. Later signals while that happens are ignored; the host bounds the wait and kills.
 */
function endWithCheckpoint(handlers: ReturnType<typeof createTrainerHandlers>): void {
  let ending = false;
  const end = () => {
    if (ending) return;
    ending = true;
    handlers['train.stop'](undefined)
      .catch((error: unknown) => process.stderr.write(`trainer: ${error instanceof Error ? error.message : String(error)}\n`))
      .finally(() => process.exit(0));
  };
  channel.onDisconnect(end);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, end);
}

start().catch((error) => {
  process.stderr.write(`trainer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
