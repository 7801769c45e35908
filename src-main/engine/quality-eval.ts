/**
 * Quality scores during training (issue 12): every `evalEvery` steps, and at the end of a run that long,
 * `evalSamples` images from the sampling generator (the EMA copy when the run keeps one) are scored against
 * as many real images (all of a smaller set) with the offline metrics (./metrics: SWD ×10³, NDB/K,
 * memorisation share): the run's held-out images when it holds out at least 2 (issue 15; engine/held-out.ts),
 * else its training images. The memorisation share always looks for copies of training images. A small
 * held-out set makes the scores noisier.
 *
 * Randomness: nothing here touches the training stream (GanState.rng), so a run scored along the way trains
 * bit for bit as one that is not. The real subset, NDB's K-means bins and SWD's patch places and directions
 * come from one stream seeded by the run's seed alone (the same at every evaluation and after a resume:
 * common random numbers, so two steps' scores differ by the generator, not by the draw); the latent vectors
 * of an evaluation come from a stream seeded by the run's seed and the step.
 *
 * Size: runs above EVAL_MAX_SIZE px are scored on images halved (cv2.pyrDown, the SWD pyramid's own filter)
 * until they are at most that size, so an evaluation costs about the same at every resolution: 1,000
 * against 1,000 images at 32 px take about 12 s of one CPU core on the wasm backend (metrics/index.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { imagesPerStep } from '../shared/estimate';
import type { RunConfig } from '../shared/schema';
import { generateImages } from './gan';
import { evaluate, qualityReference, sampleImages, type ImageBatch, type QualityReference, type QualityScores } from './metrics';
import { pyramidDown } from './metrics/swd';
import { samplePrior } from './prior';
import { Rng } from './rng';

/** The largest image side scored: larger runs are halved down to it or below. */
export const EVAL_MAX_SIZE = 32;

/** Generated images rendered per generator call: bounds the activations alive at once. */
const RENDER_CHUNK = 64;

/**
 * Whether the step's end is scored: every `every` steps, and at the last step of a run at least that long
 * (a run shorter than `every` is never scored; `every` 0 turns scoring off). Steps count from 1.
 */
export function evalDue(step: number, totalSteps: number, every: number): boolean {
  if (every <= 0 || step <= 0) return false;
  return step % every === 0 || (step === totalSteps && step >= every);
}

