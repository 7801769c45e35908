import { createServer } from 'node:net';

/** Answers without a token, so a second start can tell a running GAN Studio from another program. */
export const PING_PATH = '/__gan-studio/ping';
/** The `app` field of the ping's JSON reply. */
export const PING_APP = 'gan-studio';

/** The port cannot be used; the message says in one line who holds it and what to do. */
export class PortInUseError extends Error {}

/** Whether a GAN Studio answers the ping on 127.0.0.1:`port` (gives up after 2 s). */
export async function isGanStudioAt(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${PING_PATH}`, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
    if (!response.ok) return false;
    const body = (await response.json()) as { app?: unknown } | null;
    return body?.app === PING_APP;
  } catch {
    return false;
  }
}

/** The error for a `port` that is taken: by a GAN Studio (its URL, no token) or by something else. */
export async function portInUseError(port: number): Promise<PortInUseError> {
  return new PortInUseError(
    (await isGanStudioAt(port))
      ? `GAN Studio is already running at http://127.0.0.1:${port}/ — open the link that instance printed (it carries the access token)`
      : `port ${port} on 127.0.0.1 is taken by another program: choose another with --port N (--port 0 picks a free one)`,
  );
}

/** The one-line error for a failed listen on `port`, or the error itself when it is not about the port. */
export async function describeListenError(error: unknown, port: number): Promise<unknown> {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return portInUseError(port);
  if (code === 'EACCES') return new PortInUseError(`port ${port} needs administrator rights here: choose one above 1023 with --port N`);
  return error;
}

/**
 * Throws PortInUseError when `port` cannot be bound on 127.0.0.1: a quick check before slow
 * start-up work (a build). Port 0 (any free port) always passes.
 */
export async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  const error = await new Promise<unknown>((resolve) => {
    probe.once('error', resolve);
    probe.listen(port, '127.0.0.1', () => resolve(null));
  });
  if (error === null) {
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return;
  }
  throw await describeListenError(error, port);
}
