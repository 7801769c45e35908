import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import sharp from 'sharp';
import { importDataset } from './import';
import { avatarSvg, ensureDemoDataset } from './demo-avatars';

let workDir: string;

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'gan-demo-'));
});

after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

it('draws the same avatar for the same index, and different ones otherwise', () => {
  assert.equal(avatarSvg(7), avatarSvg(7));
  assert.notEqual(avatarSvg(7), avatarSvg(8));
});

it('creates the demo set once, completes an interrupted one, and imports cleanly', async () => {
  const folder = join(workDir, 'demo');
  const progress: number[] = [];
  assert.equal(await ensureDemoDataset(folder, { count: 40, onProgress: (p) => progress.push(p.done) }), folder);
  assert.equal(progress[progress.length - 1], 40);
  const files = (await readdir(folder)).filter((name) => name.endsWith('.png'));
  assert.equal(files.length, 40);
  const metadata = await sharp(join(folder, files[0])).metadata();
  assert.deepEqual([metadata.width, metadata.height, metadata.format], [64, 64, 'png']);

  const before = await stat(join(folder, files[0]));
  await ensureDemoDataset(folder, { count: 40 });
  assert.equal((await stat(join(folder, files[0]))).mtimeMs, before.mtimeMs, 'a complete set is left alone');

  const first = await readFile(join(folder, files[3]));
  await unlink(join(folder, files[3]));
  await ensureDemoDataset(folder, { count: 30 });
  assert.equal((await readdir(folder)).filter((name) => name.endsWith('.png')).length, 30);
  assert.deepEqual(await readFile(join(folder, files[3])), first, 'redrawn identically');

  const { report } = await importDataset([folder], { size: 64, mode: 'crop', background: 'white' }, { cacheDir: join(workDir, 'cache') });
  assert.equal(report.found, 30);
  assert.equal(report.used, 30, 'no avatar is skipped or a near duplicate of another');
});
