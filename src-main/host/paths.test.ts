/**
 * Paths go down: the host hands the trainer every folder it may use. A host rooted at a custom folder, with
 * HOME and TMPDIR pointed at empty folders of their own, trains a run on the demo set and generates images:
 * everything lands under the root, and nothing under HOME (nor a temp file left behind).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appPaths } from '../disk/app-paths';
import { defaultRunConfig, type RunConfig } from '../shared/schema';
import type { TrainingStatus } from '../shared/contract';
import { dispatch, type Host } from './dispatch';
import { createHost } from './services';
import { nodeTrainerLauncher, TrainerClient } from './trainer-client';

let sandbox: string;
let home: string;
let temp: string;
let root: string;
let host: Host;

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String);
}

before(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'gan-paths-'));
  [home, temp, root] = [join(sandbox, 'home'), join(sandbox, 'tmp'), join(sandbox, 'studio')];
  await Promise.all([home, temp].map((dir) => mkdir(dir)));
  // The trainer gets HOME, TMPDIR and no GAN_STUDIO_HOME: it must not work out a folder of its own.
  // TSX_DISABLE_CACHE: tsx, which runs the trainer from source in tests, keeps its compile cache in TMPDIR.
  const env = { ...process.env, HOME: home, TMPDIR: temp, GAN_STUDIO_HOME: '', GAN_STUDIO_BACKEND: 'cpu', TSX_DISABLE_CACHE: '1' };
  const trainer = new TrainerClient(nodeTrainerLauncher(undefined, env));
  host = createHost({ paths: appPaths(root), trainer, mode: 'browser', version: '0.0.0-test' });
});

after(async () => {
  await host.dispose();
  await rm(sandbox, { recursive: true, force: true });
});

test('a demo run trained through the host writes only under the host root', async () => {
  const config: RunConfig = defaultRunConfig({
    size: 32, width: 4, latent: 8, batch: 4, steps: 2, sampleEvery: 1, checkpointEvery: 1, ema: 0,
    data: { folders: [], settings: { size: 32, mode: 'crop', background: '#ffffff' }, demo: true },
  });
  const finished = new Promise<TrainingStatus>((resolve) => {
    host.on('train.status', (status) => {
      if (['finished', 'failed', 'stopped'].includes(status.state)) resolve(status);
    });
  });
  const summary = (await dispatch(host, 'train.start', { config })) as { id: string };
  const status = await finished;
  assert.equal(status.state, 'finished', status.message);
  await dispatch(host, 'generate.images', { runId: summary.id, n: 2, seed: 1, rankByD: false });

  const written = await filesUnder(root);
  assert.ok(written.some((f) => f.startsWith('demo/')), 'the demo set is made in the host root');
  assert.ok(written.some((f) => f.startsWith('cache/')), 'the dataset cache is the host root');
  assert.ok(written.some((f) => f.startsWith(`runs/${summary.id}/checkpoints/`)));
  assert.deepEqual(await filesUnder(home), [], 'nothing is written under HOME');
  assert.deepEqual(await filesUnder(temp), [], 'no temporary file is left behind');
});
