import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appPaths } from '../disk/app-paths';
import { runFiles, writeRunConfig } from '../disk/run-folder';
import { defaultRunConfig } from '../shared/schema';
import { importDataset } from './import';
import { scanFolders } from './scan';
import { noiseImage } from './test-fixtures';

describe("the scan leaves the app's own output out", () => {
  let root: string;
  let images: string;
  let app: ReturnType<typeof appPaths>;

  const scanned = async (folders: string[], exclude?: string[]) =>
    (await scanFolders(folders, { exclude })).files.map((file) => relative(root, file.path)).filter((path) => path.endsWith('.png'));

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gan-scan-'));
    images = join(root, 'images');
    await mkdir(join(images, 'more'), { recursive: true });
    await noiseImage(40, 40, 1).png().toFile(join(images, 'a.png'));
    await noiseImage(40, 40, 2).png().toFile(join(images, 'more', 'b.png'));

    // A run trained with --out inside --data: config.json, samples, a checkpoint, metrics.
    const run = join(images, 'run1');
    await mkdir(runFiles.samples(run), { recursive: true });
    await mkdir(runFiles.checkpoints(run), { recursive: true });
    await writeRunConfig(run, defaultRunConfig({ data: { folders: [images], settings: { size: 64, mode: 'crop', background: '#fff' } } }));
    await noiseImage(40, 40, 3).png().toFile(runFiles.sample(run, 100));
    await writeFile(runFiles.checkpoint(run, 100), 'checkpoint');
    await writeFile(runFiles.metrics(run), '{"step":1}\n');
    // A run stopped before its first step: config.json and the sample of step 0 only.
    const early = join(images, 'run2');
    await mkdir(runFiles.samples(early), { recursive: true });
    await writeRunConfig(early, defaultRunConfig());
    await noiseImage(40, 40, 4).png().toFile(runFiles.sample(early, 0));
    // Not runs: a config.json of someone else's beside samples/, and a config.json alone.
    const other = join(images, 'project');
    await mkdir(join(other, 'samples'), { recursive: true });
    await writeFile(join(other, 'config.json'), '{"name": "my project"}');
    await noiseImage(40, 40, 5).png().toFile(join(other, 'samples', 'c.png'));
    await mkdir(join(images, 'lonely'));
    await writeFile(join(images, 'lonely', 'config.json'), '{}');
    await noiseImage(40, 40, 6).png().toFile(join(images, 'lonely', 'd.png'));

    // The app's data folder under the images (the user picked a parent of it), with a generated image.
    app = appPaths(join(images, 'studio-data'));
    await mkdir(join(app.root, 'generated', 'r', '1'), { recursive: true });
    await noiseImage(40, 40, 7).png().toFile(join(app.root, 'generated', 'r', '1', 'image-0001.png'));
    await mkdir(app.uploads, { recursive: true });
    await mkdir(join(app.uploads, 'dropped'));
    await noiseImage(40, 40, 8).png().toFile(join(app.uploads, 'dropped', 'e.png'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('run folders inside an image folder are passed over, other folders with a config.json are not', async () => {
    assert.deepEqual(await scanned([images], [app.root]), [
      'images/a.png',
      'images/lonely/d.png',
      'images/more/b.png',
      'images/project/samples/c.png',
    ]);
  });

  it("the app's data folder is passed over where the walk meets it, also through a link", async () => {
    const linked = join(root, 'linked');
    await mkdir(linked);
    await symlink(app.root, join(linked, 'to-app-data'));
    await noiseImage(40, 40, 9).png().toFile(join(linked, 'f.png'));
    assert.deepEqual(await scanned([linked], [app.root]), ['linked/f.png']);
    // Its uploads, chosen as a dataset, are read.
    assert.deepEqual(await scanned([join(app.uploads, 'dropped')], [app.root]), ['images/studio-data/uploads/dropped/e.png']);
  });

  it('a run folder, a folder inside one, or the app data folder given to scan is refused by name', async () => {
    await assert.rejects(scanFolders([join(images, 'run1')]), {
      name: 'DatasetError',
      message: `${join(images, 'run1')} is a GAN Studio run folder: its images are the app's own output, not training images; choose the folder that holds your images.`,
    });
    await assert.rejects(scanFolders([join(images, 'run2', 'samples')]), {
      name: 'DatasetError',
      message: new RegExp(`^${join(images, 'run2', 'samples')} lies inside the GAN Studio run folder ${join(images, 'run2')}: `),
    });
    await assert.rejects(scanFolders([app.root], { exclude: [app.root] }), {
      name: 'DatasetError',
      message: /is GAN Studio's own data folder \(runs, caches, generated images\)/,
    });
  });

  it('importDataset leaves out its own cache folder and the app data folder it is given', async () => {
    const cacheDir = join(images, 'cache-here');
    const first = await importDataset([images], { size: 16, mode: 'crop', background: 'white' }, { cacheDir, appDataDir: app.root });
    assert.equal(first.report.used, 4);
    const again = await importDataset([images], { size: 16, mode: 'crop', background: 'white' }, { cacheDir, appDataDir: app.root });
    assert.equal(again.report.fromCache, true, 'the mosaic and mean image written into the cache are not new images');
    assert.equal(again.report.found, first.report.found);
  });
});
