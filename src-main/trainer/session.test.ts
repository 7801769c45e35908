import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { RunConfig } from '../shared/schema';
import type { BackendReport, EvalMetrics, StepMetrics } from '../shared/contract';
import { tinyImageSet as tinyImages, tinyRunConfig } from '../data/test-fixtures';
import { exportGenerator, generateImages, loadRun, writeInterpolationGif } from './generation';
import { latestCheckpoint, readMetrics, readMetricsFile, readRunConfig } from '../disk/run-folder';
import { runTraining } from './session';

let root: string;

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-session-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

const tinyConfig = (overrides: Partial<RunConfig> = {}): RunConfig => tinyRunConfig({ replay: 0.25, augment: ['flip', 'translation'], seed: 5, ...overrides });

test('runTraining writes the run folder; a stopped run resumes to the same weights as a straight one', async () => {
  const images = tinyImages();
  const tensorsBefore = tf.memory().numTensors;
  const straightDir = join(root, 'straight');
  const seen: number[] = [];
  const samples: number[] = [];
  const states: string[] = [];
  const result = await runTraining({
    runDir: straightDir,
    config: tinyConfig(),
    resume: false,
    cacheDir: join(root, 'cache'),
    demoDir: join(root, 'demo'),
    images,
    hooks: {
      onMetrics: (m) => seen.push(m.step),
      onSample: (s) => samples.push(s.step),
      onState: (s) => states.push(s),
    },
  });
  assert.equal(result.state, 'finished');
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the session leaked tensors');
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.deepEqual(samples, [0, 2, 4]);
  assert.deepEqual(states, ['starting', 'running']);
  assert.deepEqual(await readdir(join(straightDir, 'samples')), ['step-000000.png', 'step-000002.png', 'step-000004.png']);
  assert.deepEqual(await readdir(join(straightDir, 'checkpoints')), ['step-000002.ckpt', 'step-000004.ckpt']);
  const meta = await sharp(join(straightDir, 'samples', 'step-000004.png')).metadata();
  assert.equal(meta.width, 8 * 32 + 9 * 2);
  const metrics = await readMetrics(straightDir);
  assert.deepEqual(Object.keys(metrics[0]).sort(), ['augmentP', 'dFake', 'dLoss', 'dReal', 'gLoss', 'imgPerSec', 'jsd', 'rt', 'step', 'time', 'v'].sort());
  assert.equal((await readRunConfig(straightDir)).steps, 4);

  // Stop after step 1 (the abort lands between iterations), then resume with the same total.
  const stoppedDir = join(root, 'stopped');
  const controller = new AbortController();
  const stopped = await runTraining({
    runDir: stoppedDir,
    config: tinyConfig(),
    resume: false,
    cacheDir: join(root, 'cache'),
    demoDir: join(root, 'demo'),
    images,
    signal: controller.signal,
    hooks: { onMetrics: (m) => m.step === 1 && controller.abort() },
  });
  assert.equal(stopped.state, 'stopped');
  assert.equal(stopped.step, 1);
  assert.equal((await latestCheckpoint(stoppedDir))?.step, 1);
  const resumedSteps: number[] = [];
  const resumed = await runTraining({
    runDir: stoppedDir,
    config: tinyConfig(),
    resume: true,
    cacheDir: join(root, 'cache'),
    demoDir: join(root, 'demo'),
    images,
    hooks: { onMetrics: (m) => resumedSteps.push(m.step) },
  });
  assert.equal(resumed.state, 'finished');
  assert.deepEqual(resumedSteps, [2, 3, 4]);
  assert.deepEqual((await readMetrics(stoppedDir)).map((m) => m.step), [1, 2, 3, 4]);
  const a = await readFile((await latestCheckpoint(straightDir))!.path);
  const b = await readFile((await latestCheckpoint(stoppedDir))!.path);
  assert.ok(a.equals(b), 'checkpoints of the straight and the resumed run differ');

  // Two more steps on top: the host's "train N more".
  const more = await runTraining({ runDir: stoppedDir, config: tinyConfig(), resume: true, extraSteps: 2, cacheDir: '', demoDir: '', images });
  assert.equal(more.step, 6);
  assert.equal((await readRunConfig(stoppedDir)).steps, 6);

  await assert.rejects(
    runTraining({ runDir: straightDir, config: tinyConfig(), resume: false, cacheDir: '', demoDir: '', images }),
    /already holds a trained run/,
  );
});

