import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvalMetrics, RunConfig, StepMetrics } from '../shared/contract';
import { describeErrors, upgradeRunConfig } from '../shared/schema';
import { TEMP_FILE, writeFileAtomic } from './atomic-write';

/** The run folder layout of DESIGN.md, in one place: the trainer writes it, the host reads it. */
export const runFiles = {
  config: (runDir: string) => join(runDir, 'config.json'),
  metrics: (runDir: string) => join(runDir, 'metrics.jsonl'),
  samples: (runDir: string) => join(runDir, 'samples'),
  checkpoints: (runDir: string) => join(runDir, 'checkpoints'),
  sample: (runDir: string, step: number) => join(runDir, 'samples', `step-${pad(step)}.png`),
  checkpoint: (runDir: string, step: number) => join(runDir, 'checkpoints', `step-${pad(step)}.ckpt`),
  /** The writer's lock (disk/run-lock.ts): pid, hostname and start time of the process training it. */
  lock: (runDir: string) => join(runDir, 'run.lock'),
};

/**
 * True when `dir` is a run folder (DESIGN.md "Files on disk"): run.lock (a writer holds it), config.json beside checkpoints/ or
 * metrics.jsonl (even when config.json is damaged), or beside samples/ alone (the sample of step 0
 * is written before the first step) when config.json reads as a run configuration (an object with
 * `arch` and `data`). False for anything else, including folders that cannot be read. `names`,
 * when given, are the folder's entry names the caller already listed (saves a readdir).
 */
export async function isRunFolder(dir: string, names?: readonly string[]): Promise<boolean> {
  try {
    const entries = names ?? (await readdir(dir));
    // A run being started holds its writer's lock before it writes config.json.
    if (entries.includes('run.lock')) return true;
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

/**
* The run's config.json, upgraded from whatever schema version wrote it and validated (run schema). Throws
 * a one-line Error naming the file and what to do when it is missing, unreadable, not JSON (cut short,
 * empty), not an object, or holds settings the schema refuses.
 */
export async function readRunConfig(runDir: string): Promise<RunConfig> {
  const path = runFiles.config(runDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${runDir} is not a run folder (no config.json)`);
    throw new Error(`cannot read ${path} (${code ?? String(error)}): check that the file and its folder can be read`);
  }
  const fix = 'restore it from a backup, or delete the run';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const what = text.trim() === '' ? 'the file is empty' : 'not valid JSON; it may have been cut short';
    throw new Error(`${path} is damaged (${what}): ${fix}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${path} does not hold a run configuration (it holds ${value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`}): ${fix}`);
  }
  const upgraded = upgradeRunConfig(value);
  if (!upgraded.ok) throw new Error(`${path}: ${describeErrors(upgraded.errors)}: ${fix}`);
  return upgraded.value;
}

/**
 * Removes the temp files an interrupted atomic write left in the run folder, samples/ and
 * checkpoints/ (only names writeFileAtomic makes). Call it only while holding the run's lock: a
 * live writer's temp file must not vanish under it. Returns the removed paths.
 */
export async function removeTempFiles(runDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of [runDir, runFiles.samples(runDir), runFiles.checkpoints(runDir)]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => TEMP_FILE.test(n))) {
      await rm(join(dir, name), { force: true });
      removed.push(join(dir, name));
    }
  }
  return removed;
}

export async function writeRunConfig(runDir: string, config: RunConfig): Promise<void> {
  await writeFileAtomic(runFiles.config(runDir), JSON.stringify(config, null, 2) + '\n');
}

/** Logged steps (the eval lines aside); a line cut short by a crash is skipped. */
export async function readMetrics(runDir: string): Promise<StepMetrics[]> {
  return (await readMetricsFile(runDir)).metrics;
}

/** Both kinds of metrics.jsonl line, each in file order: the logged steps and the quality scores. */
export async function readMetricsFile(runDir: string): Promise<{ metrics: StepMetrics[]; evals: EvalMetrics[] }> {
  return splitMetrics(parseMetricsRecords(await readFile(runFiles.metrics(runDir), 'utf8').catch(() => '')));
}

/** A metrics.jsonl line of either kind: a logged step, or a quality score (told apart by its `eval` key). */
export type MetricsRecord = StepMetrics | EvalMetrics;

/** Whether a metrics.jsonl record is a quality score rather than a logged step. */
export function isEvalMetrics(record: MetricsRecord): record is EvalMetrics {
  const value = (record as Partial<EvalMetrics>).eval;
  return typeof value === 'object' && value !== null;
}

/**
 * Every record of metrics.jsonl text, both kinds, in file order: whole JSON objects with a numeric `step`.
 * Lines that are not (one cut short by a crash) are skipped.
 */
export function parseMetricsRecords(text: string): MetricsRecord[] {
  const out: MetricsRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const record: unknown = JSON.parse(line);
      if (typeof record === 'object' && record !== null && typeof (record as StepMetrics).step === 'number') out.push(record as MetricsRecord);
    } catch {
      // partial last line
    }
  }
  return out;
}

/** The logged steps of metrics.jsonl text, in file order (quality-score lines and cut-short lines skipped). */
export function parseMetrics(text: string): StepMetrics[] {
  return splitMetrics(parseMetricsRecords(text)).metrics;
}

function splitMetrics(records: MetricsRecord[]): { metrics: StepMetrics[]; evals: EvalMetrics[] } {
  const metrics: StepMetrics[] = [];
  const evals: EvalMetrics[] = [];
  for (const record of records) {
    if (isEvalMetrics(record)) evals.push(record);
    else metrics.push(record);
  }
  return { metrics, evals };
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
