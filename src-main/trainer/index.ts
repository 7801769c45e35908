/**
 * The trainer process: owns tfjs and the compute backend, runs training and generation, and
 * answers the host over the contract's TrainerApi. Started as an Electron utilityProcess or a Node
 * child process from this same file.
 */
import type {
  BackendPreference,
  TrainerApi,
  TrainerEvent,
  TrainerEvents,
  TrainerMethod,
  TrainerRequestMessage,
} from '../shared/contract';
import { chooseBackend } from './backend';
import { connectToParent } from './parent-channel';
import { createTrainerHandlers } from './handlers';

const channel = connectToParent();

function emit<E extends TrainerEvent>(event: E, payload: TrainerEvents[E]): void {
  channel.send({ kind: 'event', event, payload });
}

function isRequest(message: unknown): message is TrainerRequestMessage {
  const m = message as Partial<TrainerRequestMessage> | null;
  return !!m && m.kind === 'request' && typeof m.id === 'number' && typeof m.method === 'string';
}

async function start(): Promise<void> {
  const report = await chooseBackend((process.env.GAN_STUDIO_BACKEND as BackendPreference) || 'auto');
  const handlers = createTrainerHandlers({ report, emit });
  channel.onMessage(async (message) => {
    if (!isRequest(message)) return;
    const handler = handlers[message.method as TrainerMethod] as
      | ((params: unknown) => Promise<TrainerApi[TrainerMethod]['result']>)
      | undefined;
    try {
      if (!handler) throw new Error(`unknown trainer request: ${message.method}`);
      const result = await handler(message.params);
      channel.send({ kind: 'reply', id: message.id, ok: true, result });
    } catch (error) {
      channel.send({ kind: 'reply', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
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
