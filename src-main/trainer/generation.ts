import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModelWeights } from '../engine/checkpoint';
import { PRIOR, type RunConfig } from '../shared/schema';
import { generateImages as renderImages, scoreImages, toUint8 } from '../engine/gan';
import { formatBytes, gifFramesError, generationChunk, gridBytes } from '../engine/memory';
import { buildDiscriminator, buildGenerator } from '../engine/models';
import { samplePrior } from '../engine/prior';
import { Rng } from '../engine/rng';
import { writeFileAtomic } from '../disk/atomic-write';
import type { GeneratedImage, ImageQualityScores, RankCheck, RankVerdict } from '../shared/contract';
import type { ImageSet } from '../data/types';
import { HELD_OUT_SEED, scoringSets, splitHeldOut, unscoredReason } from '../engine/held-out';
import { selectImages, type ImageBatch } from '../engine/metrics/images';
import { downscaleBatch, evalImageSize, evalReferenceSeed, QualityEvaluator } from '../engine/quality-eval';
import { framesToGif, gridPng, gridRaw, imagePng } from './images';
import { readRunConfig } from '../disk/run-folder';
import { loadNewestIntactCheckpoint } from '../disk/checkpoint-files';
import { MODEL_EXPORT_FILES } from '../disk/model-export';
import { currentMemoryLimit } from './backend';

export interface LoadedRun {
  config: RunConfig;
  step: number;
  /** The EMA generator when the run keeps one, else the trained generator. */
  generator: tf.LayersModel;
  discriminator: tf.LayersModel | null;
  dispose(): void;
}

/** Where loadRun reports a damaged newest checkpoint it passed over; stderr unless a caller says. */
export type WarningSink = (message: string) => void;

const toStderr: WarningSink = (message) => process.stderr.write(`${message}\n`);

/**
 * The networks of the run's newest intact checkpoint (loadNewestIntactCheckpoint), ready for
 * inference; each damaged newer checkpoint is reported by name through `onWarning`. Throws a
 * one-line Error when the run has no checkpoint, none is intact, or one is of a newer format.
 */
export async function loadRun(runDir: string, options: { discriminator?: boolean; onWarning?: WarningSink } = {}): Promise<LoadedRun> {
  const config = await readRunConfig(runDir);
  const intact = await loadNewestIntactCheckpoint(runDir);
  if (!intact) throw new Error(`${runDir} has no checkpoint yet: train it first`);
  for (const skipped of intact.skipped) (options.onWarning ?? toStderr)(`${skipped.message}; using step ${intact.step} (${intact.path}) instead`);
  const { checkpoint } = intact;
  const generator = buildGenerator(config);
  loadModelWeights(generator, checkpoint, checkpoint.json.model.ema ? 'EMA' : 'G');
  let discriminator: tf.LayersModel | null = null;
  if (options.discriminator) {
    discriminator = buildDiscriminator(config);
    loadModelWeights(discriminator, checkpoint, 'D');
  }
  return {
    config,
    step: checkpoint.json.step,
    generator,
    discriminator,
    dispose: () => {
      generator.dispose();
      discriminator?.dispose();
    },
  };
}

export interface GenerateImagesParams {
  runDir: string;
  outDir: string;
  /** Any positive count: images are rendered and written a chunk at a time, so memory does not grow with n. */
  n: number;
  seed: number;
  /** Draw 4n and keep the n the discriminator scores highest: D as an evaluation function (THEORY.md §5). */
  rankByD: boolean;
  /** Also write all kept images as one grid PNG here (refused when the grid would not fit in memory). */
  grid?: string;
  onWarning?: WarningSink;
}

/**
 * Latent vectors are drawn in blocks of this many images, block b from a seed of its own, so the
 * z of image i depends on the seed and i only, never on n or on the chunk size. Block 0 uses the
 * seed itself: up to 256 images are those one draw of samplePrior(seed) gives.
 */
const Z_BLOCK = 256;

function blockSeed(seed: number, block: number): number {
  return block === 0 ? seed : (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(block, 0xc2b2ae35)) >>> 0;
}

