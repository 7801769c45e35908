/**
 * The discriminator's landscape on images (issue 15): at each evaluation, D's outputs on held-out real
 * images, on generated images, and on two kinds of image off the data manifold — pixel-space midpoints of
 * two real images, and uniform noise — as histograms on fixed bins, with each set's mean and spread, and a
 * flatness index. The lecture's question: does D end flat, as Goodfellow's picture says (D* = 1/2 wherever
 * P_G = P_data, Goodfellow et al. 2014 Prop. 1), or does it keep a landscape that reflects the data, as
 * LeCun's does? Real and generated histograms piling into one bin at 1/2 is the flat end; interpolations and
 * noise kept apart from the real images is a landscape.
 *
 * What is binned: for the probabilistic losses (MMGAN, NSGAN) D(x) = σ(logit), in [0, 1], on 20 bins of
 * 0.05 — the value the playground's D flatness is the spread of, and where Goodfellow's flat D is one bin
 * (0.50–0.55). For hinge and least squares D's raw output is not a probability: it is binned as it is, on a
 * fixed range around the loss's targets (landscapeBins). Values outside the range are counted apart (below,
 * above), never folded onto the edge bins. The bins are a function of the loss only, so histograms compare
 * across a run's evaluations and across runs with the same loss.
 *
 * Flatness: the population standard deviation of that value over real ∪ generated images — the playground's
 * definition (toy/metrics.ts meanAndStd: "the spread is what D flatness reports"), taken over the mixture D
 * is trained on, as issue 15 asks. 0 for a D that says the same everywhere.
 *
 * Randomness: one stream of its own, seeded by the run's seed alone (never the training stream GanState.rng),
 * so every evaluation scores the same real images, midpoints, noise images and latent vectors (common random
 * numbers: two evaluations differ by the networks, not by the draw), and a run that records its landscape
 * trains bit for bit as one that does not. D and G run in inference mode (batch norm on its moving
 * statistics), as `generate --rank-by-d` scores images, so nothing in the state changes.
 */
import * as tf from '@tensorflow/tfjs';
import type { DLandscape, LandscapeSet } from '../shared/contract';
import { LOSS_CHOICES, type GeneratorLossName, type Prior } from '../shared/schema';
import { generateImages, scoreImages } from './gan';
import type { ImageBatch } from './metrics/images';
import { shuffledIndices } from './metrics/images';
import { samplePrior } from './prior';
import { Rng } from './rng';
import { meanAndStd } from './toy/metrics';

/** Images per set (real: at most this many of the held-out images): 4 × 256 D calls per evaluation. */
export const LANDSCAPE_SAMPLES = 256;

/** Bins per histogram. */
export const LANDSCAPE_BIN_COUNT = 20;

/** Keeps the landscape's stream apart from the run's other seeds (quality-eval.ts uses others). */
const LANDSCAPE_TAG = 0x1a2d5ca9;

/**
 * The fixed bins of a loss: D(x) on [0, 1] for MMGAN and NSGAN; the raw output on [−1, 2] for least squares
 * (targets 0 for fakes, 1 for real images) and on [−4, 4] for hinge (margins at ±1).
 */
export function landscapeBins(loss: GeneratorLossName): { value: DLandscape['value']; bins: DLandscape['bins'] } {
  if (LOSS_CHOICES[loss].probabilistic) return { value: 'probability', bins: { min: 0, max: 1, count: LANDSCAPE_BIN_COUNT } };
  if (loss === 'ls') return { value: 'score', bins: { min: -1, max: 2, count: LANDSCAPE_BIN_COUNT } };
  return { value: 'score', bins: { min: -4, max: 4, count: LANDSCAPE_BIN_COUNT } };
}

/** D's raw outputs turned into the binned value: σ(logit) for 'probability', unchanged for 'score'. */
export function landscapeValues(outputs: ArrayLike<number>, value: DLandscape['value']): Float64Array {
  const out = Float64Array.from(outputs);
  if (value === 'probability') for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
  return out;
}

/**
 * Bins `values` on `bins`: bin b holds min + b·w ≤ v < min + (b+1)·w with w = (max − min) / count, the last
 * bin also v = max. NaN counts as neither bin nor outside (a diverged D shows as n > the counted images).
 * Mean and std are over every finite value. Throws a RangeError for bins that are not a range.
 */
export function landscapeHistogram(values: ArrayLike<number>, bins: DLandscape['bins']): LandscapeSet {
  const { min, max, count } = bins;
  if (!(max > min) || !Number.isInteger(count) || count < 1) throw new RangeError(`bins must be a range with at least one bin, got ${JSON.stringify(bins)}`);
  const counts = new Array<number>(count).fill(0);
  let below = 0;
  let above = 0;
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    if (Number.isFinite(v)) finite.push(v);
    if (v < min) below++;
    else if (v > max) above++;
    else counts[Math.min(count - 1, Math.floor(((v - min) / (max - min)) * count))]++;
  }
  const { mean, std } = meanAndStd(finite);
  return { n: values.length, counts, below, above, mean, std };
}

/** D's raw outputs on each set of one evaluation (logits for MMGAN/NSGAN). */
export interface LandscapeOutputs {
  real: ArrayLike<number>;
  fake: ArrayLike<number>;
  interp: ArrayLike<number>;
  noise: ArrayLike<number>;
}

