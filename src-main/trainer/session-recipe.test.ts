/**
 * Kill and resume with the quality recipe on (issue 12: adaptive augmentation, spectral norm, R1):
 * a run stopped part-way and resumed ends on the same checkpoint bytes as one trained straight through.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunConfig } from '../shared/schema';
import { tinyImageSet, tinyRunConfig } from '../data/test-fixtures';
import { latestCheckpoint, readMetrics } from '../disk/run-folder';
import { runTraining } from './session';

let root: string;

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-recipe-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

// D far faster than G, so that r_t passes the low target and p moves within the 8 steps.
const recipe = (): RunConfig =>
  tinyRunConfig({ steps: 8, seed: 5, ada: 0.1, adaImages: 1000, spectralNorm: true, r1: 5, r1Every: 2, lrD: 0.01, lrG: 1e-4, checkpointEvery: 4, sampleEvery: 4 });

test('a run with adaptive augmentation, spectral norm and R1 on, stopped at step 3 and resumed, ends bit-identical to a straight one', async () => {
  const images = tinyImageSet();
  const dirs = { cacheDir: join(root, 'cache'), demoDir: join(root, 'demo') };
  const straightDir = join(root, 'straight');
  const straight = await runTraining({ runDir: straightDir, config: recipe(), resume: false, images, ...dirs });
  assert.equal(straight.state, 'finished');
  const metrics = await readMetrics(straightDir);
  assert.ok(metrics.every((m) => typeof m.augmentP === 'number'), 'augmentP is logged on every step');
  assert.ok(metrics.at(-1)!.augmentP! > 0, 'p never moved: the resume would not cover it');

  const stoppedDir = join(root, 'stopped');
  const controller = new AbortController();
  const stopped = await runTraining({
    runDir: stoppedDir,
    config: recipe(),
    resume: false,
    images,
    ...dirs,
    signal: controller.signal,
    hooks: { onMetrics: (m) => m.step === 3 && controller.abort() },
  });
  assert.equal(stopped.state, 'stopped');
  assert.equal((await latestCheckpoint(stoppedDir))?.step, 3);
  const resumed = await runTraining({ runDir: stoppedDir, config: recipe(), resume: true, images, ...dirs });
  assert.equal(resumed.state, 'finished');
  const strip = ({ imgPerSec: _i, time: _t, ...rest }: (typeof metrics)[number]) => rest;
  assert.deepEqual((await readMetrics(stoppedDir)).map(strip), metrics.map(strip));
  const a = await readFile((await latestCheckpoint(straightDir))!.path);
  const b = await readFile((await latestCheckpoint(stoppedDir))!.path);
  assert.ok(a.equals(b), 'checkpoints of the straight and the resumed run differ');
});
