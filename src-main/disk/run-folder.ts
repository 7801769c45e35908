import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfig, StepMetrics } from '../shared/contract';
import { describeErrors, upgradeRunConfig } from '../shared/schema';
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

/**
 * The run's config.json, upgraded from whatever schema version wrote it and validated (run schema). Throws
 * one line naming the file and what is wrong: never a raw parser message.
 */
export async function readRunConfig(runDir: string): Promise<RunConfig> {
  const file = runFiles.config(runDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${runDir} is not a run folder (no config.json)`);
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'read error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${file} is damaged (not complete JSON): the run's settings cannot be read; its checkpoints are untouched`);
  }
  const upgraded = upgradeRunConfig(raw);
  if (!upgraded.ok) throw new Error(`${file}: ${describeErrors(upgraded.errors)}`);
  return upgraded.value;
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
