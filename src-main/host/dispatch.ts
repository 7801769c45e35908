import type { z } from 'zod';
import { HOST_PARAMS, type HostEvent, type HostEvents, type HostMethod, type HostParams, type HostResult } from '../shared/contract';
import { describeErrors, validateWith } from '../shared/schema';

export type HostHandlers = { [M in HostMethod]: (params: HostParams<M>) => Promise<HostResult<M>> };

export interface Host {
  handlers: HostHandlers;
  on<E extends HostEvent>(event: E, listener: (payload: HostEvents[E]) => void): () => void;
  /** Whether the renderer may be shown this local file as an image. */
  isImageAllowed(path: string): Promise<boolean>;
  /**
   * Streams one dropped file into the upload folder `datasets.upload` opened (UploadStore.receive):
   * throws HostError (unknown upload, bad id) or UploadTooLargeError (over UPLOAD_LIMITS).
   */
  receiveUpload(uploadId: unknown, name: unknown, body: AsyncIterable<Uint8Array>, declaredBytes?: number): Promise<{ name: string; bytes: number }>;
  dispose(): Promise<void>;
}

/** A user-facing failure: its message is shown as it is. */
export class HostError extends Error {}

/**
 * Runs a handler by name with unknown input from a transport. Never throws synchronously: a method that is
 * not a string or not a handler's name, parameters the contract's schema refuses (so nothing is written
 * for a bad request), and every handler failure arrive as a rejected promise for the transport to answer,
 * with one line naming each bad field.
 */
export async function dispatch(host: Host, method: unknown, params: unknown): Promise<unknown> {
  if (typeof method !== 'string') throw new HostError('malformed request: "method" must be a string');
  if (!Object.hasOwn(host.handlers, method) || !Object.hasOwn(HOST_PARAMS, method)) {
    throw new HostError(`unknown request: ${method.length > 80 ? `${method.slice(0, 80)}…` : method}`);
  }
  const checked = validateWith(HOST_PARAMS[method as HostMethod] as z.ZodType<unknown, unknown>, params, 'params');
  if (!checked.ok) throw new HostError(`${method}: ${describeErrors(checked.errors)}`);
  const handler = host.handlers[method as HostMethod] as (params: unknown) => Promise<unknown>;
  return handler(checked.value);
}
