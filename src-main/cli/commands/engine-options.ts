import { Option } from 'commander';
import type { BackendPreference, BackendReport } from '../../shared/contract';
import { describeBackend } from '../../shared/contract';
import { typedPath, TypedPathError } from '../../disk/inside';
import { UsageError } from '../usage-error';

/** Shared by the engine's subcommands (train, generate, interpolate, export, theory). */
export function backendOption(): Option {
  return new Option('--backend <name>', 'compute backend').choices(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto');
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

/** Picks the backend (best first, or as asked) and tells the user which one runs and why not better ones. */
export async function startBackend(preference: BackendPreference, quiet = false): Promise<BackendReport> {
  const { chooseBackend } = await import('../../trainer/backend');
  const report = await chooseBackend(preference);
  if (!quiet) {
    process.stderr.write(`backend: ${describeBackend(report)}\n`);
    for (const s of report.skipped) process.stderr.write(`  (not ${s.backend}: ${s.reason})\n`);
  }
  return report;
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
