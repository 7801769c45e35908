import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { noiseImage } from '../../data/test-fixtures';
import type { DatasetReport } from '../../data/types';

const CLI = resolve(import.meta.dirname, '../gan-studio.mjs');
let root: string;
let images: string;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, GAN_STUDIO_HOME: join(root, 'home'), ...env } }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-cli-dataset-'));
  images = join(root, 'images');
  await mkdir(images);
  for (let i = 0; i < 3; i++) await noiseImage(48, 48, i).png().toFile(join(images, `face-${i}.png`));
  await writeFile(join(images, 'readme.png'), 'not an image');
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('dataset --json prints the report and --mosaic saves the mosaic', async () => {
  const mosaic = join(root, 'mosaic.png');
  const { code, stdout } = await cli(['dataset', images, '--size', '32', '--json', '--mosaic', mosaic]);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as DatasetReport;
  assert.equal(report.found, 4);
  assert.equal(report.used, 3);
  assert.deepEqual(report.skipped.map((s) => [s.path, s.code]), [[join(images, 'readme.png'), 'not-image']]);
  assert.deepEqual(report.duplicates, []);
  assert.ok(report.mosaicPath.startsWith(join(root, 'home', 'cache')));
  assert.ok((await stat(mosaic)).size > 0);
});

test('dataset without --json prints a plain summary', async () => {
  const { code, stdout } = await cli(['dataset', images, '--size', '32']);
  assert.equal(code, 0);
  assert.match(stdout, /^3 of 4 files used, 32×32 px/);
  assert.match(stdout, /readme\.png: not an image \(text file\)/);
});

test('dataset --keep-duplicates keeps a copy and says so', async () => {
  const folder = join(root, 'with-copy');
  await mkdir(folder);
  await noiseImage(48, 48, 1).png().toFile(join(folder, 'a.png'));
  await noiseImage(48, 48, 1).png().toFile(join(folder, 'b.png'));
  const dropped = await cli(['dataset', folder, '--size', '32']);
  assert.equal(dropped.code, 0, dropped.stderr);
  assert.match(dropped.stdout, /^1 of 2 files used/);
  assert.match(dropped.stdout, /1 duplicate \(left out 1\):\n  b\.png: exact duplicate of a\.png\n/);
  const kept = await cli(['dataset', folder, '--size', '32', '--keep-duplicates']);
  assert.equal(kept.code, 0, kept.stderr);
  assert.match(kept.stdout, /^2 of 2 files used/);
  assert.match(kept.stdout, /1 duplicate \(kept 1\):\n  b\.png: exact duplicate of a\.png \(kept\)\n/);
});

test('dataset reads ~/… as the home folder (as when no shell expanded it) and a relative path from the working folder', async () => {
  const tilde = await cli(['dataset', '~/images', '--size', '32', '--json'], { HOME: root });
  assert.equal(tilde.code, 0, tilde.stderr);
  assert.deepEqual((JSON.parse(tilde.stdout) as DatasetReport).folders, [images]);
  const relativeToCwd = await new Promise<string>((done) => {
    execFile(process.execPath, [CLI, 'dataset', 'images', '--size', '32', '--json'], { cwd: root, env: { ...process.env, GAN_STUDIO_HOME: join(root, 'home') } }, (_error, stdout) => done(stdout));
  });
  assert.deepEqual((JSON.parse(relativeToCwd) as DatasetReport).folders, [images]);
});

test('dataset reports mistakes in one line', async () => {
  const badSize = await cli(['dataset', images, '--size', '30']);
  assert.equal(badSize.code, 2);
  assert.equal(badSize.stderr.trim().split('\n').length, 1);
  const missing = await cli(['dataset', join(root, 'missing')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^gan-studio: Folder not found: .*\n$/);
  const none = await cli(['dataset']);
  assert.equal(none.code, 2);
});
