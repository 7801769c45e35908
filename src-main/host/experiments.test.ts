import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tinyRunConfig, writePatternPngs } from '../data/test-fixtures';
import { appPaths, type AppPaths } from '../disk/app-paths';
import type { ExperimentSummary } from '../shared/experiment';
import { dispatch, type Host } from './dispatch';
import { createHost } from './services';
import { nodeTrainerLauncher, TrainerClient } from './trainer-client';

let root: string;
let paths: AppPaths;
let host: Host;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-experiments-host-'));
  paths = appPaths(join(root, 'data'));
  await writePatternPngs(join(root, 'pngs'));
  const env = { ...process.env, GAN_STUDIO_HOME: paths.root, GAN_STUDIO_BACKEND: 'cpu' };
  host = createHost({
    paths,
    trainer: new TrainerClient(nodeTrainerLauncher(undefined, env)),
    experimentLauncher: (jobs) => nodeTrainerLauncher(undefined, { ...env, GAN_STUDIO_JOBS: String(jobs) }),
    mode: 'browser',
    version: '0.0.0-test',
    home: root,
  });
});

after(async () => {
  await host.dispose();
  await rm(root, { recursive: true, force: true });
});

const config = () => tinyRunConfig({ ema: 0, sampleEvery: 100, evalSamples: 8, data: { folders: [join(root, 'pngs')], settings: { size: 32, mode: 'crop', background: '#ffffff' } } });

test('an experiment through the host: start, progress events until done, get() has the table and the verdicts', async () => {
  const progress: ExperimentSummary[] = [];
  const done = new Promise<ExperimentSummary>((resolve) =>
    host.on('experiment.progress', (summary) => {
      progress.push(summary);
      if (summary.status !== 'running') resolve(summary);
    }),
  );
  const started = (await dispatch(host, 'experiments.start', { config: config(), preset: 'loss', seeds: 2, images: 16 })) as ExperimentSummary;
  assert.deepEqual([started.status, started.variants, started.seeds, started.runsTotal], ['running', 2, 2, 4]);
  await assert.rejects(dispatch(host, 'experiments.start', { config: config(), preset: 'k', seeds: 1, images: 8 }), /is running; cancel it or wait/);

  const end = await done;
  assert.equal(end.status, 'done');
  assert.equal(end.runsDone, 4);
  assert.ok(progress.some((p) => p.status === 'running' && p.runsDone < 4));

  const state = (await dispatch(host, 'experiments.get', { id: started.id })) as import('../shared/experiment').ExperimentState;
  assert.equal(state.status, 'done');
  assert.equal(state.imagesSeen, 4 * 16);
  assert.deepEqual(state.table.map((row) => [row.variant, row.seeds, row.steps]), [['loss=mm', 2, 4], ['loss=ns', 2, 4]]);
  for (const row of state.table) assert.ok(Number.isFinite(row.swd.mean) && Number.isFinite(row.ndbK.std) && row.seconds.mean > 0);
  assert.deepEqual(state.verdicts.map((v) => [v.a, v.b, v.metric]), [['loss=mm', 'loss=ns', 'swd'], ['loss=mm', 'loss=ns', 'ndbK']]);
  for (const v of state.verdicts) assert.match(v.text, /^loss=mm vs loss=ns: (SWD|NDB\/K) .* — (within seed noise|differs beyond seed noise) \(Welch's t, p/);
  // every run is a normal run folder in the runs folder, scored at its end
  assert.deepEqual((await readdir(paths.runs)).sort(), state.runs.map((r) => r.runId).sort());
  for (const run of state.runs) assert.equal(run.curve.at(-1)?.imagesSeen, 16);

  const list = (await dispatch(host, 'experiments.list', undefined)) as ExperimentSummary[];
  assert.deepEqual(list.map((e) => [e.id, e.status, e.runsDone]), [[started.id, 'done', 4]]);
});

test('bad experiment requests are refused in one line, before anything is written', async () => {
  const list = () => readdir(paths.experiments).catch(() => [] as string[]);
  const before = await list();
  await assert.rejects(dispatch(host, 'experiments.start', { config: config(), vary: [{ option: 'k', values: [1, 0] }], seeds: 2, images: 16 }), /^Error: vary: k: /);
  await assert.rejects(dispatch(host, 'experiments.start', { config: config(), vary: [{ option: 'nope', values: [1, 2] }], seeds: 2, images: 16 }), /vary: nope: not a run option/);
  await assert.rejects(dispatch(host, 'experiments.start', { config: config(), preset: 'k', seeds: 11, images: 16 }), /seeds must be a whole number from 1 to 10/);
  await assert.rejects(dispatch(host, 'experiments.start', { config: config(), preset: 'k', vary: [{ option: 'loss', values: ['mm', 'ns'] }, { option: 'prior', values: ['normal', 'uniform'] }], seeds: 1, images: 8 }), /^Error: vary: an experiment varies at most two options/);
  const missing = join(root, 'not-there');
  await assert.rejects(dispatch(host, 'experiments.start', { config: { ...config(), data: { ...config().data, folders: [missing] } }, preset: 'k', seeds: 1, images: 8 }), { message: `data.folders: folder not found: ${missing}` });
  await assert.rejects(dispatch(host, 'experiments.start', { config: { ...config(), data: { ...config().data, folders: [] } }, preset: 'k', seeds: 1, images: 8 }), { message: 'config: the run has no dataset folder: choose one, or the demo set' });
  await assert.rejects(dispatch(host, 'experiments.get', { id: '../x' }), /not a valid experiment id/);
  await assert.rejects(dispatch(host, 'experiments.get', { id: 'exp-none' }), /no experiment exp-none/);
  assert.deepEqual(await list(), before);
});

test('cancel keeps the runs done so far and leaves the experiment resumable; resume finishes it', async () => {
  const next = (status: string) =>
    new Promise<ExperimentSummary>((resolve) => {
      const off = host.on('experiment.progress', (summary) => {
        if (summary.status === status && (status !== 'running' || summary.imagesSeen > 0)) {
          off();
          resolve(summary);
        }
      });
    });
  const training = next('running');
  const started = (await dispatch(host, 'experiments.start', { config: { ...config(), checkpointEvery: 1 }, vary: [{ option: 'lr-g', values: [1e-4, 2e-4] }], seeds: 1, images: 40 })) as ExperimentSummary;
  const cancelled = next('cancelled');
  await training;
  await dispatch(host, 'experiments.cancel', { id: started.id });
  assert.equal((await cancelled).status, 'cancelled');
  const stopped = (await dispatch(host, 'experiments.get', { id: started.id })) as import('../shared/experiment').ExperimentState;
  assert.equal(stopped.status, 'cancelled');
  assert.ok(stopped.runs.some((r) => r.status === 'cancelled'), JSON.stringify(stopped.runs.map((r) => r.status)));

  const done = next('done');
  const resumed = (await dispatch(host, 'experiments.resume', { id: started.id })) as ExperimentSummary;
  assert.equal(resumed.status, 'running');
  assert.equal((await done).runsDone, 2);
  const state = (await dispatch(host, 'experiments.get', { id: started.id })) as import('../shared/experiment').ExperimentState;
  assert.deepEqual(state.runs.map((r) => [r.variant, r.status, r.curve.at(-1)?.imagesSeen]), [['lr-g=0.0001', 'done', 40], ['lr-g=0.0002', 'done', 40]]);
});
