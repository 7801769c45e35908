import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { GmmBaselineResult } from '../shared/contract';
import { assertSafeId } from '../shared/ids';
import { GMM_OPTIONS, type GmmConfig } from '../shared/schema';
import { writeFileAtomic } from './atomic-write';
import { resolveInside } from './inside';

/**
 * The GMM baseline's folder (issue 12), <data>/baselines/<datasetId>-<options hash>/: samples/sample-0001.png…,
 * grid.png, gan-<runId>.png for each GAN run scored beside it and, written last, scores.json (a GmmBaselineResult). A folder without scores.json is a fit that
 * never finished and is not listed. The trainer writes it, the host reads it.
 */
export const baselineFiles = {
  scores: (dir: string) => join(dir, 'scores.json'),
  grid: (dir: string) => join(dir, 'grid.png'),
  /** The grid of a GAN run's images scored beside the baseline. */
  ganGrid: (dir: string, runId: string) => join(dir, `gan-${runId}.png`),
  samples: (dir: string) => join(dir, 'samples'),
  /** `digits`: the zero padding, at least 4 (so names sort by number). */
  sample: (dir: string, index: number, digits: number) => join(dir, 'samples', `sample-${String(index + 1).padStart(digits, '0')}.png`),
};

/** Sample files of a baseline folder (a refit replaces them). */
export const BASELINE_SAMPLE_NAME = /^sample-\d+\.png$/;

/** 12 hex digits of the SHA-256 of the options in GMM_OPTIONS order: one folder per dataset and options. */
export function baselineOptionsHash(options: GmmConfig): string {
  const canonical = Object.keys(GMM_OPTIONS).map((key) => [key, options[key as keyof GmmConfig]]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 12);
}

/**
 * The folder of the baseline fitted to dataset `datasetId` with `options`, inside `baselinesRoot`. Throws
 * UnsafeIdError (shared/ids.ts) unless the id is one plain name.
 */
export function baselineDir(baselinesRoot: string, datasetId: string, options: GmmConfig): string {
  return resolveInside(baselinesRoot, `${assertSafeId('dataset id', datasetId)}-${baselineOptionsHash(options)}`);
}

/** Writes scores.json atomically: the fit's last file, so its presence means the folder is complete. */
export async function writeBaselineResult(result: GmmBaselineResult): Promise<void> {
  // NaN and ±Infinity are not JSON: they are written as null (only pixelLogLikelihood may be one).
  const text = JSON.stringify(result, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
  await writeFileAtomic(baselineFiles.scores(result.dir), `${text}\n`);
}

/**
 * The result in `dir`/scores.json, with its paths made from `dir` (the data folder may have moved since it
 * was written); null when the file is missing, damaged or not a baseline result.
 */
export async function readBaselineResult(dir: string): Promise<GmmBaselineResult | null> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(baselineFiles.scores(dir), 'utf8'));
  } catch {
    return null;
  }
  const result = value as Partial<GmmBaselineResult> | null;
  if (
    !result ||
    typeof result !== 'object' ||
    typeof result.datasetId !== 'string' ||
    typeof result.createdAt !== 'string' ||
    typeof result.scores?.swd !== 'number' ||
    !Array.isArray(result.samples) ||
    !Array.isArray(result.gans)
  ) {
    return null;
  }
  return {
    ...(result as GmmBaselineResult),
    dir,
    grid: baselineFiles.grid(dir),
    samples: result.samples.map((file) => join(baselineFiles.samples(dir), basename(String(file)))),
    gans: result.gans.map((gan) => ({ ...gan, grid: baselineFiles.ganGrid(dir, basename(String(gan.runId))) })),
  };
}

/** The newest complete baseline of dataset `datasetId` (by createdAt) in `baselinesRoot`, or null. */
export async function latestBaseline(baselinesRoot: string, datasetId: string): Promise<GmmBaselineResult | null> {
  const names = await readdir(baselinesRoot).catch(() => [] as string[]);
  const prefix = `${datasetId}-`;
  let latest: GmmBaselineResult | null = null;
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^[0-9a-f]{12}$/.test(name.slice(prefix.length))) continue;
    const result = await readBaselineResult(join(baselinesRoot, name));
    if (result && result.datasetId === datasetId && (!latest || result.createdAt > latest.createdAt)) latest = result;
  }
  return latest;
}