test('quality scores: a scored run trains bit for bit as an unscored one; a stop before a score is made good on resume', async () => {
  const images = tinyImages();
  const config = (overrides: Partial<RunConfig> = {}) => tinyConfig({ steps: 4, evalEvery: 2, evalSamples: 8, ...overrides });
  const train = (runDir: string, overrides: Partial<RunConfig>, resume = false, hooks = {}, signal?: AbortSignal) =>
    runTraining({ runDir, config: config(overrides), resume, cacheDir: '', demoDir: '', images, hooks, signal });
  const losses = (metrics: StepMetrics[]) => metrics.map(({ imgPerSec: _rate, time: _time, ...rest }) => rest);
  const scores = (evals: EvalMetrics[]) => evals.map(({ eval: { seconds: _seconds, ...rest }, ...line }) => ({ ...line, eval: rest }));
  const newestCheckpoint = async (runDir: string) => readFile((await latestCheckpoint(runDir))!.path);

  const offDir = join(root, 'eval-off');
  await train(offDir, { evalEvery: 0 });
  const onDir = join(root, 'eval-on');
  const heard: EvalMetrics[] = [];
  const tensorsBefore = tf.memory().numTensors;
  await train(onDir, {}, false, { onEval: (e: EvalMetrics) => heard.push(e) });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'scoring leaked tensors');

  const off = await readMetricsFile(offDir);
  const on = await readMetricsFile(onDir);
  assert.deepEqual(off.evals, []);
  assert.deepEqual(losses(on.metrics), losses(off.metrics), 'scoring changed the training losses');
  assert.ok((await newestCheckpoint(onDir)).equals(await newestCheckpoint(offDir)), 'scoring changed the trained weights');
  assert.deepEqual(on.evals, heard);
  assert.deepEqual(on.evals.map((e) => [e.step, e.imagesSeen]), [[2, 8], [4, 16]]);
  for (const { eval: e } of on.evals) {
    assert.deepEqual([e.n, e.real, e.size, e.bins], [8, 8, 32, 8]);
    assert.deepEqual(e.swdLevels.map((l) => l.size), [32, 16]);
    assert.ok(e.swd > 0 && Number.isFinite(e.swd), `SWD ${e.swd}`);
    assert.ok(e.ndbK >= 0 && e.ndbK <= 1 && e.memorised >= 0 && e.memorised <= 1);
    assert.ok(e.seconds > 0);
  }
  // Each score's line follows its step's line; the step readers see the steps only.
  const lines = (await readFile(join(onDir, 'metrics.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { step: number; eval?: unknown });
  assert.deepEqual(lines.map((l) => `${l.step}${l.eval ? 'q' : ''}`), ['1', '2', '2q', '3', '4', '4q']);
  assert.deepEqual((await readMetrics(onDir)).map((m) => m.step), [1, 2, 3, 4]);

  // Stopped at step 2 before its score (the score notices the stop and is dropped), then resumed.
  const stoppedDir = join(root, 'eval-stopped');
  const controller = new AbortController();
  const stopped = await train(stoppedDir, {}, false, { onMetrics: (m: StepMetrics) => m.step === 2 && controller.abort() }, controller.signal);
  assert.equal(stopped.step, 2);
  assert.deepEqual((await readMetricsFile(stoppedDir)).evals, []);
  await train(stoppedDir, {}, true);
  const resumed = await readMetricsFile(stoppedDir);
  assert.deepEqual(scores(resumed.evals), scores(on.evals), 'the resumed run scored differently');
  assert.deepEqual(losses(resumed.metrics), losses(on.metrics));
  assert.ok((await newestCheckpoint(stoppedDir)).equals(await newestCheckpoint(onDir)), 'checkpoints of the straight and the resumed run differ');
  // Killed after step 4 was logged and scored but its checkpoint lost: the resume from step 2 drops
  // the later lines, score included, and logs them again as they were.
  const finalCheckpoint = await newestCheckpoint(onDir);
  await rm((await latestCheckpoint(onDir))!.path);
  await train(onDir, {}, true);
  const redone = await readMetricsFile(onDir);
  assert.deepEqual(scores(redone.evals), scores(on.evals));
  assert.deepEqual(losses(redone.metrics), losses(on.metrics));
  assert.ok((await newestCheckpoint(onDir)).equals(finalCheckpoint));
  // Two more steps: the scores so far are kept, the new end is scored.
  await runTraining({ runDir: onDir, config: config(), resume: true, extraSteps: 2, cacheDir: '', demoDir: '', images });
  assert.deepEqual((await readMetricsFile(onDir)).evals.map((e) => e.step), [2, 4, 6]);
});

test('a run records its backend and thread count, and warns when resumed on others', async () => {
  const images = tinyImages();
  const runDir = join(root, 'compute');
  const report = (backend: BackendReport['backend'], threads: number): BackendReport => ({
    backend,
    label: backend,
    device: 'CPU',
    threads,
    tfjsVersion: tf.version.tfjs,
    skipped: [],
    pid: process.pid,
    runtime: 'node',
  });
  const train = async (steps: number, backendReport: BackendReport, resume: boolean) => {
    const logs: string[] = [];
    await runTraining({ runDir, config: tinyConfig({ steps }), resume, cacheDir: '', demoDir: '', images, backendReport, hooks: { onLog: (m) => logs.push(m) } });
    return logs.filter((m) => /goes on on/.test(m));
  };
  assert.deepEqual(await train(1, report('wasm', 2), false), []);
  assert.deepEqual((await readRunConfig(runDir)).compute, { backend: 'wasm', threads: 2 });
  // The same setup: no warning.
  assert.deepEqual(await train(2, report('wasm', 2), true), []);
  assert.deepEqual(await train(3, report('wasm', 1), true), [
    'this run trained on wasm, 2 threads until now and goes on on wasm, 1 thread: rounding may differ, so it may not match a run trained on one setup throughout bit for bit',
  ]);
  assert.deepEqual((await readRunConfig(runDir)).compute, { backend: 'wasm', threads: 1 });
  assert.equal((await train(4, report('cpu', 1), true)).length, 1);
  assert.deepEqual((await readRunConfig(runDir)).compute, { backend: 'cpu', threads: 1 });
});

test('generate, rank by D, interpolate and export from a run folder', async () => {
  const runDir = join(root, 'gen');
  await runTraining({ runDir, config: tinyConfig({ steps: 2, augment: [] }), resume: false, cacheDir: '', demoDir: '', images: tinyImages() });

  const plain = await generateImages({ runDir, outDir: join(root, 'out1'), n: 3, seed: 9, rankByD: false, grid: join(root, 'grid.png') });
  assert.equal(plain.length, 3);
  assert.equal((await sharp(plain[0].path).metadata()).width, 32);
  assert.ok((await sharp(join(root, 'grid.png')).metadata()).width! > 32);
  const ranked = await generateImages({ runDir, outDir: join(root, 'out2'), n: 4, seed: 9, rankByD: true });
  const scores = ranked.map((r) => r.score!);
  assert.deepEqual([...scores].sort((x, y) => y - x), scores);
  // The same seed gives the same images.
  const again = await generateImages({ runDir, outDir: join(root, 'out3'), n: 3, seed: 9, rankByD: false });
  assert.ok((await readFile(again[1].path)).equals(await readFile(plain[1].path)));

  const gif = join(root, 'walk.gif');
  await writeInterpolationGif({ runDir, outFile: gif, frames: 6, seed: 1 });
  const gifMeta = await sharp(gif, { animated: true }).metadata();
  assert.equal(gifMeta.format, 'gif');
  assert.equal(gifMeta.pages, 6);

  // The export loads through tfjs's HTTP loader, as in a web page, and computes what the run's generator does.
  const exportDir = join(root, 'export');
  const { modelJson } = await exportGenerator({ runDir, outDir: exportDir });
  const fetchFunc = async (url: string) => {
    const file = join(exportDir, url.replace('http://model.test/', ''));
    return new Response(await readFile(file));
  };
  const loaded = await tf.loadLayersModel(tf.io.http('http://model.test/model.json', { fetchFunc: fetchFunc as unknown as typeof fetch }));
  assert.ok(modelJson.endsWith('model.json'));
  const run = await loadRun(runDir);
  const z = tf.randomNormal([2, 8], 0, 1, 'float32', 3);
  const expected = run.generator.predict(z) as tf.Tensor;
  const actual = loaded.predict(z) as tf.Tensor;
  assert.deepEqual(actual.shape, [2, 32, 32, 3]);
  assert.ok(tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0] < 1e-6);
  tf.dispose([z, expected, actual]);
  loaded.dispose();
  run.dispose();
});
