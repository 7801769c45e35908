/**
 * An experiment on disk (issue 15): <experiments>/<id>/experiment.json, written atomically, holds the request
 * (base run, preset or --vary options, seeds, images), the plan (variants, lengths) and every run's id and
 * status. The runs themselves are normal run folders in `runsDir` (the app's runs folder: they stay flat).
 */
import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { EXPERIMENT_PRESET_NAMES, type ExperimentPreset, type ExperimentRunStatus, type ExperimentStatus, type ExperimentVariant, type ExperimentVary } from '../shared/experiment';
import { assertSafeId } from '../shared/ids';
import { describeErrors, upgradeRunConfig, type RunConfig } from '../shared/schema';
import { writeFileAtomic } from './atomic-write';
import { isLockLive } from './run-lock';
import { resolveInside } from './inside';

/** One run of the grid as experiment.json records it. */
export interface ExperimentFileRun {
  runId: string;
  variant: string;
  seed: number;
  status: ExperimentRunStatus;
  /** Generator steps and steps between quality scores (shared/experiment-plan.ts experimentLengths). */
  steps: number;
  evalEvery: number;
  error?: string;
}

/** experiment.json. */
export interface ExperimentFile {
  format: 1;
  id: string;
  name: string;
  /** ISO time. */
  created: string;
  /** As last written; 'running' with an owner that is gone reads as 'interrupted' (effectiveStatus). */
  status: ExperimentStatus;
  /** The process running it, while it runs. */
  owner?: { pid: number; hostname: string };
  preset: ExperimentPreset | null;
  vary: ExperimentVary[];
  /** The base run: dataset and options; each run is it with its variant's overrides, seed, steps and evalEvery. */
  base: RunConfig;
  /** Real images shown to D per run, and between two quality scores. */
  images: number;
  scoreImages: number;
  variants: ExperimentVariant[];
  /** The variant the others are compared with. */
  baseline: string;
  seeds: number[];
  /** The folder holding the runs (absolute). */
  runsDir: string;
  runs: ExperimentFileRun[];
}

const STATUS = ['running', 'done', 'interrupted', 'cancelled', 'failed'] as const;
const RUN_STATUS = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
const FileSchema = z.object({
  format: z.literal(1, { error: 'format must be 1' }),
  id: z.string(),
  name: z.string(),
  created: z.string(),
  status: z.enum(STATUS),
  owner: z.object({ pid: z.number().int(), hostname: z.string() }).optional(),
  preset: z.enum(EXPERIMENT_PRESET_NAMES as [ExperimentPreset, ...ExperimentPreset[]]).nullable(),
  vary: z.array(z.object({ option: z.string(), values: z.array(z.unknown()) })),
  base: z.unknown(),
  images: z.number().int().positive(),
  scoreImages: z.number().int().positive(),
  variants: z.array(z.object({ id: z.string(), label: z.string(), overrides: z.record(z.string(), z.unknown()) })).min(1),
  baseline: z.string(),
  seeds: z.array(z.number().int()).min(1),
  runsDir: z.string().min(1),
  runs: z.array(
    z.object({ runId: z.string(), variant: z.string(), seed: z.number().int(), status: z.enum(RUN_STATUS), steps: z.number().int().positive(), evalEvery: z.number().int().positive(), error: z.string().optional() }),
  ),
});

/** The folder of experiment `id` under `root`; throws UnsafeIdError unless the id is one plain name. */
export function experimentDir(root: string, id: string): string {
  return resolveInside(root, assertSafeId('experiment id', id));
}

export function experimentFilePath(root: string, id: string): string {
  return join(experimentDir(root, id), 'experiment.json');
}

/** A new experiment id that sorts by creation time: "exp-20260130-071501-k3z9". */
export function newExperimentId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `exp-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Writes experiment.json atomically (disk/atomic-write.ts), creating its folder. */
export async function writeExperiment(root: string, file: ExperimentFile): Promise<void> {
  await writeFileAtomic(experimentFilePath(root, file.id), JSON.stringify(file, null, 2) + '\n');
}

/**
 * Reads and checks experiment <root>/<id>/experiment.json. Throws a one-line Error naming the file and
 * what to do when it is missing, not JSON, or not an experiment (its base run is upgraded and validated).
 */
export async function readExperiment(root: string, id: string): Promise<ExperimentFile> {
  const path = experimentFilePath(root, id);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `no experiment ${id} (${path} not found)` : `cannot read ${path} (${code ?? String(error)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${path} is damaged (not valid JSON; it may have been cut short): delete the experiment folder`);
  }
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path} is not an experiment (${issue.path.join('.') || 'file'}: ${issue.message}): delete the experiment folder`);
  }
  const base = upgradeRunConfig(parsed.data.base);
  if (!base.ok) throw new Error(`${path}: base: ${describeErrors(base.errors)}`);
  return { ...(parsed.data as Omit<ExperimentFile, 'base'>), base: base.value };
}

/** Every readable experiment under `root`, newest first (unreadable folders are left out). */
export async function listExperiments(root: string): Promise<ExperimentFile[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const files = await Promise.all(names.map((name) => readExperiment(root, name).catch(() => null)));
  return files.filter((f): f is ExperimentFile => f !== null).sort((a, b) => b.created.localeCompare(a.created));
}

/** This process as an experiment's owner. */
export function currentOwner(): { pid: number; hostname: string } {
  return { pid: process.pid, hostname: hostname() };
}

/** The status to show: a 'running' experiment whose owner process is gone was interrupted (a crash, a kill). */
export function effectiveStatus(file: ExperimentFile): ExperimentStatus {
  if (file.status !== 'running') return file.status;
  const live = file.owner && isLockLive({ ...file.owner, startedAt: '', token: '' });
  return live ? 'running' : 'interrupted';
}
