/**
 * The held-out split in a real run (issue 15): recorded in config.json, the same after a resume, never in a
 * training batch, and what the quality scores and D's landscape compare with. Real files, real training on the CPU.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ImageSet } from '../data/types';
import { tinyRunConfig } from '../data/test-fixtures';
import { HELD_OUT_SEED, splitHeldOut } from '../engine/held-out';
import { latestCheckpoint, readMetricsFile, readRunConfig } from '../disk/run-folder';
import { runTraining } from './session';

let root: string;

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-held-out-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

const SIZE = 32;
const STRIDE = SIZE * SIZE * 3;

/**
 * Pixels that note which images are read once `watching` is on: training batches read an image through
 * subarray (data/batches.ts), and nothing else reads the whole set after the run starts.
 */
class WatchedPixels extends Uint8Array {
  static watching = false;
  static read = new Set<number>();
  override subarray(begin?: number, end?: number): Uint8Array<ArrayBuffer> {
    if (WatchedPixels.watching && begin !== undefined) WatchedPixels.read.add(Math.floor(begin / STRIDE));
    return super.subarray(begin, end);
  }
}

/** 20 images, each a different flat colour. */
function images(): ImageSet {
  const count = 20;
  const pixels = new WatchedPixels(count * STRIDE);
  for (let i = 0; i < count; i++) pixels.fill(10 + i * 12, i * STRIDE, (i + 1) * STRIDE);
  return { size: SIZE, count, pixels };
}

test('a run holds out its share by a fixed seed, records it, keeps it on resume and never trains on it', async () => {
  const set = images();
  const config = tinyRunConfig({ heldOut: 0.25, steps: 4, evalEvery: 2, evalSamples: 8, seed: 3 });
  const expected = splitHeldOut(set.count, 0.25, HELD_OUT_SEED);
  assert.equal(expected.heldOut.length, 5);
  const runDir = join(root, 'run');
  const controller = new AbortController();
  WatchedPixels.read.clear();
  const hooks = {
    onState: (state: string) => {
      WatchedPixels.watching = state === 'running';
    },
  };
  await runTraining({
    runDir,
    config,
    resume: false,
    cacheDir: '',
    demoDir: '',
    images: set,
    signal: controller.signal,
    hooks: { ...hooks, onMetrics: (m) => m.step === 2 && controller.abort() },
  });
  const recorded = await readRunConfig(runDir);
  assert.equal(recorded.heldOut, 0.25);
  assert.deepEqual(recorded.split, { seed: HELD_OUT_SEED, images: 20, heldOut: 5 });

  // Resumed with another share asked for: the run's own share and split rule (heldOut cannot change on resume).
  await runTraining({ runDir, config: { ...config, heldOut: 0.5 }, resume: true, cacheDir: '', demoDir: '', images: set, hooks });
  WatchedPixels.watching = false;
  assert.deepEqual((await readRunConfig(runDir)).split, { seed: HELD_OUT_SEED, images: 20, heldOut: 5 });
  assert.equal((await readRunConfig(runDir)).heldOut, 0.25);
  assert.equal((await latestCheckpoint(runDir))?.step, 4);

  // The stopped and resumed run ends on the checkpoint bytes of one trained straight through.
  const straightDir = join(root, 'straight');
  await runTraining({ runDir: straightDir, config, resume: false, cacheDir: '', demoDir: '', images: set });
  const bytes = async (dir: string) => readFile((await latestCheckpoint(dir))!.path);
  assert.ok((await bytes(straightDir)).equals(await bytes(runDir)), 'checkpoints of the straight and the resumed run differ');

  const held = new Set(expected.heldOut);
  const trainedOn = [...WatchedPixels.read];
  assert.ok(trainedOn.length >= 8, `the batches read ${trainedOn.length} images`);
  assert.deepEqual(trainedOn.filter((i) => held.has(i)), [], 'a training batch held a held-out image');

  // The scores and the landscape compare with the 5 held-out images.
  const { evals } = await readMetricsFile(runDir);
  assert.deepEqual(evals.map((e) => e.step), [2, 4]);
  for (const e of evals) {
    assert.equal(e.eval.against, 'held-out');
    assert.equal(e.eval.real, 5);
    const l = e.landscape!;
    assert.equal(l.realFrom, 'held-out');
    assert.equal(l.real.n, 5);
    for (const s of [l.real, l.fake, l.interp, l.noise]) assert.equal(s.counts.reduce((a, b) => a + b, 0) + s.below + s.above, s.n);
    assert.ok(l.flatness >= 0 && l.flatness <= 0.5, `flatness ${l.flatness}`);
  }
  const line = JSON.parse((await readFile(join(runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').at(-1)!);
  assert.deepEqual(Object.keys(line.landscape).sort(), ['bins', 'fake', 'flatness', 'interp', 'noise', 'real', 'realFrom', 'value']);
});

test('two images at share 0.5 (one held out, one trained on) finish unscored, with a line that says why', async () => {
  const set: ImageSet = { size: SIZE, count: 2, pixels: new Uint8Array(2 * STRIDE).fill(128, 0, STRIDE) };
  const config = tinyRunConfig({ heldOut: 0.5, steps: 2, evalEvery: 2, evalSamples: 8, seed: 3 });
  const runDir = join(root, 'two');
  const logs: string[] = [];
  const result = await runTraining({ runDir, config, resume: false, cacheDir: '', demoDir: '', images: set, hooks: { onLog: (line) => logs.push(line) } });
  assert.equal(result.step, 2);
  assert.deepEqual((await readMetricsFile(runDir)).evals, []);
  assert.ok(logs.some((line) => /of 2 images 1 is held out and 1 trained on .*not scored/.test(line)), logs.join('\n'));
});
