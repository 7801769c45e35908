import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

// The `toy` command lives in src-main/cli/commands/toy.ts; its test sits with the engine it drives.
const cli = fileURLToPath(new URL('../../cli/gan-studio.mjs', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [cli, 'toy', ...args], { encoding: 'utf8', timeout: 60_000 });
}

test('gan-studio toy --json prints mean ± std of the mode metrics over runs', () => {
  const result = run('--dist', 'ring8', '--steps', '5', '--width', '8', '--batch', '16', '--runs', '2', '--seed', '3', '--json');
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.backend.name, 'wasm');
  assert.equal(report.config.steps, 5);
  assert.equal(report.results.length, 1);
  const [ring] = report.results;
  assert.equal(ring.dist, 'ring8');
  assert.equal(ring.method, 'gan');
  assert.deepEqual(ring.runs.map((r: { seed: number }) => r.seed), [3, 4]);
  for (const key of ['modesCaptured', 'highQuality', 'reverseKL', 'jsdEstimate', 'histogramJsd', 'dFlatness']) {
    assert.equal(typeof ring.summary[key].mean, 'number', key);
    assert.equal(typeof ring.summary[key].std, 'number', key);
  }
  assert.equal(ring.runs[0].totalModes, 8);
});

test('gan-studio toy --gmm K runs the EM baseline on both reference distributions', () => {
  const result = run('--gmm', '8', '--json');
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(report.results.map((r: { dist: string }) => r.dist), ['ring8', 'grid25']);
  assert.equal(report.results[0].method, 'gmm');
  assert.equal(report.results[0].summary.modesCaptured.mean, 8);
  assert.equal(report.results[0].summary.jsdEstimate.mean, null);
});

test('bad options exit with code 2 and one line on stderr', () => {
  for (const args of [['--replay', '2'], ['--loss', 'wgan'], ['--steps', 'many'], ['--dist', 'moons'], ['--nope']]) {
    const result = run(...args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.ok(result.stderr.trim().length > 0);
  }
  const replay = run('--replay', '2');
  assert.equal(replay.stderr.trim().split('\n').length, 1);
});
