import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { cachePaths } from './cache';
import { DatasetError } from './errors';
import { importDataset, listRecentDatasets } from './import';
import { scanFolders, type ScanResult } from './scan';
import { buildFixtureFolder, FIXTURE_SETTINGS, noiseImage, type FixtureFolder } from './test-fixtures';
import type { DatasetReport, ImageSet, ImportProgress } from './types';

let workDir: string;
let fixture: FixtureFolder;
let cacheCount = 0;
let folderBefore: ScanResult;

function freshCache(): string {
  return join(workDir, `cache-${++cacheCount}`);
}

/** The outcome of each file, as FixtureFolder.expected spells it. */
function outcomes(report: DatasetReport, root: string, images: ImageSet): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of report.skipped) result[relative(root, entry.path)] = entry.code;
  for (const entry of report.duplicates) result[relative(root, entry.path)] = entry.kind;
  assert.equal(images.count, report.used);
  return result;
}

/** RGB of the pixel at (x, y) of image `index`. */
function pixel(images: ImageSet, index: number, x: number, y: number): number[] {
  const offset = ((index * images.size + y) * images.size + x) * 3;
  return Array.from(images.pixels.subarray(offset, offset + 3));
}

/** Index, among the used images, of a file: the used files in path order. */
function usedIndex(report: DatasetReport, expected: Record<string, string>, name: string): number {
  const used = Object.keys(expected)
    .filter((path) => expected[path] === 'used')
    .map((path) => join(fixture.root, path))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  assert.equal(used.length, report.used);
  return used.indexOf(join(fixture.root, name));
}

function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  const ok = actual.every((value, i) => Math.abs(value - expected[i]) <= tolerance);
  assert.ok(ok, `${what}: got [${actual}], expected about [${expected}]`);
}

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'gan-import-'));
  fixture = await buildFixtureFolder(join(workDir, 'images'));
  folderBefore = await scanFolders([fixture.root]);
});

after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('importDataset on a folder of every awkward case', () => {
  let report: DatasetReport;
  let images: ImageSet;
  const progress: ImportProgress[] = [];

  before(async () => {
    ({ report, images } = await importDataset([fixture.root], { ...FIXTURE_SETTINGS }, {
      cacheDir: freshCache(),
      onProgress: (p) => progress.push(p),
    }));
  });

  it('reports every file with the expected outcome', () => {
    const actual = outcomes(report, fixture.root, images);
    for (const [path, outcome] of Object.entries(fixture.expected)) {
      assert.equal(actual[path] ?? 'used', outcome, `${path} should be ${outcome}`);
    }
    assert.equal(report.found, Object.keys(fixture.expected).length, 'hidden files are not counted, the loop adds nothing');
    assert.equal(report.used, Object.values(fixture.expected).filter((o) => o === 'used').length);
    assert.equal(report.found, report.used + report.skipped.length + report.duplicates.length);
    assert.equal(report.duplicates.some((d) => d.kept), false, 'nothing is kept unless asked');
    for (const entry of report.skipped) assert.doesNotMatch(entry.reason, /\n/);
  });

  it('names the original of each duplicate and counts skips by reason', () => {
    const byPath = Object.fromEntries(report.duplicates.map((d) => [relative(fixture.root, d.path), relative(fixture.root, d.duplicateOf)]));
    assert.deepEqual(byPath, { 'good_copy.jpg': 'good.jpg', 'good_reencoded.jpg': 'good.jpg' });
    const total = Object.values(report.skippedByReason).reduce((a, b) => a + b, 0);
    assert.equal(total, report.skipped.length);
    assert.equal(report.skippedByReason['not-image'], 3);
  });

  it('composites alpha over the background', () => {
    const index = usedIndex(report, fixture.expected, 'rgba.png');
    assertClose(pixel(images, index, 2, 16), [255, 255, 255], 2, 'transparent half');
    assertClose(pixel(images, index, 29, 16), [0, 0, 255], 2, 'opaque half');
  });

  it('applies the EXIF orientation', () => {
    const index = usedIndex(report, fixture.expected, 'orientation-6.jpg');
    assertClose(pixel(images, index, 16, 2), [255, 0, 0], 40, 'top');
    assertClose(pixel(images, index, 16, 29), [0, 0, 255], 40, 'bottom');
  });

  it('takes the first frame of an animation', () => {
    const index = usedIndex(report, fixture.expected, 'animated.gif');
    assertClose(pixel(images, index, 16, 16), [255, 0, 0], 2, 'first frame');
  });

  it('writes the mosaic, the mean image and the report into the cache', async () => {
    const mosaic = await sharp(report.mosaicPath).metadata();
    assert.equal(mosaic.format, 'png');
    assert.equal(mosaic.width, 4 * 32);
    const mean = await sharp(report.meanImagePath).metadata();
    assert.deepEqual([mean.width, mean.height], [32, 32]);
    const saved = JSON.parse(await readFile(join(report.mosaicPath, '..', 'report.json'), 'utf8')) as DatasetReport;
    assert.equal(saved.id, report.id);
    const decodable = Object.values(fixture.expected).filter((o) => ['used', 'exact', 'near', 'too-small'].includes(o)).length;
    assert.equal(report.sizeHistogram.counts.reduce((a, b) => a + b, 0), decodable);
    assert.equal(report.sizeHistogram.counts[0], 1, 'the 1×1 image');
  });

  it('reports progress up to the last file', () => {
    const reading = progress.filter((p) => p.phase === 'reading');
    const last = reading[reading.length - 1];
    assert.equal(last.done, last.total);
    assert.equal(progress[progress.length - 1].phase, 'writing');
  });

  it('counts files once when folders overlap', async () => {
    const overlapping = await importDataset([fixture.root, join(fixture.root, 'nested')], { ...FIXTURE_SETTINGS }, { cacheDir: freshCache() });
    assert.equal(overlapping.report.found, report.found);
    assert.equal(overlapping.report.used, report.used);
  });

  it('leaves the folder untouched', async () => {
    assert.deepEqual(await scanFolders([fixture.root]), folderBefore);
  });
});

