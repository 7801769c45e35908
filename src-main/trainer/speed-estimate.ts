/**
 * Estimates before Start (issue 14): the trainer times the exact configuration of a run — its networks,
 * batch, k, EMA, augmentation, replay, fresh fakes for G as `train` does — for a few steps after a warm-up,
 * on random images (engine/speed.ts, the timing loop `bench` uses), and keeps the figure in a JSON file
 * the host names (AppPaths.speedCache), keyed by backend and every option that changes the cost
 * (shared/estimate.ts). It measures only while no run trains: a run needs the machine to itself, and a
 * measurement under load would be wrong.
 */
import { readFile } from 'node:fs/promises';
import { createGan, disposeGan } from '../engine/gan';
import { trainingMemoryError } from '../engine/memory';
import { randomRealBatches, timeIterations } from '../engine/speed';
import { writeFileAtomic } from '../disk/atomic-write';
import { ESTIMATE_AFTER_RUN, imagesPerStep, speedKey, type SpeedEstimate, type SpeedEstimateReply } from '../shared/estimate';
import { defaultRunConfig, describeErrors, validateRunConfig, type RunConfig, type RunOptions } from '../shared/schema';
import type { BackendReport } from '../shared/contract';
import { currentMemoryLimit } from './backend';

/** How long a measurement runs: one warm-up step, then at least MIN_STEPS, more until MIN_SECONDS, at most MAX_STEPS. */
export const ESTIMATE_TIMING = { minSteps: 1, maxSteps: 8, minSeconds: 4 } as const;

/** Entries the cache keeps; the oldest measurements go first. */
const CACHE_LIMIT = 200;

interface CacheFile {
  version: 1;
  estimates: Record<string, SpeedEstimate>;
}

function isEstimate(value: unknown, key: string): value is SpeedEstimate {
  const e = value as Partial<SpeedEstimate> | null;
  return (
    !!e &&
    typeof e === 'object' &&
    e.key === key &&
    typeof e.backend === 'string' &&
    typeof e.measuredAt === 'string' &&
    [e.threads, e.secondsPerStep, e.imgPerSec, e.steps].every((n) => typeof n === 'number' && Number.isFinite(n) && n > 0)
  );
}

/**
 * The cached estimates in `file`; a missing, unreadable or damaged file (or entry) reads as none: the
 * cache only saves time, and the next measurement rewrites it whole.
 */
export async function readSpeedCache(file: string): Promise<Record<string, SpeedEstimate>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return {};
  }
  const estimates = (parsed as Partial<CacheFile> | null)?.estimates;
  if (!estimates || typeof estimates !== 'object') return {};
  return Object.fromEntries(Object.entries(estimates).filter(([key, value]) => isEstimate(value, key)));
}

/** Adds one estimate to the cache file (written atomically), keeping the newest CACHE_LIMIT. */
async function storeEstimate(file: string, estimate: SpeedEstimate): Promise<void> {
  const estimates = { ...(await readSpeedCache(file)), [estimate.key]: estimate };
  const kept = Object.values(estimates)
    .sort((a, b) => b.measuredAt.localeCompare(a.measuredAt))
    .slice(0, CACHE_LIMIT);
  const content: CacheFile = { version: 1, estimates: Object.fromEntries(kept.map((e) => [e.key, e])) };
  await writeFileAtomic(file, `${JSON.stringify(content, null, 1)}\n`);
}

/** A run configuration for timing `options`: the bench's random images need no dataset. */
function timingConfig(options: RunOptions): RunConfig {
  const config = defaultRunConfig({ ...options, data: { folders: [], settings: { size: options.size, mode: 'crop', background: '#ffffff' }, demo: true } });
  const checked = validateRunConfig(config);
  if (!checked.ok) throw new Error(`cannot estimate these settings: ${describeErrors(checked.errors)}`);
  return checked.value;
}

/** Lets the trainer answer messages (a train.start, a stop) between timed steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Times `options` on the current backend: the GAN built as a run builds it (createGan with the dataset
 * augmentation), a warm-up step, then ESTIMATE_TIMING. Returns null when `stop` fired before one step
 * was timed. Throws a one-line Error for settings that are invalid or too large for the backend's memory.
 */
export async function measureSpeed(options: RunOptions, report: Pick<BackendReport, 'backend' | 'threads' | 'tfjsVersion'>, stop?: { readonly aborted: boolean }): Promise<SpeedEstimate | null> {
  const config = timingConfig(options);
  const memory = trainingMemoryError(config, currentMemoryLimit());
  if (memory) throw new Error(memory);
  const state = createGan(config);
  const real = randomRealBatches(config.batch, config.size);
  try {
    const timing = await timeIterations(state, real.source, { ...ESTIMATE_TIMING, between: yieldToEventLoop, signal: stop });
    if (timing.steps === 0) return null;
    return {
      key: speedKey(options, report),
      backend: report.backend,
      threads: report.threads,
      secondsPerStep: timing.secondsPerStep,
      imgPerSec: imagesPerStep(config) / timing.secondsPerStep,
      steps: timing.steps,
      measuredAt: new Date().toISOString(),
    };
  } finally {
    real.dispose();
    disposeGan(state);
  }
}

export interface SpeedEstimatorDeps {
  report: BackendReport;
  /** Whether a run trains now: nothing is measured then, and a measurement under way stops. */
  isTraining(): boolean;
}

/**
 * The trainer's 'estimate.speed' handler: the cached figure when there is one; else, while no run
 * trains, a measurement (one at a time, in the order asked), stored in the cache; else `busy`.
 */
export function createSpeedEstimator(deps: SpeedEstimatorDeps) {
  let queue: Promise<unknown> = Promise.resolve();
  const stop = { get aborted() { return deps.isTraining(); } };
  const busy: SpeedEstimateReply = { state: 'busy', message: ESTIMATE_AFTER_RUN };

  async function fromCache(options: RunOptions, cacheFile: string): Promise<SpeedEstimateReply | null> {
    const cached = (await readSpeedCache(cacheFile))[speedKey(options, deps.report)];
    return cached ? { state: 'ready', estimate: cached, fromCache: true } : null;
  }

  return async function estimate(params: { options: RunOptions; cacheFile: string; cachedOnly?: boolean }): Promise<SpeedEstimateReply> {
    const cached = await fromCache(params.options, params.cacheFile);
    if (cached) return cached;
    if (params.cachedOnly) return { state: 'unknown' };
    if (deps.isTraining()) return busy;
    const measured = queue.then(async (): Promise<SpeedEstimateReply> => {
      // An earlier request in the queue may have measured the same settings.
      const again = await fromCache(params.options, params.cacheFile);
      if (again) return again;
      if (deps.isTraining()) return busy;
      const estimate = await measureSpeed(params.options, deps.report, stop);
      if (!estimate || deps.isTraining()) return busy;
      await storeEstimate(params.cacheFile, estimate);
      return { state: 'ready', estimate, fromCache: false };
    });
    queue = measured.catch(() => {});
    return measured;
  };
}
