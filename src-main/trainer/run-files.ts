import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../engine/checkpoint';
import type { RunConfig, StepMetrics } from '../engine/config';
import { writeFileAtomic } from '../host/atomic-write';

/** The run folder layout of DESIGN.md, in one place. */
export const runFiles = {
  config: (runDir: string) => join(runDir, 'config.json'),
  metrics: (runDir: string) => join(runDir, 'metrics.jsonl'),
  samples: (runDir: string) => join(runDir, 'samples'),
  checkpoints: (runDir: string) => join(runDir, 'checkpoints'),
  sample: (runDir: string, step: number) => join(runDir, 'samples', `step-${pad(step)}.png`),
  checkpoint: (runDir: string, step: number) => join(runDir, 'checkpoints', `step-${pad(step)}.ckpt`),
};

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

export async function readCheckpoint(path: string): Promise<Checkpoint> {
  return decodeCheckpoint(new Uint8Array(await readFile(path)));
}

/** Writes atomically, then drops all but the newest `keep` checkpoints. */
export async function writeCheckpoint(runDir: string, checkpoint: Checkpoint, keep = 2): Promise<string> {
  const path = runFiles.checkpoint(runDir, checkpoint.json.step);
  await writeFileAtomic(path, encodeCheckpoint(checkpoint));
  const all = await listCheckpoints(runDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) await rm(old.path, { force: true });
  return path;
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