describe('importDataset settings', () => {
  it('keeps every duplicate when asked', async () => {
    const usedBefore = Object.values(fixture.expected).filter((o) => o === 'used').length;
    const { report, images } = await importDataset([fixture.root], { ...FIXTURE_SETTINGS, keepDuplicates: true }, { cacheDir: freshCache() });
    assert.deepEqual(
      report.duplicates.map((d) => [relative(fixture.root, d.path), d.kind, d.kept === true]),
      [['good_copy.jpg', 'exact', true], ['good_reencoded.jpg', 'near', true]],
    );
    assert.equal(report.used, usedBefore + 2);
    assert.equal(report.found, report.used + report.skipped.length);
    // good.jpg, good_copy.jpg (the same pixels) and good_reencoded.jpg follow each other in path order.
    const stride = 32 * 32 * 3;
    const good = usedIndex(report, { ...fixture.expected, 'good_copy.jpg': 'used', 'good_reencoded.jpg': 'used' }, 'good.jpg');
    const at = (i: number) => images.pixels.subarray(i * stride, (i + 1) * stride);
    assert.deepEqual(at(good + 1), at(good));
    assert.notDeepEqual(at(good + 2), at(good));
  });

  it('keeps the near duplicates named in keepPairs, under a cache key of their own', async () => {
    const cacheDir = freshCache();
    const dropped = await importDataset([fixture.root], { ...FIXTURE_SETTINGS }, { cacheDir });
    const near = dropped.report.duplicates.find((d) => d.kind === 'near')!;
    const exact = dropped.report.duplicates.find((d) => d.kind === 'exact')!;
    const kept = await importDataset([fixture.root], { ...FIXTURE_SETTINGS, keepPairs: [near.path, exact.path] }, { cacheDir });
    assert.equal(kept.report.fromCache, false);
    assert.notEqual(kept.report.id, dropped.report.id);
    assert.equal(kept.report.used, dropped.report.used + 1, 'the near duplicate is kept, the exact copy is not');
    assert.deepEqual(kept.report.duplicates.filter((d) => d.kept).map((d) => d.path), [near.path]);
    assert.deepEqual(kept.report.settings.keepPairs, [exact.path, near.path].sort());
    // The same keeps in another order are the same settings: read from the cache.
    const again = await importDataset([fixture.root], { ...FIXTURE_SETTINGS, keepPairs: [exact.path, near.path, near.path] }, { cacheDir });
    assert.equal(again.report.fromCache, true);
    assert.equal(again.report.id, kept.report.id);
    // Both caches stay: going back to dropping is read from the cache too.
    assert.equal((await importDataset([fixture.root], { ...FIXTURE_SETTINGS }, { cacheDir })).report.fromCache, true);
  });

  it('reads dropDuplicates: false, written before keepDuplicates, as keep all', async () => {
    const { report } = await importDataset([fixture.root], { ...FIXTURE_SETTINGS, dropDuplicates: false }, { cacheDir: freshCache() });
    assert.equal(report.settings.keepDuplicates, true);
    assert.equal('dropDuplicates' in report.settings, false);
    assert.equal(report.duplicates.filter((d) => d.kept).length, 2);
  });

  it('letterboxes in the background colour with fit', async () => {
    const folder = join(workDir, 'wide');
    await mkdir(folder, { recursive: true });
    await sharp({ create: { width: 64, height: 32, channels: 3, background: '#00ff00' } }).png().toFile(join(folder, 'wide.png'));
    const { images } = await importDataset([folder], { size: 32, mode: 'fit', background: 'black' }, { cacheDir: freshCache() });
    assertClose(pixel(images, 0, 16, 1), [0, 0, 0], 0, 'letterbox');
    assertClose(pixel(images, 0, 16, 16), [0, 255, 0], 1, 'image');
    const stretched = await importDataset([folder], { size: 32, mode: 'stretch', background: 'black' }, { cacheDir: freshCache() });
    assertClose(pixel(stretched.images, 0, 16, 1), [0, 255, 0], 1, 'stretched');
  });

  it('rejects bad settings in one line', async () => {
    await assert.rejects(importDataset([fixture.root], { size: 30, mode: 'crop', background: 'white' }, { cacheDir: freshCache() }), /multiple of 8/);
    await assert.rejects(importDataset([fixture.root], { size: 32, mode: 'crop', background: 'blurple' }, { cacheDir: freshCache() }), DatasetError);
  });
});

