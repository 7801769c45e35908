import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfig, StepMetrics } from '../engine/config';
import { writeFileAtomic } from './atomic-write';

/** The run folder layout of DESIGN.md, in one place: the trainer writes it, the host reads it. */
export const runFiles = {
  config: (runDir: string) => join(runDir, 'config.json'),
  metrics: (runDir: string) => join(runDir, 'metrics.jsonl'),
  samples: (runDir: string) => join(runDir, 'samples'),
  checkpoints: (runDir: string) => join(runDir, 'checkpoints'),
  sample: (runDir: string, step: number) => join(runDir, 'samples', `step-${pad(step)}.png`),
  checkpoint: (runDir: string, step: number) => join(runDir, 'checkpoints', `step-${pad(step)}.ckpt`),
};

/**
 * True when `dir` is a run folder (DESIGN.md "Files on disk"): config.json beside checkpoints/ or
 * metrics.jsonl (even when config.json is damaged), or beside samples/ alone (the sample of step 0
 * is written before the first step) when config.json reads as a run configuration (an object with
 * `arch` and `data`). False for anything else, including folders that cannot be read. `names`,
 * when given, are the folder's entry names the caller already listed (saves a readdir).
 */
export async function isRunFolder(dir: string, names?: readonly string[]): Promise<boolean> {
  try {
    const entries = names ?? (await readdir(dir));
    if (!entries.includes('config.json')) return false;
    if (entries.includes('checkpoints') || entries.includes('metrics.jsonl')) return true;
    if (!entries.includes('samples')) return false;
    const configFile = runFiles.config(dir);
    // A run's config.json is a few kB; a large file of that name is someone else's.
    if ((await stat(configFile)).size > 1024 * 1024) return false;
    const config = JSON.parse(await readFile(configFile, 'utf8')) as unknown;
    return typeof config === 'object' && config !== null && 'arch' in config && 'data' in config;
  } catch {
    return false;
  }
}

/** Zero-padded so that names sort by step (wider only past a million steps). */
export function pad(step: number): string {
  return String(step).padStart(6, '0');
}

const CHECKPOINT_NAME = /^step-(\d+)\.ckpt$/;

/** Checkpoints on disk, oldest first. Temp files of an interrupted write are not checkpoints. */
export async function listCheckpoints(runDir: string): Promise<Array<{ step: number; path: string }>> {
  const names = await readdir(runFiles.checkpoints(runDir)).catch(() => [] as string[]);
  return names
    .map((name) => CHECKPOINT_NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ step: Number(m[1]), path: join(runFiles.checkpoints(runDir), m[0]) }))
    .sort((a, b) => a.step - b.step);
}

export async function latestCheckpoint(runDir: string): Promise<{ step: number; path: string } | null> {
  return (await listCheckpoints(runDir)).at(-1) ?? null;
}

export async function readRunConfig(runDir: string): Promise<RunConfig> {
  try {
    return JSON.parse(await readFile(runFiles.config(runDir), 'utf8')) as RunConfig;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${runDir} is not a run folder (no config.json)`);
    throw error;
  }
}

export async function writeRunConfig(runDir: string, config: RunConfig): Promise<void> {
  await writeFileAtomic(runFiles.config(runDir), JSON.stringify(config, null, 2) + '\n');
}

/** Logged metrics; a line cut short by a crash is skipped. */
export async function readMetrics(runDir: string): Promise<StepMetrics[]> {
  const text = await readFile(runFiles.metrics(runDir), 'utf8').catch(() => '');
  const out: StepMetrics[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as StepMetrics);
    } catch {
      // partial last line
    }
  }
  return out;
}

/** The fixed-z sample grids of a run, by step. */
export async function listSamples(runDir: string): Promise<Array<{ step: number; path: string }>> {
  const names = await readdir(runFiles.samples(runDir)).catch(() => [] as string[]);
  return names
    .map((name) => /^step-(\d+)\.png$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ step: Number(m[1]), path: join(runFiles.samples(runDir), m[0]) }))
    .sort((a, b) => a.step - b.step);
}
