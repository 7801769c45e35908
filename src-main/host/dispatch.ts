import type { HostEvent, HostEvents, HostMethod, HostParams, HostResult } from '../shared/contract';

export type HostHandlers = { [M in HostMethod]: (params: HostParams<M>) => Promise<HostResult<M>> };

export interface Host {
  handlers: HostHandlers;
  on<E extends HostEvent>(event: E, listener: (payload: HostEvents[E]) => void): () => void;
  /** Whether the renderer may be shown this local file as an image. */
  isImageAllowed(path: string): Promise<boolean>;
  dispose(): Promise<void>;
}

/** A user-facing failure: its message is shown as it is. */
export class HostError extends Error {}

/** Runs a handler by name with unknown input from a transport; unknown names are refused. */
export async function dispatch(host: Host, method: string, params: unknown): Promise<unknown> {
  if (!Object.hasOwn(host.handlers, method)) throw new HostError(`unknown request: ${method}`);
  const handler = host.handlers[method as HostMethod] as (params: unknown) => Promise<unknown>;
  return handler(params);
}