describe('importDataset user mistakes', () => {
  it('says when the folder is missing, is a file, or holds nothing usable', async () => {
    const cacheDir = freshCache();
    const settings = { size: 32, mode: 'crop', background: 'white' } as const;
    await assert.rejects(importDataset([join(workDir, 'nope')], settings, { cacheDir }), { name: 'DatasetError', message: /^Folder not found: / });
    await assert.rejects(importDataset([join(fixture.root, 'good.jpg')], settings, { cacheDir }), { name: 'DatasetError', message: /^Not a folder: / });
    const empty = join(workDir, 'empty');
    await mkdir(empty, { recursive: true });
    await assert.rejects(importDataset([empty], settings, { cacheDir }), { name: 'DatasetError', message: /^No images found/ });
    const textOnly = join(workDir, 'text-only');
    await mkdir(textOnly, { recursive: true });
    await writeFile(join(textOnly, 'a.png'), 'hello');
    await assert.rejects(importDataset([textOnly], settings, { cacheDir }), {
      name: 'DatasetError',
      message: /^No usable image in .*: 1 file skipped \(1 not image\)\.$/,
    });
  });
});

describe('the pixel cache', () => {
  const settings = { size: 32, mode: 'crop', background: 'white' } as const;
  let folder: string;

  before(async () => {
    folder = join(workDir, 'cached');
    await mkdir(folder, { recursive: true });
    for (let i = 0; i < 6; i++) await noiseImage(48, 48, 100 + i).png().toFile(join(folder, `img-${i}.png`));
  });

  it('is read on re-import, and a changed folder rebuilds it', async () => {
    const cacheDir = freshCache();
    const first = await importDataset([folder], settings, { cacheDir });
    const second = await importDataset([folder], settings, { cacheDir });
    assert.equal(first.report.fromCache, false);
    assert.equal(second.report.fromCache, true);
    assert.equal(second.report.id, first.report.id);
    assert.deepEqual(second.images.pixels, first.images.pixels);

    const later = new Date(Date.now() + 5000);
    await utimes(join(folder, 'img-0.png'), later, later);
    const touched = await importDataset([folder], settings, { cacheDir });
    assert.equal(touched.report.fromCache, false);
    assert.notEqual(touched.report.id, first.report.id);

    await noiseImage(48, 48, 200).png().toFile(join(folder, 'img-new.png'));
    const grown = await importDataset([folder], settings, { cacheDir });
    assert.equal(grown.report.fromCache, false);
    assert.equal(grown.report.used, 7);

    const recent = await listRecentDatasets(cacheDir);
    assert.deepEqual(recent.map((r) => r.id), [grown.report.id], 'superseded caches of the same folder are removed');
    await rm(join(folder, 'img-new.png'));
  });

  it('rebuilds a corrupt or truncated pixel file', async () => {
    const cacheDir = freshCache();
    const first = await importDataset([folder], settings, { cacheDir });
    const pixelsPath = cachePaths(cacheDir, first.report.id).pixels;

    const bytes = await readFile(pixelsPath);
    bytes[bytes.length - 5] ^= 0xff;
    await writeFile(pixelsPath, bytes);
    const afterFlip = await importDataset([folder], settings, { cacheDir });
    assert.equal(afterFlip.report.fromCache, false);
    assert.deepEqual(afterFlip.images.pixels, first.images.pixels);

    await truncate(pixelsPath, 100);
    const afterTruncate = await importDataset([folder], settings, { cacheDir });
    assert.equal(afterTruncate.report.fromCache, false);
    assert.deepEqual(afterTruncate.images.pixels, first.images.pixels);

    await writeFile(cachePaths(cacheDir, first.report.id).report, '{"id": "trunc');
    assert.equal((await importDataset([folder], settings, { cacheDir })).report.fromCache, false);
    assert.equal((await importDataset([folder], settings, { cacheDir })).report.fromCache, true);
  });

  it('lists recent datasets newest first', async () => {
    const cacheDir = freshCache();
    const a = await importDataset([folder], settings, { cacheDir });
    const b = await importDataset([folder], { ...settings, size: 16 }, { cacheDir });
    assert.deepEqual((await listRecentDatasets(cacheDir)).map((r) => r.id), [b.report.id, a.report.id]);
    assert.deepEqual(await listRecentDatasets(join(workDir, 'no-cache-here')), []);
  });
});

describe('cancelling', () => {
  it('stops with a DatasetError and writes no cache', async () => {
    const cacheDir = freshCache();
    const controller = new AbortController();
    await assert.rejects(
      importDataset([fixture.root], { ...FIXTURE_SETTINGS }, {
        cacheDir,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'reading') controller.abort();
        },
      }),
      { name: 'DatasetError', message: 'Import cancelled.' },
    );
    assert.deepEqual(await listRecentDatasets(cacheDir), []);
  });
});
