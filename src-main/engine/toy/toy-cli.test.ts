import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

// The `toy` command lives in src-main/cli/commands/toy.ts; its test sits with the engine it drives.
const cli = fileURLToPath(new URL('../../cli/gan-studio.mjs', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [cli, 'toy', ...args], { encoding: 'utf8' });
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

test('runs trained in parallel worker processes (--jobs) score exactly as one after another', () => {
  const args = ['--steps', '20', '--width', '8', '--batch', '16', '--runs', '2', '--json'];
  const reports = ['1', '2'].map((jobs) => {
    const result = run(...args, '--jobs', jobs);
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as { results: Array<{ dist: string; runs: Array<Record<string, number>> }> };
  });
  const scores = (report: (typeof reports)[number]) =>
    report.results.map(({ dist, runs }) => ({ dist, runs: runs.map(({ seconds: _seconds, ...scored }) => scored) }));
  assert.deepEqual(scores(reports[1]), scores(reports[0]));
  assert.deepEqual(reports[0].results.map((r) => r.dist), ['ring8', 'grid25']);
  assert.deepEqual(reports[0].results[1].runs.map((r) => r.seed), [0, 1]);
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
  for (const args of [['--jobs', '0'], ['--replay', '2'], ['--loss', 'wgan'], ['--steps', 'many'], ['--dist', 'moons'], ['--nope']]) {
    const result = run(...args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.ok(result.stderr.trim().length > 0);
  }
  const replay = run('--replay', '2');
  assert.equal(replay.stderr.trim().split('\n').length, 1);
});
