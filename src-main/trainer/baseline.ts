/**
 * The GMM baseline on an imported dataset, in the trainer process (issue 12, THEORY.md §1): fit the
 * lecture's maximum-likelihood model (engine/baseline), write its samples, and score them — and the
 * dataset's GAN runs, from their checkpoints — against the same real images with the offline scores
 * (engine/metrics), so the studio can show "blurry, but covers the data" beside the GAN.
 * The host hands down every folder (disk/baseline-folder.ts lays out the one written here).
 */
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BaselineGanScores, GmmBaselineResult, ImageQualityScores, TrainerApi, TrainerEvents } from '../shared/contract';
import { importDataset } from '../data/import';
import { BASELINE_SAMPLE_NAME, baselineFiles, writeBaselineResult } from '../disk/baseline-folder';
import { writeFileAtomic } from '../disk/atomic-write';
import { fitImageGmm, ImageGmmCancelled, sampleImageGmm, type RgbImageSet } from '../engine/baseline/gmm-images';
import { evaluate, qualityReference, sampleImages, type QualityScores } from '../engine/metrics';
import { Rng } from '../engine/rng';
import { sampleRunImages } from './generation';
import { gridPng, imagePng } from './images';

export type FitBaselineParams = TrainerApi['gmm.fit']['params'];
export type BaselineProgressEvent = TrainerEvents['gmm.progress'];

/**
 * Images per set for the scores: the GMM's, each GAN's and the real ones (a random subset of the dataset
 * when it holds more; all of it when fewer). `gan-studio score`'s default, so its numbers compare.
 */
export const BASELINE_SCORE_COUNT = 1000;

/** The samples' random stream: the fit's seed mixed, as `gan-studio gmm` does, so both draw the same images. */
export function baselineSampleRng(seed: number): Rng {
  return new Rng((seed ^ 0x9e3779b9) >>> 0);
}

/**
 * Writes `samples` as `dir`/samples/sample-0001.png… (replacing an earlier fit's sample files) and their
 * grid as `dir`/grid.png, each atomically. Returns the sample files in order and the grid.
 */
export async function writeBaselineSamples(dir: string, samples: RgbImageSet, onWritten?: (done: number) => void): Promise<{ files: string[]; grid: string }> {
  const samplesDir = baselineFiles.samples(dir);
  await mkdir(samplesDir, { recursive: true });
  for (const name of await readdir(samplesDir)) if (BASELINE_SAMPLE_NAME.test(name)) await unlink(join(samplesDir, name));
  const digits = Math.max(4, String(samples.count).length);
  const files: string[] = [];
  for (let i = 0; i < samples.count; i++) {
    const file = baselineFiles.sample(dir, i, digits);
    await writeFileAtomic(file, await imagePng(samples, i));
    files.push(file);
    onWritten?.(i + 1);
  }
  const grid = baselineFiles.grid(dir);
  await writeFileAtomic(grid, await gridPng(samples));
  return { files, grid };
}

function toJson(scores: QualityScores): ImageQualityScores {
  const { swd, swdLevels, ndbK, ndbJs, bins, memorised, counts, size } = scores;
  return { swd, swdLevels, ndbK, ndbJs, bins, memorised, counts, size };
}

/** The first `n` images of a set (a view, no copy). */
function firstImages(set: RgbImageSet, n: number): RgbImageSet {
  const count = Math.min(n, set.count);
  return { size: set.size, count, pixels: set.pixels.subarray(0, count * set.size * set.size * 3) };
}

/** A macrotask turn: lets the cancel request and the host's messages in between two long synchronous parts. */
function breathe(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
    if (signal.aborted) throw new ImageGmmCancelled();
  });
}

/**
 * Fits, samples, scores and writes one baseline (see the file's header); resolves with what scores.json
 * holds. The dataset comes from the import cache (re-read from the folders when the cache is gone); when
 * its files changed since the host listed it (another dataset id), it throws a one-line Error saying to
 * import it again. Runs whose checkpoint cannot be read are left out of `gans`, with a progress note.
 * Rejects with ImageGmmCancelled ("the GMM fit was cancelled") when `signal` fires; what was written by
 * then stays, but scores.json only ever describes a finished fit. Cost (demo set, 2,000 images at 32 px, K 10,
 * D 64, diagonal; wasm on two cores shared with other jobs, load ≈ 17): PCA 41 s, EM 7 s (31 iterations),
 * 64 samples written 2 s, scores 136 s for the mixture and one GAN run (1,000 against 1,000 images each, about
 * 12 s of CPU per set on an idle core: src-main/bench/metrics-timing.ts) — the scores are most of it.
 */