/**
 * Renders images first … first + count − 1 of the draw from `seed`, `chunk` at a time, and hands
 * each chunk to `visit` (tensors in [-1, 1], disposed after visit). Blocks for which `wanted` says
 * no are skipped without rendering.
 */
async function renderDraw(
  run: LoadedRun,
  seed: number,
  count: number,
  chunk: number,
  visit: (first: number, images: tf.Tensor4D) => Promise<void>,
  wanted: (first: number, count: number) => boolean = () => true,
): Promise<void> {
  const { prior, latent } = run.config;
  for (let blockStart = 0; blockStart < count; blockStart += Z_BLOCK) {
    const blockCount = Math.min(Z_BLOCK, count - blockStart);
    if (!wanted(blockStart, blockCount)) continue;
    const z = samplePrior(prior, blockCount, latent, blockSeed(seed, blockStart / Z_BLOCK));
    try {
      for (let offset = 0; offset < blockCount; offset += chunk) {
        const n = Math.min(chunk, blockCount - offset);
        const images = tf.tidy(() => renderImages(run.generator, z.slice([offset, 0], [n, latent]), n));
        try {
          await visit(blockStart + offset, images);
        } finally {
          images.dispose();
        }
      }
    } finally {
      z.dispose();
    }
  }
}

/** Indices of `scores`, highest score first (ties: the earlier draw first): how D ranks a draw. */
function rankByScore(scores: Float32Array): Uint32Array {
  return Uint32Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}

/** Images the backend's memory lets the run render (and score) at once; throws when not even one fits. */
function chunkFor(run: LoadedRun, score: boolean): number {
  const limit = currentMemoryLimit();
  const chunk = generationChunk(run.config, limit, score);
  if (chunk === 0) {
    throw new Error(
      `the run's networks (${run.config.size} px, width ${run.config.width}) need more memory than the ${limit.backend} backend can use (${formatBytes(limit.bytes)}) even for one image`,
    );
  }
  return chunk;
}

/**
 * Writes n PNGs (image-0001.png, ...) to outDir, best first when ranked by D, as they are
 * rendered: memory stays that of one chunk whatever n is (ranking keeps one score per image drawn,
 * 4 bytes, and renders the kept ones a second time). Throws before any work when n is not a
 * positive integer or the grid asked for would not fit in memory.
 */
