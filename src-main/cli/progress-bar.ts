import cliProgress from 'cli-progress';

export interface TerminalProgress {
  /** Moves the bar; `payload` fills the format's other {fields}. */
  update(done: number, total: number, payload?: Record<string, string>): void;
  /** Ends the bar's line; a later update starts a new bar. */
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal (and `enabled`); nothing otherwise, so piped
 * output and --json stay clean. cli-progress redraws inside update(), which a synchronous loop needs.
 */
export function terminalProgressBar(format: string, enabled = true): TerminalProgress {
  if (!enabled || process.stderr.isTTY !== true) return { update: () => undefined, stop: () => undefined };
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(done, total, payload = {}) {
      if (total === 0) return;
      if (!bar) {
        bar = new cliProgress.SingleBar({ format, hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
        bar.start(total, done, payload);
        return;
      }
      if (bar.getTotal() !== total) bar.setTotal(total);
      bar.update(done, payload);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
