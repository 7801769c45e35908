import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { noiseImage } from '../../data/test-fixtures';
import { CLI_ENTRY, runCommand } from '../test-cli';

let root: string;
let images: string;

const cli = (args: string[]) => runCommand(process.execPath, [CLI_ENTRY, ...args], { GAN_STUDIO_HOME: join(root, 'home') });

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-cli-gmm-'));
  images = join(root, 'images');
  await mkdir(images);
  for (let i = 0; i < 8; i++) await noiseImage(40, 40, i).png().toFile(join(images, `noise-${i}.png`));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('gmm fits the baseline to a folder and writes n sample PNGs and their grid', async () => {
  const out = join(root, 'baseline');
  const { code, stdout, stderr } = await cli(['gmm', '--data', images, '--size', '16', '--components', '2', '--pca', '4', '--n', '5', '--out', out, '--json']);
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout);
  assert.equal(result.images, 8);
  assert.equal(result.size, 16);
  assert.equal(result.pca, 4);
  assert.ok(result.explainedVariance > 0 && result.explainedVariance <= 1);
  assert.equal(typeof result.logLikelihood, 'number');
  const files = (await readdir(join(out, 'samples'))).sort();
  assert.deepEqual(files, ['sample-0001.png', 'sample-0002.png', 'sample-0003.png', 'sample-0004.png', 'sample-0005.png']);
  assert.deepEqual(result.samples, files.map((name) => join(out, 'samples', name)));
  for (const file of result.samples) {
    const meta = await sharp(file).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['png', 16, 16, 3]);
  }
  assert.equal((await sharp(join(out, 'grid.png')).metadata()).format, 'png');

  // a second, smaller run into the same folder replaces the samples rather than mixing two fits
  await writeFile(join(out, 'samples', 'notes.txt'), 'mine');
  const again = await cli(['gmm', '--data', images, '--size', '16', '--components', '2', '--pca', '4', '--n', '2', '--out', out]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^GMM baseline: 8 images at 16 px, K = 2 diag Gaussians in a 4-dimensional PCA space\n/);
  assert.match(again.stdout, /PCA: explains \d+\.\d% of the pixel variance/);
  assert.match(again.stdout, /log-likelihood per image: -?\d+\.\d nats in the PCA space/);
  assert.deepEqual((await readdir(join(out, 'samples'))).sort(), ['notes.txt', 'sample-0001.png', 'sample-0002.png']);
});

test('gmm reports mistakes in one line, before any fitting', async () => {
  const tooMany = await cli(['gmm', '--data', images, '--size', '16', '--components', '9', '--out', join(root, 'x')]);
  assert.equal(tooMany.code, 2);
  assert.equal(tooMany.stderr, 'gan-studio: --components 9 is more than the 8 images of the set: choose at most 8\n');
  const inside = await cli(['gmm', '--data', images, '--out', join(images, 'out')]);
  assert.equal(inside.code, 2);
  assert.match(inside.stderr, /^gan-studio: --out .* is inside the image folder .*\n$/);
  const badCovariance = await cli(['gmm', '--data', images, '--covariance', 'spherical', '--out', join(root, 'x')]);
  assert.equal(badCovariance.code, 2);
  const badPca = await cli(['gmm', '--data', images, '--pca', '300', '--out', join(root, 'x')]);
  assert.equal(badPca.code, 2);
  assert.equal(badPca.stderr, 'gan-studio: --pca: PCA dimensions (D) must be at most 256, got 300\n');
  const missing = await cli(['gmm', '--data', join(root, 'missing'), '--out', join(root, 'x')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^gan-studio: --data: folder not found: .*missing\n$/);
  const empty = join(root, 'empty');
  await mkdir(empty);
  const none = await cli(['gmm', '--data', empty, '--out', join(root, 'x')]);
  assert.equal(none.code, 1);
  assert.equal(none.stderr.trim().split('\n').length, 1);
});
