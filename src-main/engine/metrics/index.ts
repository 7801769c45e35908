/**
 * Offline image-quality scores that need no downloaded network (REFERENCE.md, "Image-quality metrics"):
 * SWD (Karras et al. 2018), NDB/K with its JS divergence (Richardson & Weiss 2018), and the
 * memorisation share. Pure functions of two image sets and a seed: every random draw comes from
 * streams derived from `seed` alone (never a training stream), so one seed gives the same scores.
 * The heavy matrix products run on the active tfjs backend (distances.ts); everything else is typed arrays.
 *
 * Typical use: `evaluate(realImages, generatedImages, { seed })`. A training loop that scores often
 * against one real set builds `qualityReference(realImages, options)` once (K-means bins and the
 * training nearest-neighbour yardstick) and passes it in place of the real images.
 */
import { Rng } from '../rng';
import { checkBatch, MetricInputError, type ImageBatch } from './images';
import { memorisationReference, memorisationShare, type MemorisationReference } from './memorisation';
import { fitNdbBins, scoreNdb, type NdbBins, type NdbOptions } from './ndb';
import type { ImageQualityScores } from '../../shared/contract';
import { slicedWasserstein, SWD_DEFAULTS, type SwdLevel, type SwdOptions } from './swd';

export { checkBatch, flattenImages, MetricInputError, sampleImages, selectImages, shuffledIndices, type ImageBatch } from './images';
export { pyramidSizes, slicedWasserstein, SWD_DEFAULTS, type SwdLevel, type SwdOptions, type SwdResult } from './swd';
export { fitNdbBins, scoreNdb, twoProportionPValue, NDB_DEFAULTS, type NdbBins, type NdbOptions, type NdbResult } from './ndb';
export { memorisationReference, memorisationShare, type MemorisationReference, type MemorisationResult } from './memorisation';

export interface EvaluateOptions extends SwdOptions, NdbOptions {
  /** Seeds every draw (patches, directions, binning dimensions, K-means); default 0. */
  seed?: number;
}

/** The real side of the scores, computed once and reused for every generated set. */
export interface QualityReference {
  images: ImageBatch;
  seed: number;
  ndb: NdbBins;
  memorisation: MemorisationReference;
}

/**
 * The scores of one generated set against real images: the contract's ImageQualityScores, so that
 * `score`, the training-time scores, the GMM baseline and the studio share one type.
 */
export type QualityScores = ImageQualityScores;

/** The independent random streams of one seed; each part of the scores draws from its own. */
function streams(seed: number): { ndb: number; patches: number; directions: number } {
  const root = new Rng(seed);
  return { ndb: root.seed(), patches: root.seed(), directions: root.seed() };
}

function checkSize(batch: ImageBatch, name: string, minResolution: number): void {
  checkBatch(batch, name);
  if (batch.size < minResolution) throw new MetricInputError(`${name}: the scores need images of at least ${minResolution} px, got ${batch.size} px`);
}

/**
 * Fits the real side: NDB's K-means bins and the memorisation yardstick. `training`: the images the
 * memorisation share measures copies of, when the scores compare with other real images (a held-out set);
 * by default `real` itself. Throws a MetricInputError (one line) for a malformed set, images under 16 px or
 * fewer than 2 images (in either set).
 */
export function qualityReference(real: ImageBatch, options: EvaluateOptions = {}, training: ImageBatch = real): QualityReference {
  const seed = options.seed ?? 0;
  checkSize(real, 'real images', options.minResolution ?? SWD_DEFAULTS.minResolution);
  if (real.count < 2) throw new MetricInputError(`real images: the scores need at least 2, got ${real.count}`);
  return {
    images: real,
    seed,
    ndb: fitNdbBins(real, new Rng(streams(seed).ndb), options),
    memorisation: memorisationReference(training),
  };
}

function isReference(value: ImageBatch | QualityReference): value is QualityReference {
  return (value as QualityReference).ndb !== undefined;
}

/**
 * Scores generated images against real ones: SWD, NDB/K and JS, memorisation share. `real` may be a
 * QualityReference from qualityReference (its seed then seeds the SWD draws too). SWD cuts image i
 * of both sets at the same random places (common random numbers; each set's places are still uniform,
 * as in ProGAN), so a set scored against itself gives exactly 0 and two similar sets differ by less
 * noise. Both sets must
 * share one image size ≥ 16 px; the counts may differ. Throws a MetricInputError (one line) on bad input.
 * Cost (wasm backend, one core, src-main/bench/metrics-timing.ts): 1,000 against 1,000 images at 32 px
 * about 12 s of CPU, at 64 px about 21 s; SWD is most of it (per level and set, count × 128 patches
 * projected on 512 directions and sorted), so `patchesPerImage` and `directions` trade exactness
 * against time linearly. Memory: the two sets' descriptors of one level, 2 × count × 128 × 147
 * floats (150 MB for 1,000 images each), plus 64 projections per patch; the backend holds one block.
 */
export function evaluate(real: ImageBatch | QualityReference, fake: ImageBatch, options: EvaluateOptions = {}): QualityScores {
  const reference = isReference(real) ? real : qualityReference(real, options);
  const minResolution = options.minResolution ?? SWD_DEFAULTS.minResolution;
  checkSize(fake, 'generated images', minResolution);
  if (fake.size !== reference.images.size) {
    throw new MetricInputError(`the real images are ${reference.images.size} px and the generated ones ${fake.size} px: score them at one size`);
  }
  if (fake.count === 0) throw new MetricInputError('generated images: the scores need at least 1');
  const seeds = streams(reference.seed);
  const swd = slicedWasserstein(
    reference.images,
    fake,
    { patchesA: new Rng(seeds.patches), patchesB: new Rng(seeds.patches), directions: new Rng(seeds.directions) },
    options,
  );
  const ndb = scoreNdb(reference.ndb, fake, options);
  const memorisation = memorisationShare(reference.memorisation, fake);
  return {
    swd: swd.swd,
    swdLevels: swd.levels,
    ndbK: ndb.ndbK,
    ndbJs: ndb.js,
    bins: ndb.bins,
    memorised: memorisation.memorised,
    counts: { real: reference.images.count, fake: fake.count },
    size: fake.size,
  };
}