export async function fitBaseline(
  params: FitBaselineParams,
  hooks: { signal: AbortSignal; onProgress?: (progress: BaselineProgressEvent) => void },
): Promise<GmmBaselineResult> {
  const { options, outDir } = params;
  const { signal } = hooks;
  const progress = hooks.onProgress ?? (() => {});
  const started = performance.now();

  const { report, images } = await importDataset(params.folders, params.settings, {
    cacheDir: params.cacheDir,
    appDataDir: params.dataDir,
    signal,
    onProgress: (p) => progress({ phase: 'loading', done: p.done, total: p.total }),
  });
  if (report.id !== params.datasetId) {
    throw new Error(`the images in ${report.folders.join(', ')} changed since this dataset was imported: import it again, then fit the baseline`);
  }
  if (options.components > images.count) {
    throw new Error(`Components (K) must be at most ${images.count}, the number of images in the set, got ${options.components}`);
  }
  const loadSeconds = (performance.now() - started) / 1000;

  const model = await fitImageGmm(images, {
    components: options.components,
    pca: options.pca,
    covariance: options.covariance,
    maxIterations: options.iterations,
    seed: options.seed,
    signal,
    onProgress: (p) =>
      progress({ phase: p.phase, done: p.done, total: p.total, note: p.logLikelihood === undefined ? undefined : `log-likelihood ${p.logLikelihood.toFixed(1)}` }),
  });

  let mark = performance.now();
  const scoreCount = Math.min(BASELINE_SCORE_COUNT, images.count);
  // One draw: the samples shown are the first of those scored (sampleGmm draws one image after another).
  const drawn = sampleImageGmm(model, Math.max(options.samples, scoreCount), baselineSampleRng(options.seed));
  await breathe(signal);
  progress({ phase: 'samples', done: 0, total: options.samples });
  const { files, grid } = await writeBaselineSamples(outDir, firstImages(drawn, options.samples), (done) => {
    if (done % 16 === 0 || done === options.samples) progress({ phase: 'samples', done, total: options.samples });
  });
  const samplesSeconds = (performance.now() - mark) / 1000;

  mark = performance.now();
  const scoreJobs = 1 + params.runs.length;
  progress({ phase: 'scores', done: 0, total: scoreJobs, note: 'the GMM samples' });
  await breathe(signal);
  // As `gan-studio score --n 1000 --seed S` draws them: the same subset of the real images for every set.
  const real = sampleImages(images, scoreCount, new Rng(options.seed));
  const reference = qualityReference(real, { seed: options.seed });
  const scores = toJson(evaluate(reference, firstImages(drawn, scoreCount), { seed: options.seed }));
  const gans: BaselineGanScores[] = [];
  // An earlier fit's grids of runs that may be gone since.
  for (const name of await readdir(outDir)) if (/^gan-.+\.png$/.test(name)) await unlink(join(outDir, name));
  for (const [i, run] of params.runs.entries()) {
    progress({ phase: 'scores', done: 1 + i, total: scoreJobs, note: `run ${run.runId}` });
    await breathe(signal);
    try {
      const fake = await sampleRunImages({ runDir: run.runDir, n: Math.max(options.samples, scoreCount), seed: options.seed });
      if (fake.size !== images.size) continue;
      await breathe(signal);
      const ganScores = toJson(evaluate(reference, firstImages(fake, scoreCount), { seed: options.seed }));
      const ganGrid = baselineFiles.ganGrid(outDir, run.runId);
      await writeFileAtomic(ganGrid, await gridPng(firstImages(fake, options.samples)));
      gans.push({ runId: run.runId, step: fake.step, scores: ganScores, grid: ganGrid });
    } catch (error) {
      if (error instanceof ImageGmmCancelled) throw error;
      progress({ phase: 'scores', done: 1 + i, total: scoreJobs, note: `run ${run.runId} left out: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  gans.sort((a, b) => a.scores.swd - b.scores.swd);
  progress({ phase: 'scores', done: scoreJobs, total: scoreJobs });
  const scoresSeconds = (performance.now() - mark) / 1000;
  await breathe(signal);

  const result: GmmBaselineResult = {
    datasetId: params.datasetId,
    dir: outDir,
    options,
    images: images.count,
    size: images.size,
    pca: model.pca.components,
    explainedVariance: model.pca.explainedVariance,
    logLikelihood: model.logLikelihood,
    pixelLogLikelihood: Number.isFinite(model.pixelLogLikelihood) ? model.pixelLogLikelihood : null,
    iterations: model.mixture.iterations,
    converged: model.mixture.converged,
    grid,
    samples: files,
    reference: 'training',
    scores,
    gans,
    seconds: {
      load: loadSeconds,
      pca: model.seconds.pca,
      em: model.seconds.em,
      samples: samplesSeconds,
      scores: scoresSeconds,
      total: (performance.now() - started) / 1000,
    },
    createdAt: new Date().toISOString(),
  };
  await writeBaselineResult(result);
  return result;
}
