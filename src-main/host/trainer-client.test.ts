import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nodeTrainerLauncher, TrainerClient, TrainerExitedError } from './trainer-client';

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
    assert.ok(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].includes(report.backend));
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
