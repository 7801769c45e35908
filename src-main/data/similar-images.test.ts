/**
 * The near-duplicate check on pictures that look alike but are not the same (issue 14): none may be
 * dropped, at the small training sizes where the old check merged them, while true copies (resized,
 * re-encoded as JPEG quality 80) are still caught.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { importDataset } from './import';
import { buildSimilarImagesFolder, type SimilarImagesFolder } from './similar-fixtures';

let workDir: string;
let set: SimilarImagesFolder;

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'gan-similar-'));
  set = await buildSimilarImagesFolder(join(workDir, 'images'));
});

after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

for (const size of [32, 64]) {
  describe(`the similar-images set imported at ${size} px`, () => {
    it('loses none of the distinct pictures and catches both copies', async () => {
      const { report } = await importDataset([set.root], { size, mode: 'crop', background: '#ffffff' }, { cacheDir: join(workDir, `cache-${size}`) });
      const dropped = report.duplicates.map((d) => `${basename(d.path)} as a ${d.kind} duplicate of ${basename(d.duplicateOf)}`);
      const lost = dropped.filter((line) => set.distinct.includes(line.split(' ')[0]));
      assert.deepEqual(lost, [], `distinct pictures dropped at ${size} px`);
      const caught = Object.fromEntries(report.duplicates.map((d) => [basename(d.path), basename(d.duplicateOf)]));
      assert.deepEqual(caught, set.copies, 'each copy is reported as a duplicate of its original');
      assert.equal(report.used, set.distinct.length);
    });
  });
}

describe('exact duplicates', () => {
  it('are files with the same pixels at the same size, even in other bytes, and are not kept one by one', async () => {
    const folder = join(workDir, 'exact');
    await mkdir(folder);
    const picture = join(set.root, 'clock-10.png');
    await sharp(picture).png({ compressionLevel: 0 }).toFile(join(folder, 'a.png'));
    await sharp(picture).png({ compressionLevel: 9 }).withMetadata({ density: 300 }).toFile(join(folder, 'b.png'));
    const { report } = await importDataset([folder], { size: 32, mode: 'crop', background: '#ffffff', keepPairs: [join(folder, 'b.png')] }, { cacheDir: join(workDir, 'cache-exact') });
    assert.deepEqual(report.duplicates.map((d) => [basename(d.path), basename(d.duplicateOf), d.kind, d.kept ?? false]), [['b.png', 'a.png', 'exact', false]]);
    assert.equal(report.used, 1);
  });
});
