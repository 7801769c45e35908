import { endOnSignals, type SignalSource } from '../host/shutdown';

/** The parts of Electron's `app` that quitting uses, so tests can inject a stand-in. */
export interface QuitApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
  exit(code?: number): void;
}

/**
 * Every way the desktop app ends waits for `dispose` (the host's: a training run saves a checkpoint
 * of its current step, bounded at 10 s): quitting from the menu or the keyboard and closing the
 * last window reach 'before-quit', which is held until dispose settles and then quits for real;
 * SIGINT, SIGTERM and SIGHUP to the main process (when `signals` is given) quit the same way and
 * exit with 128 + the signal's number, a second signal at once.
 */
export function holdQuitUntilDisposed(app: QuitApp, dispose: () => Promise<void>, signals?: SignalSource): void {
  let disposed: Promise<void> | null = null;
  let done = false;
  app.on('before-quit', (event) => {
    if (done) return;
    event.preventDefault();
    if (disposed) return;
    disposed = dispose()
      .catch(() => undefined)
      .finally(() => {
        done = true;
        app.quit();
      });
  });
  if (signals) {
    endOnSignals(signals, {
      end: async () => {
        app.quit();
        await disposed;
      },
      exit: (code) => app.exit(code),
      log: (line) => process.stderr.write(line),
    });
  }
}
