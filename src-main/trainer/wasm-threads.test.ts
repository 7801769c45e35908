import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { threadsPerProcess } from './backend';

const fixture = fileURLToPath(new URL('./wasm-threads.fixture.ts', import.meta.url));

interface FixtureOutput {
  threads: number;
  skipped: Array<{ backend: string; reason: string }>;
  losses: number[][];
}

/**
 * Runs the fixture in its own process (the backend initialises once per process) and waits for the
 * process to exit by itself: a pool thread left referenced would keep it alive and this would not return.
 */
function train(args: string[]): Promise<FixtureOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('exit', (code, signal) => {
      if (code !== 0) reject(new Error(`fixture ${args.join(' ')} ended with ${signal ?? `code ${code}`}: ${stderr}`));
      else resolve(JSON.parse(stdout) as FixtureOutput);
    });
  });
}

test('a seeded run gives the same losses on 1 and on 2 wasm threads, and its process exits by itself', async () => {
  const one = await train(['--threads', '1', '--steps', '20']);
  const two = await train(['--threads', '2', '--steps', '20']);
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2, `2 threads started: ${JSON.stringify(two.skipped)}`);
  assert.equal(two.losses.length, 20);
  for (let step = 0; step < 20; step++) {
    for (let k = 0; k < 4; k++) {
      const a = one.losses[step][k];
      const b = two.losses[step][k];
      assert.ok(Number.isFinite(a) && Number.isFinite(b));
      assert.ok(Math.abs(a - b) <= 1e-5 * Math.abs(a), `step ${step + 1}, value ${k}: ${a} on 1 thread, ${b} on 2`);
    }
  }
});

test('wasm falls back to one thread, and says why, when its threads cannot start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gan-wasm-threads-'));
  try {
    const broken = join(dir, 'tfjs-backend-wasm-threaded-simd.js');
    await writeFile(broken, "throw new Error('a broken build');\n");
    const run = await train(['--threads', '2', '--steps', '2', '--main-script', broken]);
    assert.equal(run.threads, 1);
    assert.match(run.skipped.map((s) => s.reason).join('; '), /a wasm thread failed to start \(a broken build\)/);
    assert.equal(run.losses.length, 2);
    assert.ok(run.losses.flat().every(Number.isFinite));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('each process gets its share of the cores', () => {
  assert.equal(threadsPerProcess({}, 8), 8);
  assert.equal(threadsPerProcess({ concurrentJobs: 2 }, 8), 4);
  assert.equal(threadsPerProcess({ concurrentJobs: 3 }, 8), 2);
  assert.equal(threadsPerProcess({ concurrentJobs: 16 }, 8), 1);
  assert.equal(threadsPerProcess({ concurrentJobs: 2, threads: 3 }, 8), 3);
  assert.equal(threadsPerProcess({}), availableParallelism());
});
