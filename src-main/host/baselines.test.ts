import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { noiseImage, tinyRunConfig } from '../data/test-fixtures';
import { appPaths, type AppPaths } from '../disk/app-paths';
import { baselineFiles } from '../disk/baseline-folder';
import type { BaselineProgress, DatasetReport } from '../shared/contract';
import { DEFAULT_GMM_CONFIG, type GmmConfig } from '../shared/schema';
import { runTraining } from '../trainer/session';
import { dispatch, type Host } from './dispatch';
import { createHost } from './services';
import { nodeTrainerLauncher, TrainerClient } from './trainer-client';

/** Images in the test set: enough that a 64-dimensional PCA takes several passes long enough to cancel in. */
const COUNT = 120;
const SETTINGS = { size: 32, mode: 'crop', background: '#ffffff' } as const;

describe('the GMM baseline of a dataset, fitted by a real trainer process', () => {
  let root: string;
  let paths: AppPaths;
  let host: Host;
  let report: DatasetReport;
  let runId: string;
  const progress: BaselineProgress[] = [];
  const options = (changes: Partial<GmmConfig> = {}): GmmConfig => ({ ...DEFAULT_GMM_CONFIG, components: 3, pca: 8, samples: 6, ...changes });

  before(async () => {
    await tf.setBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'gan-baseline-'));
    paths = appPaths(join(root, 'data'));
    const images = join(root, 'images');
    await mkdir(images);
    for (let i = 0; i < COUNT; i++) await noiseImage(32, 32, i + 1).png().toFile(join(images, `noise-${String(i).padStart(3, '0')}.png`));
    const trainer = new TrainerClient(nodeTrainerLauncher(undefined, { ...process.env, GAN_STUDIO_HOME: paths.root }));
    host = createHost({ paths, trainer, mode: 'browser', version: '0.0.0-test' });
    host.on('baseline.progress', (p) => progress.push(p));
    report = await host.handlers['datasets.import']({ folders: [images], settings: SETTINGS });
    assert.equal(report.used, COUNT);
    // A GAN run on this dataset (the trainer records its id), and one on another set that must be left out.
    runId = '20240101-000000-gan';
    await runTraining({ runDir: join(paths.runs, runId), config: tinyRunConfig({ data: { folders: [images], settings: SETTINGS } }), resume: false, cacheDir: paths.cache, dataDir: paths.root });
    await runTraining({ runDir: join(paths.runs, '20240102-000000-other'), config: tinyRunConfig(), resume: false, cacheDir: paths.cache, images: { size: 32, count: 4, pixels: new Uint8Array(4 * 32 * 32 * 3) } });
  });

  after(async () => {
    await host.dispose();
    await rm(root, { recursive: true, force: true });
  });

  test('a fit writes its samples, grid and scores into the data folder, scores the GAN run beside it, and is there on reopening', async () => {
    assert.equal(await host.handlers['baseline.get']({ datasetId: report.id }), null);
    progress.length = 0;
    const result = await host.handlers['baseline.fit']({ datasetId: report.id, options: options() });

    assert.equal(dirname(result.dir), paths.baselines);
    assert.match(result.dir, new RegExp(`${report.id}-[0-9a-f]{12}$`));
    assert.deepEqual([result.images, result.size, result.pca, result.reference], [COUNT, 32, 8, 'training']);
    assert.deepEqual((await readdir(baselineFiles.samples(result.dir))).sort(), result.samples.map((file) => file.split('/').at(-1)));
    assert.equal(result.samples.length, 6);
    for (const file of [...result.samples, result.grid]) assert.equal((await sharp(file).metadata()).format, 'png');
    assert.deepEqual([(await sharp(result.samples[0]).metadata()).width, (await sharp(result.samples[0]).metadata()).height], [32, 32]);

    const { scores } = result;
    assert.deepEqual(scores.counts, { real: COUNT, fake: COUNT });
    assert.ok(Number.isFinite(scores.swd) && scores.swd > 0, `SWD ${scores.swd}`);
    assert.ok(scores.ndbK >= 0 && scores.ndbK <= 1 && scores.memorised >= 0 && scores.memorised <= 1);
    assert.deepEqual(result.gans.map((g) => [g.runId, g.step, g.grid]), [[runId, 4, join(result.dir, `gan-${runId}.png`)]]);
    // The grid shows as many of the GAN's scored images as the mixture's: 6 tiles of 32 px in 3 columns, 2 px gutters.
    assert.deepEqual([(await sharp(result.gans[0].grid).metadata()).width, (await sharp(result.gans[0].grid).metadata()).height], [3 * 32 + 4 * 2, 2 * 32 + 3 * 2]);
    // Four steps of a width-4 GAN are noise, far from the images; the mixture is much nearer.
    assert.ok(result.gans[0].scores.swd > scores.swd, `GAN SWD ${result.gans[0].scores.swd} vs GMM ${scores.swd}`);

    const phases = new Set(progress.map((p) => p.phase));
    for (const phase of ['pca', 'em', 'samples', 'scores'] as const) assert.ok(phases.has(phase), `no ${phase} progress in ${[...phases]}`);
    assert.ok(progress.every((p) => p.datasetId === report.id));
    assert.ok(progress.some((p) => p.phase === 'em' && /^log-likelihood -?\d+\.\d$/.test(p.note ?? '')));

    const saved = JSON.parse(await readFile(baselineFiles.scores(result.dir), 'utf8'));
    assert.equal(saved.scores.swd, scores.swd);
    assert.deepEqual(await host.handlers['baseline.get']({ datasetId: report.id }), result);
  });

  test('a cancelled fit stops, keeps the last finished fit, and leaves the trainer ready for the next', async () => {
    const slow = options({ components: 4, pca: 64, covariance: 'full' });
    const firstPca = new Promise<void>((resolve) => {
      const off = host.on('baseline.progress', (p) => {
        if (p.phase === 'pca') {
          off();
          resolve();
        }
      });
    });
    const fit = host.handlers['baseline.fit']({ datasetId: report.id, options: slow });
    await firstPca;
    await assert.rejects(host.handlers['baseline.fit']({ datasetId: report.id, options: options() }), /a baseline fit is already running; cancel it first/);
    await host.handlers['baseline.cancel'](undefined);
    await assert.rejects(fit, /^Error: the baseline fit was cancelled$/);
    const latest = await host.handlers['baseline.get']({ datasetId: report.id });
    assert.equal(latest?.options.pca, 8);
    const folders = await readdir(paths.baselines);
    for (const folder of folders) {
      const files = await readdir(join(paths.baselines, folder));
      assert.equal(files.includes('scores.json'), folder === latest!.dir.split('/').at(-1), folder);
    }
    const again = await host.handlers['baseline.fit']({ datasetId: report.id, options: options({ samples: 2 }) });
    assert.equal(again.samples.length, 2);
    assert.equal((await host.handlers['baseline.get']({ datasetId: report.id }))?.dir, again.dir);
  });

  test('bad requests are refused in one line before the trainer is asked', async () => {
    await assert.rejects(
      dispatch(host, 'baseline.fit', { datasetId: report.id, options: { ...options(), components: 0 } }),
      /^Error: baseline\.fit: .*Components \(K\) must be at least 1, got 0$/,
    );
    await assert.rejects(dispatch(host, 'baseline.fit', { datasetId: report.id, options: { ...options(), extra: 1 } }), /options: unknown setting extra/);
    await assert.rejects(dispatch(host, 'baseline.fit', { datasetId: '../x', options: options() }), /not a valid dataset id/);
    await assert.rejects(
      host.handlers['baseline.fit']({ datasetId: 'f'.repeat(24), options: options() }),
      /^Error: dataset f{24} is not among the imported datasets: import its folder again$/,
    );
    await assert.rejects(
      host.handlers['baseline.fit']({ datasetId: report.id, options: options({ components: COUNT + 1 }) }),
      new RegExp(`^Error: Components \\(K\\) must be at most ${COUNT}, the number of images in the set, got ${COUNT + 1}$`),
    );
  });
});