/**
 * The landscape of one evaluation from D's raw outputs: each set binned on the loss's fixed bins, and the
 * flatness — the population std of the binned value over real ∪ generated images (NaN when both are empty).
 */
export function landscapeStats(outputs: LandscapeOutputs, loss: GeneratorLossName, realFrom: DLandscape['realFrom']): DLandscape {
  const { value, bins } = landscapeBins(loss);
  const real = landscapeValues(outputs.real, value);
  const fake = landscapeValues(outputs.fake, value);
  const both = new Float64Array(real.length + fake.length);
  both.set(real);
  both.set(fake, real.length);
  return {
    value,
    bins,
    real: landscapeHistogram(real, bins),
    realFrom,
    fake: landscapeHistogram(fake, bins),
    interp: landscapeHistogram(landscapeValues(outputs.interp, value), bins),
    noise: landscapeHistogram(landscapeValues(outputs.noise, value), bins),
    flatness: meanAndStd(both).std,
  };
}

/** Seeds the landscape's stream: the run's seed alone. */
export function landscapeSeed(runSeed: number): number {
  return new Rng((runSeed ^ LANDSCAPE_TAG) >>> 0).seed();
}

/** Images in [-1, 1] as a float32 NHWC array (pixels 0–255 → x / 127.5 − 1). */
function toSigned(pixels: ArrayLike<number>): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < out.length; i++) out[i] = pixels[i] / 127.5 - 1;
  return out;
}

/** What the landscape draws once per run and scores at every evaluation (all in [-1, 1], NHWC). */
export interface LandscapeProbe {
  size: number;
  realFrom: DLandscape['realFrom'];
  real: Float32Array;
  realCount: number;
  /** Midpoints (a + b) / 2 of two different real images. */
  interp: Float32Array;
  /** Uniform in [-1, 1], every value drawn on its own. */
  noise: Float32Array;
  count: number;
}

/**
 * Draws the probe images from `real` (the held-out images, or the training images when none are held out):
 * up to `samples` real images, `samples` midpoints of two different real images (each pair drawn at random
 * from the whole set; with one real image, that image itself) and `samples` noise images. The same
 * (real, samples, seed) give the same probe. Throws a RangeError for an empty set.
 */
export function landscapeProbe(real: ImageBatch, realFrom: DLandscape['realFrom'], seed: number, samples = LANDSCAPE_SAMPLES): LandscapeProbe {
  if (real.count < 1) throw new RangeError("D's landscape needs at least one real image");
  const rng = new Rng(seed);
  const stride = real.size * real.size * 3;
  const realCount = Math.min(samples, real.count);
  const order = shuffledIndices(real.count, rng);
  const realPixels = new Float32Array(realCount * stride);
  for (let i = 0; i < realCount; i++) realPixels.set(toSigned(real.pixels.subarray(order[i] * stride, (order[i] + 1) * stride)), i * stride);
  const interp = new Float32Array(samples * stride);
  for (let i = 0; i < samples; i++) {
    const a = rng.int(real.count);
    let b = real.count > 1 ? rng.int(real.count - 1) : a;
    if (real.count > 1 && b >= a) b++;
    const pa = a * stride;
    const pb = b * stride;
    for (let j = 0; j < stride; j++) interp[i * stride + j] = (real.pixels[pa + j] + real.pixels[pb + j]) / 255 - 1;
  }
  const noise = new Float32Array(samples * stride);
  for (let j = 0; j < noise.length; j++) noise[j] = rng.next() * 2 - 1;
  return { size: real.size, realFrom, real: realPixels, realCount, interp, noise, count: samples };
}

/**
 * Scores D's landscape: D's outputs on the probe's real, midpoint and noise images and on `probe.count`
 * images of `generator` from latents drawn from `seed`, then landscapeStats. Inference mode throughout; holds
 * no tensors after it resolves.
 */
export async function measureLandscape(
  networks: { generator: tf.LayersModel; discriminator: tf.LayersModel },
  probe: LandscapeProbe,
  run: { loss: GeneratorLossName; prior: Prior; latent: number },
  seed: number,
  chunk = 64,
): Promise<DLandscape> {
  const { size } = probe;
  const score = async (pixels: Float32Array, count: number) => {
    const images = tf.tensor4d(pixels, [count, size, size, 3]);
    try {
      return await scoreImages(networks.discriminator, images, chunk);
    } finally {
      images.dispose();
    }
  };
  const real = await score(probe.real, probe.realCount);
  const interp = await score(probe.interp, probe.count);
  const noise = await score(probe.noise, probe.count);
  const z = samplePrior(run.prior, probe.count, run.latent, new Rng(seed ^ 0x2545f491).seed());
  let fakeImages: tf.Tensor4D;
  try {
    fakeImages = generateImages(networks.generator, z, chunk);
  } finally {
    z.dispose();
  }
  let fake: Float32Array;
  try {
    fake = await scoreImages(networks.discriminator, fakeImages, chunk);
  } finally {
    fakeImages.dispose();
  }
  return landscapeStats({ real, fake, interp, noise }, run.loss, probe.realFrom);
}