export async function generateImages(params: GenerateImagesParams): Promise<GeneratedImage[]> {
  const { runDir, outDir, n, seed, rankByD } = params;
  if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a positive integer, got ${n}`);
  const run = await loadRun(runDir, { discriminator: rankByD, onWarning: params.onWarning });
  try {
    const { config } = run;
    const px = config.size * config.size * 3;
    let tiles: Uint8Array | null = null;
    if (params.grid) {
      const limit = currentMemoryLimit();
      const needed = gridBytes(n, config.size);
      if (needed > limit.bytes) {
        let most = n;
        while (most > 1 && gridBytes(most, config.size) > limit.bytes) most = Math.floor(most / 2);
        throw new Error(
          `a grid of ${n} images of ${config.size} px needs about ${formatBytes(needed)} of memory, more than the ${formatBytes(limit.bytes)} this machine can give: leave out the grid, or ask for ${most} images or fewer`,
        );
      }
      tiles = new Uint8Array(n * px);
    }
    const chunk = chunkFor(run, rankByD);
    const drawn = rankByD ? 4 * n : n;
    // Which drawn image becomes which file: all in order, or the n best by D.
    let rankOf: Int32Array | null = null;
    let scores: Float32Array | null = null;
    if (rankByD) {
      const allScores = new Float32Array(drawn);
      await renderDraw(run, seed, drawn, chunk, async (first, images) => {
        allScores.set(await scoreImages(run.discriminator!, images, chunk), first);
      });
      const order = rankByScore(allScores);
      rankOf = new Int32Array(drawn).fill(-1);
      for (let rank = 0; rank < n; rank++) rankOf[order[rank]] = rank;
      scores = allScores;
    }
    await mkdir(outDir, { recursive: true });
    const width = Math.max(4, String(n).length);
    const out: GeneratedImage[] = new Array(n);
    const wanted = (first: number, count: number) => !rankOf || rankOf.subarray(first, first + count).some((rank) => rank >= 0);
    await renderDraw(
      run,
      seed,
      drawn,
      chunk,
      async (first, images) => {
        const batch = { pixels: await toUint8(images), count: images.shape[0], size: config.size };
        for (let i = 0; i < batch.count; i++) {
          const rank = rankOf ? rankOf[first + i] : first + i;
          if (rank < 0) continue;
          const path = join(outDir, `image-${String(rank + 1).padStart(width, '0')}.png`);
          await writeFileAtomic(path, await imagePng(batch, i));
          tiles?.set(batch.pixels.subarray(i * px, (i + 1) * px), rank * px);
          out[rank] = scores ? { path, score: scores[first + i] } : { path };
        }
      },
      wanted,
    );
    if (params.grid && tiles) await writeFileAtomic(params.grid, await gridPng({ pixels: tiles, count: n, size: config.size }));
    return out;
  } finally {
    run.dispose();
  }
}

/**
 * 'helps' when the ranked set's SWD is lower and its NDB/K no higher, 'does-not-help' when neither is lower,
 * 'mixed' when they disagree (contract RankCheck).
 */
export function rankVerdict(ranked: ImageQualityScores, random: ImageQualityScores): RankVerdict {
  const swd = ranked.swd < random.swd;
  const ndb = ranked.ndbK < random.ndbK;
  if (swd && ranked.ndbK <= random.ndbK) return 'helps';
  if (!swd && !ndb) return 'does-not-help';
  return 'mixed';
}

/**
 * The scores of the n images of `drawn` with the highest D `scores` (ties: the earlier draw) and of its
 * first n images, by `score`, and the verdict (rankVerdict). Throws a RangeError when n
 * is not from 1 to drawn.count or the scores are not one per image.
 */
export function compareRanking(
  drawn: ImageBatch,
  scores: Float32Array,
  n: number,
  score: (images: ImageBatch) => ImageQualityScores,
): { ranked: ImageQualityScores; random: ImageQualityScores; verdict: RankVerdict } {
  if (scores.length !== drawn.count) throw new RangeError(`one D score per drawn image: ${drawn.count} images, ${scores.length} scores`);
  if (!Number.isInteger(n) || n < 1 || n > drawn.count) throw new RangeError(`n must be from 1 to ${drawn.count}, got ${n}`);
  const ranked = score(selectImages(drawn, rankByScore(scores).subarray(0, n)));
  const random = score(selectImages(drawn, Array.from({ length: n }, (_, i) => i)));
  return { ranked, random, verdict: rankVerdict(ranked, random) };
}

/** The largest n whose ranking is measured: 4,000 images drawn, each kept at the scored size (about 12 kB at 32 px). */
export const RANK_CHECK_MAX = 1000;

export interface RankCheckParams {
  runDir: string;
  n: number;
  seed: number;
  /** Where the run's dataset is prepared (the import cache) and, for a demo run, the demo set: as for training. */
  cacheDir: string;
  demoDir?: string;
  dataDir?: string;
  /** The run's images already loaded (tests): skips the import. */
  images?: ImageSet;
  onWarning?: WarningSink;
}

/**
 * D as an evaluator, measured (issue 15): draws 4n images from `seed` exactly as `generate --rank-by-d`
 * does, and scores the n that D ranks highest against the first n of the same draw (the images `generate`
 * writes unranked with that seed) with the run's quality scores: the same real side as during training
 * (its held-out images when it holds at least 2 out, at most evalSamples of them, scored at up to 32 px).
 * The verdict: rankVerdict. With few images both scores are noisy. Throws a one-line Error
 * when n is not a whole number from 1 to RANK_CHECK_MAX, the run has no checkpoint, or its images cannot be read.
 */
export async function measureRanking(params: RankCheckParams): Promise<RankCheck> {
  const { runDir, n, seed } = params;
  if (!Number.isInteger(n) || n < 1 || n > RANK_CHECK_MAX) throw new Error(`n must be a whole number from 1 to ${RANK_CHECK_MAX} to measure D's ranking, got ${n}`);
  const run = await loadRun(runDir, { discriminator: true, onWarning: params.onWarning });
  try {
    const { config } = run;
    const { loadRunImages } = await import('./session');
    const { images } = await loadRunImages(config, { images: params.images, cacheDir: params.cacheDir, demoDir: params.demoDir, dataDir: params.dataDir });
    if (images.size !== config.size) throw new Error(`the run's images were prepared at ${images.size} px, the run makes ${config.size} px`);
    const split = splitHeldOut(images.count, config.heldOut, config.split?.seed ?? HELD_OUT_SEED);
    const unscored = unscoredReason(images.count, split);
    if (unscored) throw new Error(`D's ranking cannot be measured: ${unscored}`);
    const sets = scoringSets(images, split, config.evalSamples, evalReferenceSeed(config.seed));
    const evaluator = new QualityEvaluator(config, sets.real, sets.training);
    const side = evalImageSize(config.size);
    const drawn = 4 * n;
    const stride = side * side * 3;
    const small = new Float32Array(drawn * stride);
    const scores = new Float32Array(drawn);
    const chunk = chunkFor(run, true);
    await renderDraw(run, seed, drawn, chunk, async (first, rendered) => {
      scores.set(await scoreImages(run.discriminator!, rendered, chunk), first);
      const pixels = await toUint8(rendered);
      small.set(downscaleBatch({ size: config.size, count: rendered.shape[0], pixels }, side).pixels, first * stride);
    });
    const { ranked, random, verdict } = compareRanking({ size: side, count: drawn, pixels: small }, scores, n, (batch) => evaluator.score(batch));
    return { n, drawn, seed, step: run.step, ranked, random, against: sets.against, real: ranked.counts.real, verdict };
  } finally {
    run.dispose();
  }
}

