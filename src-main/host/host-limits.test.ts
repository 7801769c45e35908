import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appPaths } from '../disk/app-paths';
import { defaultRunConfig } from '../shared/schema';
import { dispatch, type Host } from './dispatch';
import { createHost } from './services';
import { nodeTrainerLauncher, TrainerClient } from './trainer-client';

let home: string;
let host: Host;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'gan-host-limits-'));
  const trainer = new TrainerClient(nodeTrainerLauncher(undefined, { ...process.env, GAN_STUDIO_HOME: home, GAN_STUDIO_BACKEND: 'wasm' }));
  host = createHost({ paths: appPaths(home), trainer, mode: 'browser', version: '0.0.0-test' });
});

after(async () => {
  await host.dispose();
  await rm(home, { recursive: true, force: true });
});

test('train.start with a batch too large for the backend is refused before a run folder is written', async () => {
  const config = defaultRunConfig({ batch: 100_000, data: { folders: [home], settings: { size: 64, mode: 'crop', background: '#ffffff' } } });
  await assert.rejects(dispatch(host, 'train.start', { config }), {
    message: /^batch 100000 needs about \d+ GB of memory to train \(64 px, width 32, latent 128\); the wasm backend can use [\d.]+ GB: use a batch of at most \d+, or a smaller width or size$/,
  });
  const runs = appPaths(home).runs;
  assert.deepEqual(existsSync(runs) ? await readdir(runs) : [], []);
  assert.equal((await dispatch(host, 'train.status', undefined) as { state: string }).state, 'idle');
});
