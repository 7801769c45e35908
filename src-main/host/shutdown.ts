/** The signals that ask a GAN Studio process to end: kill's default, Ctrl-C, and a closed terminal. */
export const END_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type EndSignal = (typeof END_SIGNALS)[number];

/** Exit status of a process that ended on a signal, as shells report it (128 + the signal's number). */
export const SIGNAL_EXIT_CODES: Record<EndSignal, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** What endOnSignals listens on: `process`, or a stand-in in tests. */
export interface SignalSource {
  on(signal: EndSignal, listener: (signal: EndSignal) => void): unknown;
}

export interface EndOnSignalsOptions {
  /** Ends the process's work in order (the host's dispose: the trainer checkpoints, bounded at 10 s). */
  end(signal: EndSignal): Promise<void>;
  /** Ends the process: `process.exit` in Node, `app.exit` in Electron. */
  exit(code: number): void;
  /** Says what happens, one line at a time (stderr). */
  log?: (line: string) => void;
}

/**
 * On SIGINT, SIGTERM or SIGHUP, runs `end` once and then exits with 128 + the signal's number
 * (also when `end` fails). A second signal while `end` runs exits at once with that signal's code.
 */
export function endOnSignals(source: SignalSource, options: EndOnSignalsOptions): void {
  let ending = false;
  const onSignal = (signal: EndSignal) => {
    if (ending) {
      options.exit(SIGNAL_EXIT_CODES[signal]);
      return;
    }
    ending = true;
    options.log?.(`${signal}: stopping GAN Studio; a training run saves a checkpoint of its current step first (again to quit at once)\n`);
    options
      .end(signal)
      .catch((error: unknown) => options.log?.(`while stopping: ${error instanceof Error ? error.message : String(error)}\n`))
      .finally(() => options.exit(SIGNAL_EXIT_CODES[signal]));
  };
  for (const signal of END_SIGNALS) source.on(signal, () => onSignal(signal));
}
