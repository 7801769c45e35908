import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { nodeTrainerLauncher, TrainerClient } from '../host/trainer-client';

const outMain = fileURLToPath(new URL('../../out/main/', import.meta.url));

/** The trainer bundle electron-vite built for `?modulePath`: the path the main bundle forks. */
function builtTrainerEntry(): string {
  const mainBundle = join(outMain, 'index.js');
  assert.ok(existsSync(mainBundle), 'out/main/index.js is missing: run `npm run build` first (npm test does)');
  const match = /["'](\.\/chunks\/index-[0-9a-f]+\.js)["']/.exec(readFileSync(mainBundle, 'utf8'));
  assert.ok(match, 'the main bundle names no trainer chunk');
  return join(outMain, match[1]);
}

test('the built trainer bundle runs under plain Node and reports its backend', async () => {
  const entry = builtTrainerEntry();
  const home = await mkdtemp(join(tmpdir(), 'gan-bundle-'));
  const client = new TrainerClient(nodeTrainerLauncher(entry, { ...process.env, GAN_STUDIO_HOME: home }));
  try {
    const report = await client.request('backend.report', undefined);
    assert.equal(report.pid, client.pid);
    assert.match(report.runtime, /^node /);
    assert.ok(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'].includes(report.backend));
  } finally {
    await client.stop();
    await rm(home, { recursive: true, force: true });
  }
});
