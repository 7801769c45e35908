import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ESTIMATE_AFTER_RUN, speedKey } from '../shared/estimate';
import { defaultRunConfig, type RunOptions } from '../shared/schema';
import type { BackendReport } from '../shared/contract';
import { ESTIMATE_TIMING, createSpeedEstimator, readSpeedCache } from './speed-estimate';

let root: string;
const report: BackendReport = { backend: 'cpu', label: 'cpu', device: 'CPU', threads: 1, tfjsVersion: tf.version.tfjs, skipped: [], pid: process.pid, runtime: 'node' };

/** A tiny run with every costly extra on: augmentation, EMA, replay, k = 2. */
function tiny(overrides: Partial<RunOptions> = {}): RunOptions {
  const { schemaVersion: _v, data: _d, compute: _c, ...options } = defaultRunConfig({
    size: 16, width: 2, latent: 4, batch: 2, k: 2, ema: 0.9, replay: 0.5, augment: ['flip', 'translation'], ...overrides,
  });
  return options;
}

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-estimate-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('an estimate is measured once, kept in the cache file, and read from it after', async () => {
  const cacheFile = join(root, 'first', 'speed-estimates.json');
  const estimate = createSpeedEstimator({ report, isTraining: () => false });
  // Two requests for the same settings at once: one measurement, the second finds it in the cache.
  const [first, second] = await Promise.all([estimate({ options: tiny(), cacheFile }), estimate({ options: tiny({ seed: 9, steps: 7 }), cacheFile })]);
  assert.equal(first.state, 'ready');
  assert.equal(second.state, 'ready');
  if (first.state !== 'ready' || second.state !== 'ready') return;
  assert.equal(first.fromCache, false);
  assert.equal(second.fromCache, true);
  assert.deepEqual(second.estimate, first.estimate);
  const e = first.estimate;
  assert.equal(e.key, speedKey(tiny(), report));
  assert.ok(e.steps >= ESTIMATE_TIMING.minSteps && e.steps <= ESTIMATE_TIMING.maxSteps);
  assert.ok(e.secondsPerStep > 0);
  // Images seen per second as training counts them: k · batch per step.
  assert.ok(Math.abs(e.imgPerSec - 4 / e.secondsPerStep) < 1e-9);
  assert.deepEqual(await readSpeedCache(cacheFile), { [e.key]: e });
  assert.deepEqual(JSON.parse(await readFile(cacheFile, 'utf8')).estimates[e.key], e);

  // Only the cache: other settings are unknown, and nothing is measured for them.
  assert.deepEqual(await estimate({ options: tiny({ width: 3 }), cacheFile, cachedOnly: true }), { state: 'unknown' });
  assert.deepEqual(Object.keys(await readSpeedCache(cacheFile)), [e.key]);
});

test('while a run trains, only cached figures come back: the rest is estimated after the run', async () => {
  const cacheFile = join(root, 'busy', 'speed-estimates.json');
  let training = false;
  const estimate = createSpeedEstimator({ report, isTraining: () => training });
  const measured = await estimate({ options: tiny(), cacheFile });
  assert.equal(measured.state, 'ready');
  training = true;
  assert.deepEqual(await estimate({ options: tiny({ width: 3 }), cacheFile }), { state: 'busy', message: ESTIMATE_AFTER_RUN });
  const cached = await estimate({ options: tiny(), cacheFile });
  assert.equal(cached.state === 'ready' && cached.fromCache, true);
});

test('a damaged cache file reads as empty and is rewritten whole by the next measurement', async () => {
  const cacheFile = join(root, 'damaged.json');
  await writeFile(cacheFile, '{"version":1,"estimates":{"x":');
  assert.deepEqual(await readSpeedCache(cacheFile), {});
  const estimate = createSpeedEstimator({ report, isTraining: () => false });
  const reply = await estimate({ options: tiny({ augment: [], replay: 0, ema: 0, k: 1 }), cacheFile });
  assert.equal(reply.state, 'ready');
  assert.equal(Object.keys(JSON.parse(await readFile(cacheFile, 'utf8')).estimates).length, 1);
});

test('settings the backend cannot train are refused in one line, before anything is built', async () => {
  const estimate = createSpeedEstimator({ report, isTraining: () => false });
  await assert.rejects(estimate({ options: tiny({ size: 40 }), cacheFile: join(root, 'bad.json') }), /cannot estimate these settings: .*40 px/);
});
