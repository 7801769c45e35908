/**
 * Presets: named partial overrides of the run schema's defaults, adapted to the number of usable images.
 * Each is a recipe (networks, batch, augmentation: presetRecipe) and a length (presetLength). The length is
 * set by time: once the machine's speed for the recipe is measured (estimates before Start, issue 14) the
 * steps fill the preset's `minutes`, within passes over the dataset that keep a fast machine from training
 * a tiny folder for ever; until then it follows the number of passes over the data. The New run form
 * opens on DEFAULT_PRESET.
 */
import { RUN_OPTIONS, type RunOptions } from './run';
import type { ChoiceInfo } from './option';

export const PRESET_CHOICES = {
  quick: { label: 'Quick preview', help: 'small and fast: see something within minutes', minutes: 10, minSteps: 50, maxPasses: 500 },
  balanced: { label: 'Balanced', help: 'a good default for most folders', minutes: 60, minSteps: 200, maxPasses: 2000 },
  quality: { label: 'Quality', help: 'bigger networks, longer training', minutes: 180, minSteps: 500, maxPasses: 5000 },
} as const satisfies Record<string, ChoiceInfo & PresetTiming>;

/**
 * How long a preset trains: `minutes` on this machine once its speed is measured; at least `minSteps`
 * steps, at most `maxPasses` passes over the dataset.
 */
export interface PresetTiming {
  minutes: number;
  minSteps: number;
  maxPasses: number;
}

export type PresetName = keyof typeof PRESET_CHOICES;
export const PRESET_NAMES = Object.keys(PRESET_CHOICES) as PresetName[];
export const DEFAULT_PRESET: PresetName = 'balanced';

/** The largest power of two not above n (at least 1): batch sizes that divide work evenly. */
export function powerOfTwoAtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** The options a preset's length sets. */
export type PresetLength = Pick<RunOptions, 'steps' | 'sampleEvery' | 'checkpointEvery' | 'evalEvery' | 'evalSamples'>;

/** The usable images a preset plans for: null (no dataset chosen yet) is taken as 1,000. */
function planned(datasetSize: number | null): number {
  return datasetSize && datasetSize > 0 ? datasetSize : 1000;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number, to: number) => Math.max(to, Math.round(v / to) * to);
/** Two significant digits: 1,234 → 1,200; 87 → 87. */
const nice = (v: number) => {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(1, v))) - 1);
  return Math.round(v / unit) * unit;
};

/**
 * Below this many usable images a set is few-shot, FastGAN's regime (Liu et al. 2021: 100 to 1,000
 * images): the balanced and quality presets switch to the lite networks, whose D regularises itself by
 * reconstructing its own features.
 */
export const FEW_SHOT_IMAGES = 500;
/**
 * Below this many, D can memorise the set within a preset's length (StyleGAN2-ADA, Karras et al. 2020, saw
 * it at tens of thousands): the recipes add always-on augmentations (flip, translation, colour) on top of
 * adaptive augmentation, which every recipe has on (it costs little where D does not overfit: p then stays
 * near 0).
 */
export const SMALL_SET_IMAGES = 2000;

/**
 * A preset's recipe for a dataset of `datasetSize` usable images (null: not chosen yet, taken as 1,000):
 * everything it sets but the length (presetLength). Every recipe sets the same keys (architecture and
 * adaptive augmentation included), so switching presets never leaves one preset's choice behind.
 * The choices follow the papers above, not a measurement on this machine (see the quality benchmark,
 * src-main/bench/quality-bench.ts, for how a recipe is measured).
 */
export function presetRecipe(name: PresetName, datasetSize: number | null): Partial<RunOptions> {
  const n = planned(datasetSize);
  const small = n < SMALL_SET_IMAGES;
  const fewShot = n < FEW_SHOT_IMAGES;
  const common = { k: 1, lrD: 2e-4, lrG: 2e-4, spectralNorm: false, r1: 0 };
  // p may reach 1 within a preset's usual length: about 10k images seen for a preview, 100k otherwise.
  // Adaptive augmentation is on in every recipe, as in the run defaults (measured on the quality benchmark, issue 12).
  const ada = (adaImages: number) => ({ ada: RUN_OPTIONS.ada.default, adaImages });
  if (name === 'quick') {
    return {
      ...common, arch: 'dcgan', size: 32, width: 16, latent: 64, batch: Math.min(16, powerOfTwoAtMost(n)), ema: 0.99, replay: 0,
      augment: small ? ['flip', 'translation'] : [], ...ada(10_000),
    };
  }
  const arch = fewShot ? 'lite' : 'dcgan';
  if (name === 'balanced') {
    return {
      ...common, arch, size: 64, width: 32, latent: 128, batch: Math.min(32, powerOfTwoAtMost(n)), ema: 0.999, replay: 0,
      augment: small ? ['flip', 'translation', 'color'] : ['flip'], ...ada(100_000),
    };
  }
  return {
    ...common, arch, size: 64, width: 64, latent: 128, batch: Math.min(64, powerOfTwoAtMost(n)), ema: 0.999, replay: small ? 0.1 : 0,
    augment: small ? ['flip', 'translation', 'cutout', 'color'] : ['flip', 'translation'], ...ada(100_000),
  };
}

/**
 * A preset's length. With `secondsPerStep` (the measured speed of the preset's recipe on this machine,
 * SpeedEstimate.secondsPerStep) the steps fill PRESET_CHOICES[name].minutes, rounded to two significant
 * digits, at least minSteps and at most maxPasses passes over the dataset. Without it (not measured yet)
 * the steps follow passes over the data within bounds that keep a CPU run reasonable. Sample grids and
 * checkpoints follow the steps.
 */
export function presetLength(name: PresetName, datasetSize: number | null, secondsPerStep: number | null = null): PresetLength {
  const n = planned(datasetSize);
  const { batch } = presetRecipe(name, datasetSize) as { batch: number };
  const passes = (epochs: number) => Math.round((epochs * n) / batch);
  const timing: PresetTiming = PRESET_CHOICES[name];
  const timed = (to: number) =>
    clamp(nice((timing.minutes * 60) / secondsPerStep!), timing.minSteps, Math.max(timing.minSteps, round(passes(timing.maxPasses), to)));
  const measured = secondsPerStep !== null && Number.isFinite(secondsPerStep) && secondsPerStep > 0;
  if (name === 'quick') {
    const steps = measured ? timed(50) : round(clamp(passes(10), 200, 600), 50);
    // One quality score, at the end, on fewer images: a preview should not wait on its scores.
    return { steps, sampleEvery: round(steps / 20, 10), checkpointEvery: round(steps / 4, 50), evalEvery: steps, evalSamples: 500 };
  }
  if (name === 'balanced') {
    const steps = measured ? timed(100) : round(clamp(passes(40), 1000, 8000), 100);
    return { steps, sampleEvery: round(steps / 40, 25), checkpointEvery: round(steps / 10, 100), evalEvery: round(steps / 5, 100), evalSamples: 1000 };
  }
  const steps = measured ? timed(500) : round(clamp(passes(100), 4000, 30000), 500);
  return { steps, sampleEvery: round(steps / 50, 50), checkpointEvery: round(steps / 10, 500), evalEvery: round(steps / 5, 500), evalSamples: 1000 };
}

/** A preset's settings: its recipe and its length (see presetLength for `secondsPerStep`). */
export function presetOptions(name: PresetName, datasetSize: number | null, secondsPerStep: number | null = null): Partial<RunOptions> {
  return { ...presetRecipe(name, datasetSize), ...presetLength(name, datasetSize, secondsPerStep) };
}
