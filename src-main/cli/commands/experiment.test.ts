import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writePatternPngs } from '../../data/test-fixtures';
import type { ExperimentState } from '../../shared/experiment';
import { CLI_ENTRY, runCommand } from '../test-cli';

let root: string;
let data: string;
const cli = (args: string[]) => runCommand(process.execPath, [CLI_ENTRY, ...args], { GAN_STUDIO_HOME: join(root, 'home') });
const tiny = ['--size', '32', '--width', '4', '--latent', '8', '--batch', '4', '--ema', '0', '--eval-samples', '8', '--sample-every', '100', '--backend', 'cpu'];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-cli-experiment-'));
  data = join(root, 'pngs');
  await writePatternPngs(data);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('experiment: 2 variants × 2 seeds print the table and the verdict lines; experiment.json lists the 4 runs', async () => {
  const result = await cli(['experiment', '--data', data, '--vary', 'prior=normal,uniform', '--seeds', '2', '--steps', '3', ...tiny]);
  assert.equal(result.code, 0, result.stderr);
  const out = result.stdout;
  assert.match(out, /^prior=normal vs prior=uniform \(exp-[\w-]+\): done, 4\/4 runs/m);
  assert.match(out, /^variant\s+seeds\s+SWD ×10³\s+NDB\/K\s+D loss\s+G loss\s+G steps\s+wall s\s+D flat\s+D real\s+D fake$/m);
  // D's landscape at the end: flatness, mean D(x) on held-out real and on generated images, each in [0, 1]
  assert.match(out, /^prior=normal\s+2\s+\d+\.\d\d ± \d+\.\d\d\s+\d\.\d{3} ± \d\.\d{3}.*\s3\s+\d+\.\d ± \d+\.\d(\s+[01]\.\d{3} ± [01]\.\d{3}){3}$/m);
  assert.match(out, /^D flat: the spread of D over held-out real and generated images at the end/m);
  assert.match(out, /^prior=uniform\s+2\s/m);
  assert.match(out, /^prior=uniform vs prior=normal: SWD .* — (within seed noise|differs beyond seed noise) \(Welch's t, p [=<] [\d.]+\)$/m);
  assert.match(out, /^prior=uniform vs prior=normal: NDB\/K .* \(Welch's t, p [=<] [\d.]+\)$/m);
  assert.match(result.stderr, /run 4\/4 finished/);

  const [id] = await readdir(join(root, 'home', 'experiments'));
  const file = JSON.parse(await readFile(join(root, 'home', 'experiments', id, 'experiment.json'), 'utf8'));
  assert.equal(file.status, 'done');
  assert.deepEqual(file.runs.map((r: { variant: string; seed: number; status: string }) => [r.variant, r.seed, r.status]), [
    ['prior=normal', 1, 'done'], ['prior=normal', 2, 'done'], ['prior=uniform', 1, 'done'], ['prior=uniform', 2, 'done'],
  ]);
  // each run is a normal run folder in the app's runs folder, scored at its end
  for (const run of file.runs) {
    const lines = (await readFile(join(root, 'home', 'runs', run.runId, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.at(-1).step, 3);
    assert.ok(lines.at(-1).eval, `${run.runId} scored at its end`);
  }

  // --resume of a finished experiment trains nothing and prints the same table; --json is one object
  const again = await cli(['experiment', '--resume', id, '--backend', 'cpu', '--json']);
  assert.equal(again.code, 0, again.stderr);
  const state = JSON.parse(again.stdout) as ExperimentState;
  assert.equal(state.runs.length, 4);
  assert.deepEqual(state.verdicts.map((v) => v.metric), ['swd', 'ndbK']);
  for (const row of state.table) assert.ok(row.landscapeSeeds === 2 && row.flatness.mean >= 0 && row.dReal.mean >= 0 && row.dReal.mean <= 1, JSON.stringify(row));
  assert.doesNotMatch(again.stderr, /started/);
});

test('experiment --preset lecture: the baseline and the four one-option changes, 5 variants at equal images seen', async () => {
  const out = join(root, 'lecture');
  const result = await cli(['experiment', '--data', data, '--preset', 'lecture', '--seeds', '1', '--steps', '2', '--out', out, '--json', ...tiny]);
  assert.equal(result.code, 0, result.stderr);
  const state = JSON.parse(result.stdout) as ExperimentState;
  assert.equal(state.preset, 'lecture');
  assert.deepEqual(state.table.map((r) => [r.variant, r.seeds]), [['baseline', 1], ['prior=uniform', 1], ['loss=mm', 1], ['k=5', 1], ['replay=0.5', 1]]);
  // batch 4: 20 images per k = 5 step, so 2 steps of 4 round up to 20 images seen: 5 steps, 1 for k = 5
  assert.deepEqual(state.runs.map((r) => [r.steps, r.imagesSeen]), [[5, 20], [5, 20], [5, 20], [1, 20], [5, 20]]);
  assert.deepEqual([...new Set(state.verdicts.map((v) => v.b))], ['baseline']);
  assert.equal(state.verdicts.length, 8);
});

test('experiment refuses a bad --vary in one line naming the flag', async () => {
  const result = await cli(['experiment', '--data', data, '--vary', 'k=1,0', ...tiny]);
  assert.equal(result.code, 2);
  assert.equal(result.stderr.trim(), 'gan-studio: --vary k: k (D steps per G step) must be at least 1, got 0');
});

test('experiment refuses an --out it cannot write in one line naming the flag', async () => {
  const file = join(root, 'a-file');
  await writeFile(file, 'not a folder');
  const result = await cli(['experiment', '--data', data, '--vary', 'k=1,2', '--seeds', '1', '--steps', '1', '--out', join(file, 'experiments'), ...tiny]);
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr.trim(), `gan-studio: --out ${join(file, 'experiments')}: cannot write the experiment there (a file is in the way); choose a folder you can write to`);
});
