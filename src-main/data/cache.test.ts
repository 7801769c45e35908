import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { importDataset } from './import';
import { noiseImage } from './test-fixtures';

/** PNGs stored without compression: every image of one size has the same byte count. */
async function storedPng(seed: number): Promise<Buffer> {
  return noiseImage(24, 24, seed).png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer();
}

async function decoded(png: Buffer): Promise<Buffer> {
  return sharp(png).resize(16, 16, { fit: 'cover' }).removeAlpha().raw().toBuffer();
}

describe('the pixel cache key follows the content, not only sizes and times', () => {
  const settings = { size: 16, mode: 'crop', background: 'white' } as const;
  let workDir: string;
  let a: Buffer;
  let b: Buffer;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'gan-cache-key-'));
    a = await storedPng(1);
    b = await storedPng(2);
    assert.equal(a.length, b.length, 'the two fixture images must have the same byte size');
    assert.notDeepEqual(a, b);
  });

  after(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('an image rewritten in place with the same size and its times restored is read again', async () => {
    const folder = join(workDir, 'in-place');
    const cacheDir = join(workDir, 'cache-in-place');
    await mkdir(folder);
    const file = join(folder, 'only.png');
    await writeFile(file, a);
    const time = new Date('2024-05-01T12:00:00Z');
    await utimes(file, time, time);
    const first = await importDataset([folder], settings, { cacheDir });
    assert.equal(first.report.fromCache, false);
    assert.equal((await importDataset([folder], settings, { cacheDir })).report.fromCache, true);

    const before = await stat(file);
    await writeFile(file, b);
    await utimes(file, time, time);
    const after = await stat(file);
    assert.equal(after.size, before.size);
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.deepEqual(await readFile(file), b);

    const second = await importDataset([folder], settings, { cacheDir });
    assert.equal(second.report.fromCache, false, 'the rewritten file must not be served from the cache');
    assert.notEqual(second.report.id, first.report.id);
    assert.notDeepEqual(Buffer.from(second.images.pixels), Buffer.from(first.images.pixels));
    // Same pipeline as the import (crop to 16 px) within rounding: the new bytes are what was read.
    const expected = await decoded(b);
    let maxDifference = 0;
    for (let i = 0; i < expected.length; i++) maxDifference = Math.max(maxDifference, Math.abs(expected[i] - second.images.pixels[i]));
    assert.ok(maxDifference <= 2, `pixels differ from the new file's by up to ${maxDifference}`);
  });

  it('a link pointed at another file of the same size and time is read again', async () => {
    const folder = join(workDir, 'linked');
    const targets = join(workDir, 'targets');
    const cacheDir = join(workDir, 'cache-linked');
    await mkdir(folder);
    await mkdir(targets);
    await writeFile(join(targets, 'a.png'), a);
    await writeFile(join(targets, 'b.png'), b);
    const time = new Date('2024-05-01T12:00:00Z');
    await utimes(join(targets, 'a.png'), time, time);
    await utimes(join(targets, 'b.png'), time, time);
    assert.equal((await stat(join(targets, 'a.png'))).mtimeMs, (await stat(join(targets, 'b.png'))).mtimeMs);
    const link = join(folder, 'image.png');
    await symlink(join(targets, 'a.png'), link);
    const first = await importDataset([folder], settings, { cacheDir });
    assert.equal((await importDataset([folder], settings, { cacheDir })).report.fromCache, true);

    await unlink(link);
    await symlink(join(targets, 'b.png'), link);
    const second = await importDataset([folder], settings, { cacheDir });
    assert.equal(second.report.fromCache, false, 'the retargeted link must not be served from the cache');
    assert.notDeepEqual(Buffer.from(second.images.pixels), Buffer.from(first.images.pixels));
  });
});
