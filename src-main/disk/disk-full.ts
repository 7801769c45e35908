import { isInside } from './inside';

/** ENOSPC (no space left) or EDQUOT (over the disk quota) from a write. */
export function isDiskFull(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * What filled up, in words, and what to do: the app's own data folder (runs made in the app, the
 * dataset cache) or the disk of a folder the user named (a CLI --out, a generate --out).
 */
export function whereFull(error: NodeJS.ErrnoException, file: string | undefined, appRoot: string | undefined): { what: string; fix: string } {
  const state = error.code === 'EDQUOT' ? 'over its disk quota' : 'full';
  const writing = file ? ` (writing ${file})` : '';
  if (file && appRoot && isInside(file, appRoot)) {
    return {
      what: `the GAN Studio data folder ${appRoot} is ${state}${writing}`,
      fix: 'free space there (or move the folder with GAN_STUDIO_HOME)',
    };
  }
  return { what: `the disk is ${state}${writing}`, fix: 'free space on that disk' };
}

export interface DiskFullContext {
  /** The app data folder (appPaths().root), when the run is in it. */
  appRoot?: string;
  /** The newest checkpoint on disk, which the failed write did not touch. */
  lastCheckpoint: { step: number; path: string } | null;
  /** How to continue from it, e.g. "continue with: gan-studio train --resume --out RUN". */
  resumeHint: string;
}

/**
 * One line for a training run stopped by a full disk: which file, whether the app data folder or
 * the run's own disk, that the last checkpoint (by step) is intact, and how to continue.
 */
export function diskFullMessage(error: NodeJS.ErrnoException, context: DiskFullContext): string {
  const file = typeof error.path === 'string' ? error.path : undefined;
  const { what, fix } = whereFull(error, file, context.appRoot);
  const { lastCheckpoint } = context;
  return lastCheckpoint
    ? `training stopped: ${what}. The last checkpoint (step ${lastCheckpoint.step}, ${lastCheckpoint.path}) is intact: ${fix}, then ${context.resumeHint}.`
    : `training stopped: ${what}. No checkpoint was written yet: ${fix}, then start the run again.`;
}

/**
 * For any write outside training (generate, export, dataset import, upload): the one-line message
 * of a full disk, or null for other errors.
 */
export function diskFullLine(error: unknown, appRoot?: string): string | null {
  if (!isDiskFull(error)) return null;
  const { what, fix } = whereFull(error, typeof error.path === 'string' ? error.path : undefined, appRoot);
  return `${what}: ${fix}, then try again`;
}