/** The side images of `size` px are scored at: halved (rounding up, as pyrDown does) while above EVAL_MAX_SIZE. */
export function evalImageSize(size: number): number {
  let side = size;
  while (side > EVAL_MAX_SIZE) side = Math.ceil(side / 2);
  return side;
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Tags that keep the evaluation's streams apart from each other and from the run's other seeds. */
const REFERENCE_TAG = 0x5eed0e7a;
const LATENT_TAG = 0x1a7e0e7a;

/** Seeds the metrics' draws (real subset, K-means, patches, directions): the run's seed alone. */
export function evalReferenceSeed(runSeed: number): number {
  return fmix32(fmix32(runSeed ^ REFERENCE_TAG) + 1);
}

/** Seeds the latent vectors scored at `step`: a function of the run's seed and the step only. */
export function evalLatentSeed(runSeed: number, step: number): number {
  return new Rng(fmix32(fmix32(runSeed ^ LATENT_TAG) ^ fmix32(step + 0x9e3779b9))).seed();
}

/**
 * The batch with every image halved (cv2.pyrDown per colour plane) until its side is `side`; the batch
 * itself when it is that size already. Values stay on the 0–255 scale, as floats. Throws when `side` cannot
 * be reached by halving.
 */
export function downscaleBatch(batch: ImageBatch, side: number): ImageBatch {
  if (batch.size === side) return batch;
  const sizes = [batch.size];
  while (sizes.at(-1)! > side) sizes.push(Math.ceil(sizes.at(-1)! / 2));
  if (sizes.at(-1) !== side) throw new Error(`images of ${batch.size} px cannot be halved to ${side} px`);
  const from = batch.size * batch.size;
  const to = side * side;
  const out = new Float32Array(batch.count * to * 3);
  const plane = new Float32Array(from);
  for (let n = 0; n < batch.count; n++) {
    for (let c = 0; c < 3; c++) {
      for (let i = 0, p = n * from * 3 + c; i < from; i++, p += 3) plane[i] = batch.pixels[p];
      let current: Float32Array = plane;
      for (let l = 0; l + 1 < sizes.length; l++) current = pyramidDown(current, sizes[l], sizes[l]);
      for (let i = 0, p = n * to * 3 + c; i < to; i++, p += 3) out[p] = current[i];
    }
  }
  return { size: side, count: batch.count, pixels: out };
}

/** What an evaluation needs of the run's configuration. */
export type EvalConfig = Pick<RunConfig, 'seed' | 'prior' | 'latent' | 'size' | 'k' | 'batch' | 'evalSamples'>;

/** One evaluation's scores (contract.ts EvalMetrics without the wall-clock time the caller measures). */
export interface EvalResult {
  step: number;
  imagesSeen: number;
  scores: QualityScores;
}

export interface EvalHooks {
  /** Awaited between rendered chunks, so the caller's messages and signals are served. */
  between?: () => Promise<void>;
  /** Checked between chunks: true abandons the evaluation (evaluate then resolves to null). */
  cancelled?: () => boolean;
}

/**
 * Scores a run's generator against its real images (held out, or its training images: see the constructor).
 * The real side (subset, NDB bins, memorisation yardstick) is built on first use and kept, so each later
 * evaluation costs the generated side only (plus SWD's real descriptors). Holds no tensors between calls.
 */
export class QualityEvaluator {
  private reference: QualityReference | null = null;
  readonly size: number;
  private readonly seed: number;

  /**
   * `real`: the images the scores compare with at the run's size (uint8 NHWC, 0–255), at least 2: the run's
   * held-out images, or its training images when it holds none out. `training`: the images the memorisation
   * share looks for copies of, when they are not `real` (at most evalSamples of them are used). A small
   * held-out set makes SWD and NDB/K noisier: they then compare evalSamples generated images with few real ones.
   */
  constructor(
    private readonly config: EvalConfig,
    private readonly real: ImageBatch,
    private readonly training: ImageBatch = real,
  ) {
    this.size = evalImageSize(config.size);
    this.seed = evalReferenceSeed(config.seed);
  }

  /** The real side, built once (throws a MetricInputError for fewer than 2 real images). */
  private referenceSide(): QualityReference {
    if (!this.reference) {
      const subset = downscaleBatch(sampleImages(this.real, this.config.evalSamples, new Rng(this.seed)), this.size);
      const training =
        this.training === this.real ? subset : downscaleBatch(sampleImages(this.training, this.config.evalSamples, new Rng(this.seed)), this.size);
      this.reference = qualityReference(subset, { seed: this.seed }, training);
    }
    return this.reference;
  }

  /**
   * Renders `evalSamples` images from `generator` (inference mode: no batch-norm statistics change) with
   * latents drawn for `step`, and scores them. Resolves to null when `hooks.cancelled` says so midway.
   */
  async evaluate(generator: tf.LayersModel, step: number, hooks: EvalHooks = {}): Promise<EvalResult | null> {
    const reference = this.referenceSide();
    const { prior, latent, size, evalSamples: n } = this.config;
    const fake = new Float32Array(n * this.size * this.size * 3);
    const z = samplePrior(prior, n, latent, evalLatentSeed(this.config.seed, step));
    try {
      for (let first = 0; first < n; first += RENDER_CHUNK) {
        const count = Math.min(RENDER_CHUNK, n - first);
        const pixels = tf.tidy(() => {
          const images = generateImages(generator, z.slice([first, 0], [count, latent]), RENDER_CHUNK);
          return tf.clipByValue(tf.round(tf.mul(tf.add(images, 1), 127.5)), 0, 255);
        });
        let values: Float32Array;
        try {
          values = (await pixels.data()) as Float32Array;
        } finally {
          pixels.dispose();
        }
        const chunk = downscaleBatch({ size, count, pixels: values }, this.size);
        fake.set(chunk.pixels, first * this.size * this.size * 3);
        await hooks.between?.();
        if (hooks.cancelled?.()) return null;
      }
    } finally {
      z.dispose();
    }
    const scores = this.score({ size: this.size, count: n, pixels: fake });
    return { step, imagesSeen: step * imagesPerStep(this.config), scores };
  }

  /**
   * Scores images already rendered at the evaluator's size (`this.size`; downscaleBatch gets them there)
   * against the same real side as every evaluation of the run: e.g. the images D ranks highest.
   * Throws a MetricInputError for an empty or mis-sized batch.
   */
  score(fake: ImageBatch): QualityScores {
    return evaluate(this.referenceSide(), fake);
  }
}
