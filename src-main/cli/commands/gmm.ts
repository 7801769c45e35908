import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isInside } from '../../disk/inside';
import { appPaths } from '../../disk/app-paths';
import { DATASET_OPTIONS, DEFAULT_GMM_CONFIG, GMM_OPTIONS } from '../../shared/schema';
import { terminalProgressBar } from '../progress-bar';
import { UsageError } from '../usage-error';
import { collect, pathOption, requireOption } from './engine-options';
import { addSchemaOptions, readOptions } from './schema-options';

/** How the folder is prepared (the `dataset` flags that matter here). */
const GMM_DATASET_OPTIONS = { size: DATASET_OPTIONS.size, mode: DATASET_OPTIONS.mode, background: DATASET_OPTIONS.background };

type GmmCliOptions = Record<string, unknown> & { data?: string[]; out?: string; json?: boolean };

/** `gan-studio gmm`: the maximum-likelihood baseline of issue 12 on a folder of images (engine/baseline). */
export function registerGmm(program: Command): void {
  const command = program
    .command('gmm')
    .description("fit the lecture's maximum-likelihood baseline to a folder of images (a Gaussian mixture by EM in a PCA space) and draw samples")
    .option('--data <dir>', 'image folder, or "demo" (repeat for several folders; never modified)', collect)
    .option('--out <dir>', 'folder for the samples (OUT/samples/sample-0001.png, …) and their grid (OUT/grid.png)');
  addSchemaOptions(addSchemaOptions(command, GMM_DATASET_OPTIONS), GMM_OPTIONS)
    .option('--json', 'print one JSON object instead of text')
    .action(async (o: GmmCliOptions) => {
      const data = requireOption(o.data, '--data DIR|demo');
      const out = pathOption(requireOption(o.out, '--out DIR'), '--out');
      const settings = readOptions(GMM_DATASET_OPTIONS, o);
      const gmm = { ...DEFAULT_GMM_CONFIG, ...readOptions(GMM_OPTIONS, o) };
      const demo = data.length === 1 && data[0] === 'demo';
      const folders = demo ? [] : data.map((dir) => pathOption(dir, '--data'));
      for (const folder of folders) {
        if (!existsSync(folder)) throw new UsageError(`--data: folder not found: ${folder}`);
        if (isInside(out, folder)) {
          throw new UsageError(`--out ${out} is inside the image folder ${folder}: its samples would be read as training images next time; choose a folder outside it`);
        }
      }

      const importSettings = {
        size: settings.size ?? DATASET_OPTIONS.size.default,
        mode: settings.mode ?? DATASET_OPTIONS.mode.default,
        background: settings.background ?? DATASET_OPTIONS.background.default,
      };
      const [{ resolveSettings }, { DatasetError }] = await Promise.all([import('../../data/settings'), import('../../data/errors')]);
      try {
        await resolveSettings(importSettings);
      } catch (error) {
        if (error instanceof DatasetError) throw new UsageError(error.message);
        throw error;
      }

      const bar = terminalProgressBar('{phase} [{bar}] {value}/{total} {note}', o.json !== true);
      const controller = new AbortController();
      const onInterrupt = (): void => controller.abort();
      process.once('SIGINT', onInterrupt);
      try {
        const [{ importDataset }, { ensureDemoDataset }, { fitImageGmm, sampleImageGmm }, { baselineSampleRng, writeBaselineSamples }] = await Promise.all([
          import('../../data/import'),
          import('../../data/demo-avatars'),
          import('../../engine/baseline/gmm-images'),
          import('../../trainer/baseline'),
        ]);
        const started = performance.now();
        const showImport = (p: { phase: string; done: number; total: number }): void => bar.update(p.done, p.total, { phase: p.phase, note: '' });
        if (demo) folders.push(await ensureDemoDataset(appPaths().demo, { onProgress: showImport }));
        const { report, images } = await importDataset(folders, importSettings, {
          cacheDir: appPaths().cache, appDataDir: appPaths().root, onProgress: showImport, signal: controller.signal },
        );
        bar.stop();
        const importSeconds = (performance.now() - started) / 1000;
        if (gmm.components > images.count) {
          throw new UsageError(`--components ${gmm.components} is more than the ${images.count} images of the set: choose at most ${images.count}`);
        }
        const perComponent = Math.floor(images.count / gmm.components);
        if (gmm.covariance === 'full' && perComponent <= Math.min(gmm.pca, images.count - 1) && o.json !== true) {
          process.stderr.write(
            `note: about ${perComponent} images per component in ${Math.min(gmm.pca, images.count - 1)} dimensions make full covariances singular (samples then hug a few images); --covariance diag or a smaller --pca is steadier\n`,
          );
        }
        const model = await fitImageGmm(images, {
          components: gmm.components,
          pca: gmm.pca,
          covariance: gmm.covariance,
          maxIterations: gmm.iterations,
          seed: gmm.seed,
          signal: controller.signal,
          onProgress: (p) =>
            bar.update(p.done, p.total, { phase: p.phase === 'pca' ? 'PCA' : 'EM', note: p.logLikelihood === undefined ? '' : `log-likelihood ${p.logLikelihood.toFixed(1)}` }),
        });
        bar.stop();

        // A separate stream from the fit's, so asking for more samples never changes the fit (the studio's baseline draws the same).
        const samples = sampleImageGmm(model, gmm.samples, baselineSampleRng(gmm.seed));
        const samplesDir = join(out, 'samples');
        const { files, grid } = await writeBaselineSamples(out, samples);

        const { pca, mixture } = model;
        const result = {
          data: report.folders,
          images: images.count,
          size: images.size,
          components: gmm.components,
          pca: pca.components,
          covariance: gmm.covariance,
          seed: gmm.seed,
          explainedVariance: pca.explainedVariance,
          logLikelihood: model.logLikelihood,
          pixelLogLikelihood: model.pixelLogLikelihood,
          iterations: mixture.iterations,
          converged: mixture.converged,
          seconds: { import: importSeconds, pca: model.seconds.pca, em: model.seconds.em, total: (performance.now() - started) / 1000 },
          samples: files,
          grid,
        };
        if (o.json) {
          process.stdout.write(`${JSON.stringify(result, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value))}\n`);
          return;
        }
        const lowered = pca.components < gmm.pca ? ` (lowered from ${gmm.pca}: ${images.count} images span at most ${images.count - 1} directions)` : '';
        process.stdout.write(
          [
            `GMM baseline: ${images.count} images at ${images.size} px, K = ${gmm.components} ${gmm.covariance} Gaussians in a ${pca.components}-dimensional PCA space${lowered}`,
            `  PCA: explains ${(100 * pca.explainedVariance).toFixed(1)}% of the pixel variance (${pca.components} of ${pca.dim} dimensions), ${model.seconds.pca.toFixed(1)} s`,
            `  EM: ${mixture.iterations} iterations${mixture.converged ? ', converged' : ' (the cap: raise --iterations to go on)'}, ${model.seconds.em.toFixed(1)} s`,
            `  log-likelihood per image: ${model.logLikelihood.toFixed(1)} nats in the PCA space, ${
              Number.isFinite(model.pixelLogLikelihood)
                ? `${model.pixelLogLikelihood.toFixed(0)} nats in pixel space (pixels in [-1, 1], the discarded directions as isotropic noise)`
                : 'none in pixel space (the PCA directions hold all the variance)'
            }`,
            `wrote ${files.length} samples to ${samplesDir} and their grid to ${grid}`,
          ].join('\n') + '\n',
        );
      } finally {
        bar.stop();
        process.off('SIGINT', onInterrupt);
      }
    });
}