/** Images rendered per generator call when sampling many: bounds the activations alive at once. */
const SAMPLE_CHUNK = 64;

/**
 * n images from the run's (EMA) generator, in memory: uint8 RGB, NHWC, count × size × size × 3. The
 * z are those `generate --n n --seed seed` draws (one samplePrior call), so both show the same images.
 */
export async function sampleRunImages(params: { runDir: string; n: number; seed: number; onWarning?: WarningSink }): Promise<{
  size: number;
  count: number;
  pixels: Uint8Array;
  step: number;
}> {
  const { runDir, n, seed } = params;
  if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a positive integer, got ${n}`);
  const run = await loadRun(runDir, { onWarning: params.onWarning });
  try {
    const { config } = run;
    const px = config.size * config.size * 3;
    const pixels = new Uint8Array(n * px);
    const z = samplePrior(config.prior, n, config.latent, seed);
    try {
      for (let start = 0; start < n; start += SAMPLE_CHUNK) {
        const rows = Math.min(SAMPLE_CHUNK, n - start);
        const images = tf.tidy(() => renderImages(run.generator, z.slice([start, 0], [rows, config.latent])));
        pixels.set(await toUint8(images), start * px);
        images.dispose();
      }
    } finally {
      z.dispose();
    }
    return { size: config.size, count: n, pixels, step: run.step };
  } finally {
    run.dispose();
  }
}

/** Spherical interpolation suits Gaussian z (keeps the norm typical); linear suits the uniform cube. */
function interpolate(a: Float32Array, b: Float32Array, t: number, spherical: boolean): Float32Array {
  const out = new Float32Array(a.length);
  if (spherical) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    const omega = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))));
    if (omega > 1e-4) {
      const sa = Math.sin((1 - t) * omega) / Math.sin(omega);
      const sb = Math.sin(t * omega) / Math.sin(omega);
      for (let i = 0; i < a.length; i++) out[i] = sa * a[i] + sb * b[i];
      return out;
    }
  }
  for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i] + t * b[i];
  return out;
}

export interface InterpolationParams {
  runDir: string;
  outFile: string;
  frames?: number;
  seed: number;
  /** Anchor points the walk visits in a loop. */
  anchors?: number;
  onWarning?: WarningSink;
}

/** A looping latent walk through a few random z, as an animated GIF (upscaled to at least 256 px). */
export async function writeInterpolationGif(params: InterpolationParams): Promise<void> {
  const frames = params.frames ?? 48;
  const anchorCount = params.anchors ?? 4;
  if (!Number.isInteger(frames) || frames < 2) throw new Error(`frames must be an integer of at least 2, got ${frames}`);
  const run = await loadRun(params.runDir, { onWarning: params.onWarning });
  try {
    const { config } = run;
    const scale = Math.max(1, Math.ceil(256 / config.size));
    const tooMany = gifFramesError(frames, config.size * scale, currentMemoryLimit().bytes);
    if (tooMany) throw new Error(tooMany);
    const anchorTensor = samplePrior(config.prior, anchorCount, config.latent, params.seed);
    const anchorData = (await anchorTensor.data()) as Float32Array;
    anchorTensor.dispose();
    const anchor = (i: number) => anchorData.subarray((i % anchorCount) * config.latent, ((i % anchorCount) + 1) * config.latent);
    const z = new Float32Array(frames * config.latent);
    for (let f = 0; f < frames; f++) {
      const position = (f / frames) * anchorCount;
      const i = Math.floor(position);
      const t = position - i;
      // Ease in and out at each anchor so the walk lingers on the images it passes through.
      const eased = t * t * (3 - 2 * t);
      z.set(interpolate(anchor(i), anchor(i + 1), eased, config.prior === PRIOR.normal), f * config.latent);
    }
    // Rendered a chunk at a time: only the upscaled frames are kept for the GIF.
    const chunk = chunkFor(run, false);
    const px = config.size * config.size * 3;
    const rendered: Array<ReturnType<typeof gridRaw>> = [];
    for (let first = 0; first < frames; first += chunk) {
      const count = Math.min(chunk, frames - first);
      const images = tf.tidy(() =>
        renderImages(run.generator, tf.tensor2d(z.subarray(first * config.latent, (first + count) * config.latent), [count, config.latent]), count),
      );
      const pixels = await toUint8(images);
      images.dispose();
      for (let f = 0; f < count; f++) {
        rendered.push(gridRaw({ pixels: pixels.subarray(f * px, (f + 1) * px), count: 1, size: config.size }, 1, 0, scale));
      }
    }
    const { width, height } = rendered[0];
    await writeFileAtomic(params.outFile, await framesToGif(rendered.map((r) => r.data), width, height, 80));
  } finally {
    run.dispose();
  }
}

/**
 * Writes the (EMA) generator as a tfjs layers model: model.json + one weights file, loadable with
 * tf.loadLayersModel('…/model.json') in a web page. tfjs's file:// handler needs tfjs-node, so the
 * files are written by our own save handler.
 */
export async function exportGenerator(params: { runDir: string; outDir: string; onWarning?: WarningSink }): Promise<{ modelJson: string }> {
  const run = await loadRun(params.runDir, { onWarning: params.onWarning });
  try {
    await mkdir(params.outDir, { recursive: true });
    const weightsFile = MODEL_EXPORT_FILES.weights;
    const modelJson = join(params.outDir, MODEL_EXPORT_FILES.model);
    await run.generator.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
        await writeFileAtomic(join(params.outDir, weightsFile), new Uint8Array(weightData));
        const json = {
          modelTopology: artifacts.modelTopology,
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
          convertedBy: null,
          weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
          userDefinedMetadata: {
            ganStudio: {
              step: run.step,
              size: run.config.size,
              latent: run.config.latent,
              prior: run.config.prior,
              ema: run.config.ema > 0,
              output: 'NHWC images in [-1, 1] (tanh); map to pixels with (x + 1) * 127.5',
            },
          },
        };
        await writeFileAtomic(modelJson, JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    return { modelJson };
  } finally {
    run.dispose();
  }
}

/** Random seeds for the CLI when none is given. */
export function randomSeed(): number {
  return new Rng(Date.now() >>> 0).seed();
}
