import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { appPaths, type AppPaths } from '../disk/app-paths';
import { noiseImage } from '../data/test-fixtures';
import { defaultRunConfig } from '../shared/schema';
import { runTraining } from '../trainer/session';
import { HostError, type Host } from './dispatch';
import { createHost } from './services';
import { nodeTrainerLauncher, TrainerClient } from './trainer-client';

const RUN_ID = '20240101-000000-tiny';

/** 8 tiny images: enough for a two-step run that leaves a checkpoint. */
function tinyImages() {
  const size = 32;
  const count = 8;
  const pixels = new Uint8Array(count * size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31 + (i >> 7)) & 255;
  return { size, count, pixels };
}

describe('folders a client names (browser mode)', () => {
  let root: string;
  let home: string;
  let paths: AppPaths;
  let trainer: TrainerClient;
  let host: Host;

  before(async () => {
    await tf.setBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'gan-services-'));
    home = join(root, 'home');
    await mkdir(home, { recursive: true });
    paths = appPaths(join(root, 'data'));
    await runTraining({
      runDir: join(paths.runs, RUN_ID),
      config: defaultRunConfig({
        size: 32,
        width: 4,
        latent: 8,
        batch: 4,
        steps: 2,
        sampleEvery: 2,
        checkpointEvery: 2,
        ema: 0,
        seed: 3,
        data: { folders: ['/nowhere'], settings: { size: 32, mode: 'crop', background: '#ffffff' } },
      }),
      resume: false,
      cacheDir: paths.cache,
      images: tinyImages(),
    });
    await mkdir(join(paths.root, 'generated', RUN_ID, '1'), { recursive: true });
    await writeFile(join(paths.root, 'generated', RUN_ID, '1', 'image-0001.png'), 'generated png');
    trainer = new TrainerClient(nodeTrainerLauncher(undefined, { ...process.env, GAN_STUDIO_HOME: paths.root }));
    host = createHost({ paths, trainer, mode: 'browser', version: '0.0.0-test', clientWriteRoots: [home], home });
  });

  after(async () => {
    await host.dispose();
    await rm(root, { recursive: true, force: true });
  });

  const image = () => join(paths.root, 'generated', RUN_ID, '1', 'image-0001.png');

  test('saving writes only inside the home folder, never into the app data folder, and needs a full path', async () => {
    const refused: Array<[string, RegExp]> = [
      [join(root, 'outside'), /is outside .*browser mode writes only inside your home folder/],
      [join(paths.root, 'mine'), /inside GAN Studio's data folder/],
      [join(paths.runs, RUN_ID), /inside GAN Studio's data folder/],
      ['relative/folder', /Save to folder: use an absolute path or ~\/… \(got "relative\/folder"\)$/],
      ['./out', /use an absolute path or ~\/…/],
      [join(home, '..', 'outside'), /is outside/],
      ['', /type the full path/],
    ];
    for (const [folder, message] of refused) {
      await assert.rejects(host.handlers['generate.save']({ paths: [image()], folder }), message, folder);
    }
    assert.deepEqual(await readdir(root), ['data', 'home'], 'no folder was created outside');
    const { saved } = await host.handlers['generate.save']({ paths: [image()], folder: join(home, 'out') });
    assert.deepEqual(saved, [join(home, 'out', 'image-0001.png')]);
    const tilde = await host.handlers['generate.save']({ paths: [image()], folder: '~/tilde out/' });
    assert.deepEqual(tilde.saved, [join(home, 'tilde out', 'image-0001.png')]);
  });

  test('saving never replaces a file: a taken name gets a suffix', async () => {
    const folder = join(home, 'keep');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'image-0001.png'), 'mine');
    const { saved } = await host.handlers['generate.save']({ paths: [image(), image()], folder });
    assert.deepEqual(saved, [join(folder, 'image-0001-1.png'), join(folder, 'image-0001-2.png')]);
    assert.equal(await readFile(join(folder, 'image-0001.png'), 'utf8'), 'mine');
  });

  test('saving copies only generated images', async () => {
    await writeFile(join(root, 'secret.png'), 'secret');
    for (const file of [join(root, 'secret.png'), join(paths.runs, RUN_ID, 'config.json'), '../secret.png', 5]) {
      await assert.rejects(host.handlers['generate.save']({ paths: [file as string], folder: join(home, 'x') }), /not a generated image/);
    }
  });

  test('exporting never replaces an earlier export without overwrite: true, and writes only inside home', async () => {
    await assert.rejects(host.handlers['generate.exportModel']({ runId: RUN_ID, folder: join(root, 'outside') }), /is outside/);
    const folder = join(home, 'model');
    const first = await host.handlers['generate.exportModel']({ runId: RUN_ID, folder });
    assert.deepEqual(first, { modelJson: join(folder, 'model.json') });
    await writeFile(join(folder, 'model.json'), 'my edited model');
    const second = await host.handlers['generate.exportModel']({ runId: RUN_ID, folder });
    assert.deepEqual(second, { existing: ['model.json', 'generator.weights.bin'] });
    assert.equal(await readFile(join(folder, 'model.json'), 'utf8'), 'my edited model');
    const third = await host.handlers['generate.exportModel']({ runId: RUN_ID, folder, overwrite: true });
    assert.deepEqual(third, { modelJson: join(folder, 'model.json') });
    assert.equal((JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')) as { format: string }).format, 'layers-model');
  });

  test('a run id that is a path deletes nothing', async () => {
    for (const runId of ['..', '.', '../..', `${RUN_ID}/..`, '']) {
      await assert.rejects(host.handlers['runs.delete']({ runId }), /not a valid run id/);
    }
    assert.deepEqual((await readdir(paths.root)).sort(), ['generated', 'runs']);
    assert.deepEqual(await readdir(paths.runs), [RUN_ID]);
  });

  test('a typed image folder may start with ~, and a relative one is refused naming the field (import, run)', async () => {
    await mkdir(join(home, 'pics'));
    await noiseImage(40, 40, 1).png().toFile(join(home, 'pics', 'a.png'));
    await noiseImage(40, 40, 2).png().toFile(join(home, 'pics', 'b.png'));
    const settings = { size: 32, mode: 'crop', background: '#ffffff' } as const;
    const report = await host.handlers['datasets.import']({ folders: ['~/pics'], settings });
    assert.deepEqual([report.folders, report.used], [[join(home, 'pics')], 2]);
    await assert.rejects(host.handlers['datasets.import']({ folders: ['pics'], settings }), (error: Error) => {
      assert.ok(error instanceof HostError);
      assert.equal(error.message, 'Folder of images: use an absolute path or ~/… (got "pics")');
      return true;
    });
    await assert.rejects(host.handlers['datasets.import']({ folders: ['~/pics', '../pics'], settings }), /Folder of images: use an absolute path or ~\/… \(got "\.\.\/pics"\)/);
    const config = defaultRunConfig({ data: { folders: ['pics'], settings } });
    await assert.rejects(host.handlers['train.start']({ config }), /data\.folders: use an absolute path or ~\/… \(got "pics"\)/);
  });
});
