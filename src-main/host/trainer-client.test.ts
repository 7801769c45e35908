import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { noiseImage } from '../data/test-fixtures';
import { listCheckpoints, readMetrics } from '../disk/run-folder';
import { defaultRunConfig } from '../shared/schema';
import type { TrainerMessage } from '../shared/contract';
import { nodeTrainerLauncher, TrainerClient, TrainerExitedError, type TrainerProcess } from './trainer-client';

describe('TrainerClient with a real trainer process', () => {
  let home: string;
  let client: TrainerClient;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'gan-trainer-'));
    client = new TrainerClient(nodeTrainerLauncher(undefined, { ...process.env, GAN_STUDIO_HOME: home }));
  });

  after(async () => {
    await client.stop();
    await rm(home, { recursive: true, force: true });
  });

  test('starts on the first request and reports its backend', async () => {
    const report = await client.request('backend.report', undefined);
    assert.ok(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'].includes(report.backend));
    assert.equal(report.tfjsVersion.split('.')[0], '4');
    assert.ok(report.threads >= 1);
    assert.equal(report.pid, client.pid);
    // tfjs-node(-gpu) are optional and cannot be downloaded on our machines: each one skipped says why.
    for (const skipped of report.skipped) assert.ok(skipped.reason.length > 0);
  });

  test('killing the trainer mid-request rejects the caller; the next request starts a new trainer', async () => {
    await client.ready();
    const firstPid = client.pid;
    const exits: string[] = [];
    const stopListening = client.onExit((info) => exits.push(info.reason));
    const slow = client.request('debug.sleep', { ms: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(firstPid!, 'SIGKILL');
    await assert.rejects(slow, (error: unknown) => error instanceof TrainerExitedError && /killed \(SIGKILL\)/.test(error.message));
    assert.deepEqual(exits, ['the trainer process was killed (SIGKILL)']);
    stopListening();

    const report = await client.request('backend.report', undefined);
    assert.notEqual(report.pid, firstPid);
    assert.equal(report.pid, client.pid);
  });

  test('an unknown request is answered with an error, and the trainer lives on', async () => {
    await assert.rejects(client.request('no.such' as 'backend.report', undefined), /unknown trainer request: no\.such/);
    const report = await client.request('backend.report', undefined);
    assert.equal(report.pid, client.pid);
  });
});

describe('TrainerClient.stop keeps the training run', () => {
  test('a run in training saves a checkpoint of its current step before the trainer ends', async () => {
    const home = await mkdtemp(join(tmpdir(), 'gan-trainer-stop-'));
    try {
      const images = join(home, 'images');
      await mkdir(images);
      for (let i = 0; i < 6; i++) await noiseImage(24, 24, i + 1).png().toFile(join(images, `img-${i}.png`));
      const client = new TrainerClient(nodeTrainerLauncher(undefined, { ...process.env, GAN_STUDIO_HOME: home, GAN_STUDIO_BACKEND: 'cpu' }));
      let lastStep = 0;
      const fiveSteps = new Promise<void>((resolve) =>
        client.onEvent('train.metrics', ({ metrics }) => {
          lastStep = metrics.at(-1)!.step;
          if (lastStep >= 5) resolve();
        }),
      );
      const runDir = join(home, 'run');
      const config = defaultRunConfig({
        size: 16, width: 4, latent: 8, batch: 4, steps: 100_000, sampleEvery: 100_000, checkpointEvery: 100_000,
        data: { folders: [images], settings: { size: 16, mode: 'crop', background: '#ffffff' } },
      });
      await client.request('train.start', { runDir, config, resume: false, dataDir: home, cacheDir: join(home, 'cache'), demoDir: join(home, 'demo') });
      await fiveSteps;
      await client.stop();
      assert.equal(client.running, false);
      const checkpoints = await listCheckpoints(runDir);
      assert.ok(checkpoints.length > 0, 'no checkpoint was written');
      assert.equal(checkpoints.at(-1)!.step, (await readMetrics(runDir)).at(-1)!.step);
      assert.ok(checkpoints.at(-1)!.step >= lastStep);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  test('a trainer that neither answers nor exits is asked to end, then killed once the grace period is over', async () => {
    const kills: Array<boolean | undefined> = [];
    const exitListeners: Array<(code: number | null, signal: string | null) => void> = [];
    let onMessage: ((message: TrainerMessage) => void) | null = null;
    // A stand-in for a hung trainer process: ready, then deaf to requests and to SIGTERM.
    const hung: TrainerProcess = {
      pid: 12345,
      postMessage: () => {},
      onMessage: (listener) => (onMessage = listener),
      onExit: (listener) => exitListeners.push(listener),
      kill: (force) => {
        kills.push(force);
        if (force) for (const listener of exitListeners) listener(null, 'SIGKILL');
      },
    };
    const client = new TrainerClient(() => hung);
    const ready = client.ready();
    onMessage!({ kind: 'ready', report: { backend: 'cpu' } as never });
    await ready;
    await client.stop(50);
    assert.deepEqual(kills, [undefined, true]);
    assert.equal(client.running, false);
  });
});
