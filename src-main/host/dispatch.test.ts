/** The edge: every request's parameters are checked against the contract's schemas before any handler runs. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appPaths } from '../disk/app-paths';
import { defaultRunConfig } from '../shared/schema';
import { dispatch, HostError, type Host } from './dispatch';
import { createHost } from './services';
import { nodeTrainerLauncher, TrainerClient } from './trainer-client';

let root: string;
let host: Host;
let trainer: TrainerClient;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-dispatch-'));
  trainer = new TrainerClient(nodeTrainerLauncher());
  host = createHost({ paths: appPaths(join(root, 'studio')), trainer, mode: 'browser', version: '0.0.0-test' });
});

after(async () => {
  await host.dispose();
  await rm(root, { recursive: true, force: true });
});

async function refusal(method: unknown, params: unknown): Promise<string> {
  const error = await dispatch(host, method, params).then(() => null, (e: unknown) => e);
  assert.ok(error instanceof HostError, `${String(method)} must be refused with a HostError, got ${String(error)}`);
  return error.message;
}

test('train.start with an invalid config is refused field by field and writes nothing', async () => {
  assert.match(await refusal('train.start', { config: null }), /train\.start: .*object/);
  const config = { ...defaultRunConfig({ data: { folders: ['/x'], settings: { size: 64, mode: 'crop', background: '#fff' } } }), k: 0, prior: 'cauchy' };
  const message = await refusal('train.start', { config });
  assert.match(message, /k \(D steps per G step\) must be at least 1, got 0/);
  assert.match(message, /Latent prior must be one of normal, uniform, got "cauchy"/);
  assert.deepEqual(await readdir(join(root, 'studio')).catch(() => []), [], 'no run folder, no app folder');
  assert.equal(trainer.running, false, 'the trainer was not even started');
});

test('ids, numbers and unknown methods are checked before any handler', async () => {
  assert.match(await refusal('runs.delete', { runId: '..' }), /not a valid run id/);
  assert.match(await refusal('runs.get', { runId: 'a/b' }), /not a valid run id/);
  assert.match(await refusal('generate.images', { runId: 'r1', n: -1, seed: 0, rankByD: false }), /n must be a whole number/);
  assert.match(await refusal('runs.get', null), /object of parameters/);
  assert.match(await refusal('no.such.method', {}), /unknown request/);
  assert.match(await refusal(null, {}), /malformed request: "method" must be a string/);
  assert.match(await refusal('__proto__', {}), /unknown request/);
});
