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
import { appPaths } from '../disk/app-paths';
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
      const text = diskFullLine(error, appPaths().root) ?? (error instanceof Error ? error.message : String(error));
      channel.send({ kind: 'reply', id: message.id, ok: false, error: text });
    }
  });
  channel.send({ kind: 'ready', report });
}

start().catch((error) => {
  process.stderr.write(`trainer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
