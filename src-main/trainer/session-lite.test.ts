import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunConfig } from '../shared/schema';
import { tinyImageSet, tinyRunConfig } from '../data/test-fixtures';
import { exportGenerator, generateImages, loadRun } from './generation';
import { latestCheckpoint, readRunConfig } from '../disk/run-folder';
import { runTraining } from './session';

let root: string;

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-lite-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

const liteConfig = (overrides: Partial<RunConfig> = {}): RunConfig =>
  tinyRunConfig({ arch: 'lite', replay: 0.25, augment: ['flip', 'translation'], seed: 7, ...overrides });

test('a lite run stopped and resumed ends with the same checkpoint bytes as a straight one; generate ranks by D; the export loads with tfjs alone', async () => {
  const images = tinyImageSet();
  const tensorsBefore = tf.memory().numTensors;
  const straightDir = join(root, 'straight');
  const straight = await runTraining({ runDir: straightDir, config: liteConfig(), resume: false, cacheDir: '', demoDir: '', images });
  assert.equal(straight.state, 'finished');
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the session leaked tensors');
  assert.equal((await readRunConfig(straightDir)).arch, 'lite');

  const stoppedDir = join(root, 'stopped');
  const controller = new AbortController();
  const stopped = await runTraining({
    runDir: stoppedDir,
    config: liteConfig(),
    resume: false,
    cacheDir: '',
    demoDir: '',
    images,
    signal: controller.signal,
    hooks: { onMetrics: (m) => m.step === 1 && controller.abort() },
  });
  assert.equal(stopped.step, 1);
  const resumed = await runTraining({ runDir: stoppedDir, config: liteConfig(), resume: true, cacheDir: '', demoDir: '', images });
  assert.equal(resumed.state, 'finished');
  const a = await readFile((await latestCheckpoint(straightDir))!.path);
  const b = await readFile((await latestCheckpoint(stoppedDir))!.path);
  assert.ok(a.equals(b), 'checkpoints of the straight and the resumed lite run differ');

  // Ranking by D loads D's weights alone (the decoder is not needed to score).
  const ranked = await generateImages({ runDir: straightDir, outDir: join(root, 'ranked'), n: 3, seed: 9, rankByD: true });
  const scores = ranked.map((r) => r.score!);
  assert.ok(scores.every(Number.isFinite));
  assert.deepEqual([...scores].sort((x, y) => y - x), scores);

  const exportDir = join(root, 'export');
  await exportGenerator({ runDir: straightDir, outDir: exportDir });
  const fetchFunc = async (url: string) => new Response(await readFile(join(exportDir, url.replace('http://model.test/', ''))));
  const loaded = await tf.loadLayersModel(tf.io.http('http://model.test/model.json', { fetchFunc: fetchFunc as unknown as typeof fetch }));
  const run = await loadRun(straightDir);
  const z = tf.randomNormal([2, 8], 0, 1, 'float32', 3);
  const expected = run.generator.predict(z) as tf.Tensor;
  const actual = loaded.predict(z) as tf.Tensor;
  assert.deepEqual(actual.shape, [2, 32, 32, 3]);
  assert.ok(tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0] < 1e-6);
  tf.dispose([z, expected, actual]);
  loaded.dispose();
  run.dispose();
});
