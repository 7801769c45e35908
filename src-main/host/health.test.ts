/**
 * Training health through the host, with a real trainer process: a run set up to let D win reports the
 * finding as a 'train.health' event; the remedy's changes go back through 'train.resume', which applies
 * them (config.json, the trainer's schedule) and refuses changes a resume cannot make.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appPaths } from '../disk/app-paths';
import { loadNewestIntactCheckpoint } from '../disk/checkpoint-files';
import { readRunConfig } from '../disk/run-folder';
import { noiseImage } from '../data/test-fixtures';
import { defaultRunConfig, type RunConfig } from '../shared/schema';
import type { HostEvents, TrainingStatus } from '../shared/contract';
import { dispatch, type Host } from './dispatch';
import { createHost } from './services';
import { nodeTrainerLauncher, TrainerClient } from './trainer-client';

let sandbox: string;
let images: string;
let host: Host;

before(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'gan-health-'));
  images = join(sandbox, 'images');
  await mkdir(images);
  for (let i = 0; i < 12; i++) await noiseImage(32, 32, i + 1).png().toFile(join(images, `noise-${i}.png`));
  // wasm: the cpu backend would take minutes over the 50 steps the detector looks back on.
  const env = { ...process.env, GAN_STUDIO_BACKEND: 'wasm' };
  host = createHost({ paths: appPaths(join(sandbox, 'studio')), trainer: new TrainerClient(nodeTrainerLauncher(undefined, env)), mode: 'browser', version: '0.0.0-test' });
});

after(async () => {
  await host.dispose();
  await rm(sandbox, { recursive: true, force: true });
});

/** The next event of a kind that passes `accept`. */
function next<E extends keyof HostEvents>(event: E, accept: (payload: HostEvents[E]) => boolean = () => true): Promise<HostEvents[E]> {
  return new Promise((resolve) => {
    const off = host.on(event, (payload) => {
      if (!accept(payload)) return;
      off();
      resolve(payload);
    });
  });
}

const ended = (status: TrainingStatus) => ['finished', 'failed', 'stopped'].includes(status.state);

test('a run where D wins reports it; its remedy resumes the run with the changes, and a network change is refused', async () => {
  const config: RunConfig = defaultRunConfig({
    size: 16, width: 4, latent: 8, batch: 8, k: 5, lrD: 0.01, lrG: 1e-5, steps: 400, sampleEvery: 10, checkpointEvery: 10, ema: 0,
    data: { folders: [images], settings: { size: 16, mode: 'crop', background: '#ffffff' } },
  });
  const health = next('train.health', ({ findings }) => findings.some((f) => f.kind === 'd-won'));
  const failed = next('train.status', (s) => ended(s));
  const summary = (await dispatch(host, 'train.start', { config })) as { id: string; dir: string };
  const found = await Promise.race([health, failed.then((s) => assert.fail(`the run ended (${s.state}: ${s.message}) before D was found to win`))]);
  assert.equal(found.runId, summary.id);
  const dWon = found.findings.find((f) => f.kind === 'd-won')!;
  assert.ok(dWon.step >= 50, `found at step ${dWon.step}, before a stretch of 50 steps was logged`);
  assert.deepEqual(dWon.remedy, { label: 'Resume with k 5 → 1, Learning rate D 0.01 → 1e-5', changes: { k: 1, lrD: 1e-5 }, resumable: true });

  // The banner's button: stop, then resume with the changes.
  await dispatch(host, 'train.stop', undefined);
  assert.equal(((await dispatch(host, 'train.status', undefined)) as TrainingStatus).state, 'stopped');
  const stoppedAt = (await loadNewestIntactCheckpoint(summary.dir))!;
  await assert.rejects(dispatch(host, 'train.resume', { runId: summary.id, changes: { width: 8 } }), /Model width cannot change when a run resumes: start a new run instead/);
  await assert.rejects(dispatch(host, 'train.resume', { runId: summary.id, changes: { k: 0 } }), /must be at least 1, got 0/);

  const running = next('train.status', (s) => s.state === 'running');
  await dispatch(host, 'train.resume', { runId: summary.id, changes: { ...dWon.remedy.changes, augment: ['color'] } });
  await running;
  const saved = await readRunConfig(summary.dir);
  assert.deepEqual([saved.k, saved.lrD, saved.lrG, saved.augment, saved.width], [1, 1e-5, 1e-5, ['color'], 4]);
  // From the resume on, one D update per G update: the checkpoint's counters say so.
  const checkpointed = new Promise<void>((resolve) => {
    const poll = setInterval(async () => {
      const latest = await loadNewestIntactCheckpoint(summary.dir);
      if (latest && latest.step >= stoppedAt.step + 10) {
        clearInterval(poll);
        resolve();
      }
    }, 200);
  });
  await checkpointed;
  const stopped = next('train.status', (s) => ended(s));
  await dispatch(host, 'train.stop', undefined);
  assert.equal((await stopped).state, 'stopped');
  const resumed = (await loadNewestIntactCheckpoint(summary.dir))!;
  const steps = resumed.step - stoppedAt.step;
  assert.equal(resumed.checkpoint.json.dUpdates - stoppedAt.checkpoint.json.dUpdates, steps, 'k = 1 after the resume');
  assert.equal(stoppedAt.checkpoint.json.dUpdates, 5 * stoppedAt.step, 'k = 5 before it');
});
