import { Option } from 'commander';
import type { BackendPreference, BackendReport } from '../../shared/contract';
import { BACKEND_PREFERENCES, describeBackend } from '../../shared/contract';
import { typedPath, TypedPathError } from '../../disk/inside';
import { UsageError } from '../usage-error';

/**
 * The backends of commands whose engine code reads tensors synchronously (dataSync: `theory`, `toy`):
 * all but webgpu, which cannot under Node. Such commands also pass `readsSync` to chooseBackend.
 */
export const SYNC_READ_BACKENDS: readonly BackendPreference[] = BACKEND_PREFERENCES.filter((b) => b !== 'webgpu');

/** Shared by the engine's subcommands (train, generate, interpolate, export, score, theory). */
export function backendOption(choices: readonly BackendPreference[] = BACKEND_PREFERENCES): Option {
  return new Option('--backend <name>', 'compute backend').choices(choices).default('auto');
}

export function parseIntOption(name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer of at least ${min}, got "${value}"`);
  }
  return n;
}

export function parseFloatOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number in [${min}, ${max}], got "${value}"`);
  }
  return n;
}

/**
 * Picks the backend (best first, or as asked) and tells the user which one runs and why not better
 * ones; a warning (a software WebGPU adapter) is printed even when quiet. `readsSync`: see SYNC_READ_BACKENDS.
 */
export async function startBackend(preference: BackendPreference, quiet = false, readsSync = false): Promise<BackendReport> {
  const { chooseBackend } = await import('../../trainer/backend');
  const report = await chooseBackend(preference, { readsSync });
  if (!quiet) printBackend(report);
  else if (report.warning) process.stderr.write(`warning: ${report.warning}\n`);
  return report;
}

/** The backend lines every engine command prints on stderr (stdout holds only results). */
export function printBackend(report: BackendReport): void {
  process.stderr.write(`backend: ${describeBackend(report)}\n`);
  if (report.warning) process.stderr.write(`warning: ${report.warning}\n`);
  for (const s of report.skipped) process.stderr.write(`  (not ${s.backend}: ${s.reason})\n`);
}

/** Adds an option that may be given several times. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function requireOption<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === null || value === '') throw new UsageError(`${flag} is required`);
  return value;
}


/**
 * The absolute path a path flag names: a leading `~` is the home folder (for `--out=~/x`, which no
 * shell expands), and a relative path is the working folder's, as in every command-line tool
 * (disk/inside.ts typedPath). An empty value is a usage error naming the flag.
 */
export function pathOption(value: string, flag: string): string {
  try {
    return typedPath(value, flag, { base: process.cwd() });
  } catch (error) {
    if (error instanceof TypedPathError) throw new UsageError(error.message);
    throw error;
  }
}
