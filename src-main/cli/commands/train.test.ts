import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writePatternPngs } from '../../data/test-fixtures';
import { CLI_ENTRY, runCommand, type CommandResult } from '../test-cli';
import sharp from 'sharp';

let root: string;
let data: string;

type Result = CommandResult;
const cli = (args: string[], onStdout?: (stdout: string, child: ChildProcess) => void): Promise<Result> =>
  runCommand(process.execPath, [CLI_ENTRY, ...args], { GAN_STUDIO_HOME: join(root, 'home') }, onStdout);

const tiny = ['--size', '32', '--width', '4', '--latent', '8', '--batch', '4', '--backend', 'cpu'];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-cli-'));
  data = join(root, 'pngs');
  await writePatternPngs(data);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('train --json, --resume, generate, interpolate and export as real child processes', async () => {
  const run = join(root, 'run');
  const first = await cli(['train', '--data', data, '--out', run, ...tiny, '--steps', '2', '--sample-every', '1', '--json']);
  assert.equal(first.code, 0, first.stderr);
  const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.step), [1, 2]);
  for (const key of ['step', 'dLoss', 'gLoss', 'dReal', 'dFake', 'v', 'jsd', 'rt', 'imgPerSec', 'time']) assert.ok(key in lines[0], key);
  assert.match(first.stderr, /backend: CPU · cpu/);
  assert.deepEqual(await readdir(join(run, 'samples')), ['step-000000.png', 'step-000001.png', 'step-000002.png']);

  const resumed = await cli(['train', '--out', run, '--resume', '--steps', '3', '--backend', 'cpu', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(resumed.stdout.trim().split('\n').map((l) => JSON.parse(l).step), [3]);
  const metrics = (await readFile(join(run, 'metrics.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(metrics.length, 3);

  const gen = await cli(['generate', '--run', run, '--n', '3', '--out', join(root, 'gen'), '--seed', '1', '--rank-by-d', '--grid', join(root, 'grid.png'), '--backend', 'cpu']);
  assert.equal(gen.code, 0, gen.stderr);
  assert.deepEqual(await readdir(join(root, 'gen')), ['image-0001.png', 'image-0002.png', 'image-0003.png']);
  assert.ok(existsSync(join(root, 'grid.png')));
  // D's ranking measured: its top 3 of 12 against the first 3 drawn, scored against the run's (training) images.
  assert.match(gen.stdout, /^D's top 3 of 12: SWD ×10³ \d+\.\d vs random \d+\.\d, NDB\/K [01]\.\d\d vs [01]\.\d\d \(lower is better; against \d training images at 32 px\) — (D's ranking (helps|does not help)|the two scores disagree: D's ranking neither clearly helps nor hurts) here \(only 3 images each: noisy\)$/m);
  const genJson = await cli(['generate', '--run', run, '--n', '3', '--out', join(root, 'gen-json'), '--seed', '1', '--rank-by-d', '--backend', 'cpu', '--json']);
  assert.equal(genJson.code, 0, genJson.stderr);
  const report = JSON.parse(genJson.stdout);
  assert.deepEqual([report.rankCheck.n, report.rankCheck.drawn, report.rankCheck.against], [3, 12, 'training']);
  assert.match(gen.stdout, new RegExp(`SWD ×10³ ${report.rankCheck.ranked.swd.toFixed(1)} vs random ${report.rankCheck.random.swd.toFixed(1)}`));

  const walk = await cli(['interpolate', '--run', run, '--out', join(root, 'walk.gif'), '--frames', '4', '--backend', 'cpu']);
  assert.equal(walk.code, 0, walk.stderr);
  assert.equal((await sharp(join(root, 'walk.gif'), { animated: true }).metadata()).pages, 4);

  const exported = await cli(['export', '--run', run, '--out', join(root, 'model'), '--backend', 'cpu']);
  assert.equal(exported.code, 0, exported.stderr);
  const modelJson = JSON.parse(await readFile(join(root, 'model', 'model.json'), 'utf8'));
  assert.equal(modelJson.format, 'layers-model');
  assert.ok(existsSync(join(root, 'model', modelJson.weightsManifest[0].paths[0])));
});

test('train prints a line per quality score, and --json prints the score lines of metrics.jsonl', async () => {
  const run = join(root, 'scored');
  const first = await cli(['train', '--data', data, '--out', run, ...tiny, '--steps', '2', '--eval-every', '1', '--eval-samples', '8']);
  assert.equal(first.code, 0, first.stderr);
  const quality = first.stderr.split('\n').filter((line) => line.startsWith('quality'));
  assert.equal(quality.length, 2, first.stderr);
  assert.match(quality[1], /^quality at step 2 \(8 images seen\): SWD ×10³ \d+\.\d\d · NDB\/K [01]\.\d{3} \(lower is better\) · memorised [01]\.\d\d \(8 generated against 7 real at 32 px, \d+\.\d s\) · D flatness 0\.\d\d \(0 = flat\)$/);

  const resumed = await cli(['train', '--out', run, '--resume', '--steps', '3', '--backend', 'cpu', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const lines = resumed.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.step, 'eval' in l]), [[3, false], [3, true]]);
  assert.equal(lines[1].imagesSeen, 12);
  const onDisk = (await readFile(join(run, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(onDisk.at(-1), lines[1]);
  assert.equal(onDisk.filter((l) => 'eval' in l).length, 3);
});

test('train --arch lite writes its run folder', async () => {
  const run = join(root, 'lite');
  const result = await cli(['train', '--data', data, '--out', run, ...tiny, '--arch', 'lite', '--steps', '1', '--sample-every', '1', '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.stdout.trim().split('\n').map((l) => JSON.parse(l).step), [1]);
  assert.equal(JSON.parse(await readFile(join(run, 'config.json'), 'utf8')).arch, 'lite');
  assert.deepEqual(await readdir(join(run, 'samples')), ['step-000000.png', 'step-000001.png']);
  assert.deepEqual(await readdir(join(run, 'checkpoints')), ['step-000001.ckpt']);
  assert.equal((await readFile(join(run, 'metrics.jsonl'), 'utf8')).trim().split('\n').length, 1);
});

test('SIGTERM saves a checkpoint of the last completed step before exiting', async () => {
  const run = join(root, 'signal');
  let sent = false;
  const result = await cli(['train', '--data', data, '--out', run, ...tiny, '--steps', '200', '--checkpoint-every', '1000', '--json'], (stdout, child) => {
    if (!sent && stdout.includes('\n')) {
      sent = true;
      child.kill('SIGTERM');
    }
  });
  assert.equal(result.code, 143, result.stderr);
  assert.match(result.stderr, /checkpoint saved/);
  const checkpoints = await readdir(join(run, 'checkpoints'));
  assert.equal(checkpoints.length, 1);
  const step = Number(/step-(\d+)\.ckpt/.exec(checkpoints[0])![1]);
  assert.ok(step >= 1 && step < 200);
});

test('when D wins, train prints one warning line with the resume command, and that command runs', async () => {
  const run = join(root, 'd-wins');
  // wasm: the 50 logged steps the detector looks back on take minutes on the cpu backend.
  const losing = ['--size', '16', '--width', '4', '--latent', '8', '--batch', '8', '--backend', 'wasm', '--k', '5', '--lr-d', '0.01', '--lr-g', '1e-5'];
  const result = await cli(['train', '--data', data, '--out', run, ...losing, '--steps', '120', '--sample-every', '10', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning:'));
  assert.equal(warnings.length, 1, result.stderr);
  assert.match(warnings[0], /^warning: D has won: over the last 50 steps it scored real images [01]\.\d\d and generated ones 0\.\d\d, so G gets almost nothing to learn from\. /);
  const command = / gan-studio (train --resume .*)$/.exec(warnings[0]);
  assert.ok(command, warnings[0]);
  assert.equal(command[1], `train --resume --out ${run} --k 1 --lr-d 0.00001`);
  const resumed = await cli([...command[1].split(' '), '--steps', '125', '--backend', 'wasm', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const config = JSON.parse(await readFile(join(run, 'config.json'), 'utf8'));
  assert.deepEqual([config.k, config.lrD, config.steps], [1, 1e-5, 125]);
});

test('a run folder inside the image folder never becomes training data, on resume too', async () => {
  const images = join(root, 'with-run-inside');
  await cp(data, images, { recursive: true });
  const run = join(images, 'run1');
  const first = await cli(['train', '--data', images, '--out', run, ...tiny, '--steps', '2', '--sample-every', '1']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /note: the run folder .*run1 is inside the image folder .*with-run-inside; run folders are left out of the images/);
  assert.match(first.stderr, /dataset: 7 images \(8 found/);
  assert.equal((await readdir(join(run, 'samples'))).length, 3);

  const resumed = await cli(['train', '--out', run, '--resume', '--steps', '3', '--backend', 'cpu']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /dataset: 7 images \(8 found/, 'the sample grids of run1 are not imported');
  assert.doesNotMatch(resumed.stderr, /dataset changed/);

  // The run folder as the image folder, or holding it, is refused before anything is written.
  const same = await cli(['train', '--data', images, '--out', images, ...tiny, '--steps', '1']);
  assert.equal(same.code, 2, same.stderr);
  assert.match(same.stderr, /--out .*with-run-inside would hold the image folder .*with-run-inside: give the run a folder of its own/);
  const holding = await cli(['train', '--data', images, '--out', root, ...tiny, '--steps', '1']);
  assert.equal(holding.code, 2, holding.stderr);
  assert.ok(!existsSync(join(images, 'config.json')) && !existsSync(join(root, 'config.json')));
});

test('train --keep-duplicates keeps the near duplicate, in config.json, and on resume too', async () => {
  const run = join(root, 'keep-run');
  // img-7.png is img-0.png 3 levels brighter: the same picture, a near duplicate.
  const first = await cli(['train', '--data', data, '--out', run, ...tiny, '--steps', '1', '--keep-duplicates']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /dataset: 8 images \(8 found, 0 skipped, 1 duplicates\)/);
  const config = JSON.parse(await readFile(join(run, 'config.json'), 'utf8'));
  assert.equal(config.data.settings.keepDuplicates, true);
  const resumed = await cli(['train', '--out', run, '--resume', '--steps', '2', '--backend', 'cpu']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /dataset: 8 images \(8 found/);
  assert.doesNotMatch(resumed.stderr, /dataset changed/);
  const help = await cli(['train', '--help']);
  assert.match(help.stdout, /--keep-duplicates\s+keep every duplicate/);
});

test('bad options: one clear line and exit code 2', async () => {
  const badSize = await cli(['train', '--data', data, '--out', join(root, 'bad'), '--size', '33']);
  assert.equal(badSize.code, 2);
  assert.match(badSize.stderr, /--size: DCGAN cannot make 33 px images/);
  const badAugment = await cli(['train', '--data', data, '--out', join(root, 'bad'), '--augment', 'flip,blur']);
  assert.equal(badAugment.code, 2);
  assert.match(badAugment.stderr, /--augment: Augmentation: unknown value "blur"/);
  const badPrior = await cli(['train', '--data', data, '--out', join(root, 'bad'), '--prior', 'cauchy', '--k', '0']);
  assert.equal(badPrior.code, 2);
  assert.match(badPrior.stderr, /--prior/);
  const badK = await cli(['train', '--data', data, '--out', join(root, 'bad'), '--k', '0', '--lr-d', '2']);
  assert.equal(badK.code, 2);
  assert.match(badK.stderr, /--k: k \(D steps per G step\) must be at least 1, got 0; --lr-d: Learning rate D must be in \(0, 1\), got 2/);
  assert.equal(existsSync(join(root, 'bad')), false, 'an invalid run creates no folder');
  const noData = await cli(['train', '--out', join(root, 'bad')]);
  assert.equal(noData.code, 2);
  assert.match(noData.stderr, /--data DIR\|demo is required/);
  const badRun = await cli(['generate', '--run', join(root, 'nope'), '--out', join(root, 'x')]);
  assert.equal(badRun.code, 2);
});

test('a batch too large for the backend is refused before any work, with the limit and the largest batch that fits', async () => {
  const out = join(root, 'huge-batch');
  const huge = await cli(['train', '--data', data, '--out', out, '--batch', '100000', '--backend', 'wasm']);
  assert.equal(huge.code, 2, huge.stderr);
  assert.match(
    huge.stderr,
    /gan-studio: --batch 100000 needs about \d+ GB of memory to train \(64 px, width 32, latent 128\); the wasm backend can use [\d.]+ GB: use a --batch of at most \d+, or a smaller width or size\n$/,
  );
  assert.ok(!existsSync(out), 'nothing is written');
});
