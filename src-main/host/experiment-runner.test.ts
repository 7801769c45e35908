import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writePatternPngs, tinyRunConfig } from '../data/test-fixtures';
import { appPaths, type AppPaths } from '../disk/app-paths';
import { readExperiment } from '../disk/experiment-folder';
import { readRunLock } from '../disk/run-lock';
import { parseVaryText } from '../shared/experiment-plan';
import { createExperiment, ExperimentRunner, type ExperimentEvent, type ExperimentRunnerDeps } from './experiment-runner';
import { experimentState, readRunRef } from './experiment-state';
import { nodeTrainerLauncher } from './trainer-client';

let root: string;
let paths: AppPaths;
let deps: ExperimentRunnerDeps;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-experiment-'));
  paths = appPaths(join(root, 'data'));
  await writePatternPngs(join(root, 'pngs'));
  deps = {
    root: paths.experiments,
    runsDir: paths.runs,
    folders: { dataDir: paths.root, cacheDir: paths.cache, demoDir: paths.demo },
    launch: (jobs) => nodeTrainerLauncher(undefined, { ...process.env, GAN_STUDIO_HOME: paths.root, GAN_STUDIO_BACKEND: 'cpu', GAN_STUDIO_JOBS: String(jobs) }),
    cores: 1,
  };
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** 2 variants (k 1 and 2) × 2 seeds, 24 images each: 6 and 3 steps, a checkpoint every step, scored every 8 images. */
const request = () => ({
  base: tinyRunConfig({ ema: 0, checkpointEvery: 1, sampleEvery: 100, evalSamples: 8, data: { folders: [join(root, 'pngs')], settings: { size: 32, mode: 'crop', background: '#ffffff' } } }),
  vary: [parseVaryText('k=1,2')],
  seeds: 2,
  images: 24,
});

test('an experiment killed mid-run resumes: finished runs are skipped, the killed one resumes, the rest start; the results match an uninterrupted one', async () => {
  // The reference: the same experiment, never interrupted.
  const reference = await createExperiment(deps, request());
  const whole = await new ExperimentRunner(deps).run(reference.id);
  assert.equal(whole.status, 'done');
  assert.deepEqual(whole.runs.map((r) => [r.variant, r.seed, r.steps, r.evalEvery, r.status]), [
    ['k=1', 1, 6, 2, 'done'], ['k=1', 2, 6, 2, 'done'], ['k=2', 1, 3, 1, 'done'], ['k=2', 2, 3, 1, 'done'],
  ]);

  // Kill the trainer (SIGKILL: no checkpoint of its own) while the second run is at step 3, and stop the experiment.
  const file = await createExperiment(deps, request());
  const runner = new ExperimentRunner(deps);
  const second = file.runs[1];
  let killed = false;
  runner.on((_, event) => {
    if (killed || event.kind !== 'step' || event.run.runId !== second.runId || event.step < 3) return;
    killed = true;
    void readRunLock(join(paths.runs, second.runId)).then((owner) => {
      process.kill(owner!.pid, 'SIGKILL');
      void runner.stop('interrupted');
    });
  });
  const stopped = await runner.run(file.id);
  assert.ok(killed);
  assert.equal(stopped.status, 'interrupted');
  assert.deepEqual(stopped.runs.map((r) => r.status), ['done', 'pending', 'pending', 'pending']);
  assert.deepEqual((await readExperiment(paths.experiments, file.id)).runs.map((r) => r.status), ['done', 'pending', 'pending', 'pending']);
  const firstMetrics = await readFile(join(paths.runs, file.runs[0].runId, 'metrics.jsonl'), 'utf8');

  const started: Array<Extract<ExperimentEvent, { kind: 'run-start' | 'run-end' }>> = [];
  const resumer = new ExperimentRunner(deps);
  resumer.on((_, event) => event.kind === 'run-start' && started.push(event));
  const resumed = await resumer.run(file.id);
  assert.equal(resumed.status, 'done');
  assert.deepEqual(started.map((e) => [e.run.runId, e.resumed]), [
    [file.runs[1].runId, true],
    [file.runs[2].runId, false],
    [file.runs[3].runId, false],
  ]);
  assert.equal(await readFile(join(paths.runs, file.runs[0].runId, 'metrics.jsonl'), 'utf8'), firstMetrics, 'the finished run is not trained again');

  const [a, b] = await Promise.all([experimentState(whole), experimentState(resumed)]);
  assert.deepEqual(b.runs.map((r) => r.final), a.runs.map((r) => r.final));
  for (const run of b.runs) {
    assert.ok(run.final && Number.isFinite(run.final.swd), run.runId);
    assert.deepEqual(run.curve.map((p) => p.imagesSeen), [8, 16, 24], run.runId);
  }
  assert.deepEqual(b.table.map((row) => [row.variant, row.seeds]), [['k=1', 2], ['k=2', 2]]);
  assert.equal(b.verdicts.length, 2);
  assert.match(b.verdicts[0].text, /^k=2 vs k=1: SWD .* \(Welch's t, p/);
});

test("--steps is the baseline variant's length: the others see as many images", async () => {
  // base k 1; the grid k 2, 5 has no base value, so its first variant is the baseline: 5 steps of 2 × 4 images
  const file = await createExperiment(deps, { ...request(), vary: [parseVaryText('k=2,5')], seeds: 1, images: 0, steps: 5 });
  assert.equal(file.baseline, 'k=2');
  assert.equal(file.images, 40);
  assert.deepEqual(file.runs.map((r) => [r.variant, r.steps]), [['k=2', 5], ['k=5', 2]]);
  assert.deepEqual(await readExperiment(paths.experiments, file.id), file);
});

test("a run's folder gives D's flatness along its curve and its landscape at the end", async () => {
  const runsDir = join(root, 'landscape-runs');
  await mkdir(join(runsDir, 'r1'), { recursive: true });
  const set = (mean: number) => ({ n: 4, counts: [4, 0], below: 0, above: 0, mean, std: 0 });
  const landscape = (flatness: number, real: number, fake: number) => ({ value: 'probability', bins: { min: 0, max: 1, count: 2 }, real: set(real), realFrom: 'held-out', fake: set(fake), interp: set(0.5), noise: set(0.5), flatness });
  const step = (n: number) => ({ step: n, dLoss: 1.2, gLoss: 0.8, dReal: 0.5, dFake: 0.5, v: 0, jsd: 0, imgPerSec: 1, time: n });
  const score = (n: number, l?: object) => ({ step: n, imagesSeen: n * 8, eval: { swd: 3, swdLevels: [], ndbK: 0.25, bins: 4, memorised: 0, n: 8, real: 8, size: 32, seconds: 1 }, ...(l ? { landscape: l } : {}) });
  // an eval line from before schema 4 (no landscape), then two with one
  const lines = [step(1), score(1), step(2), score(2, landscape(0.25, 0.7, 0.3)), step(4), score(4, landscape(0.125, 0.625, 0.375))];
  await writeFile(join(runsDir, 'r1', 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const ref = await readRunRef(runsDir, { runId: 'r1', variant: 'k=1', seed: 1, status: 'done', steps: 4, evalEvery: 2 }, 8);
  assert.deepEqual(ref.curve.map((p) => p.flatness), [undefined, 0.25, 0.125]);
  assert.deepEqual(ref.final, { swd: 3, ndbK: 0.25, dLoss: 1.2, gLoss: 0.8, landscape: { flatness: 0.125, dReal: 0.625, dFake: 0.375, value: 'probability' } });
});
