/**
 * Presets: named partial overrides of the run schema's defaults, adapted to the number of usable images.
 * Small folders get augmentation (DiffAugment helps most there, DESIGN.md) and a batch no larger than the
 * folder; step counts follow the number of passes over the data, within bounds that keep a CPU run
 * reasonable. The New run form opens on DEFAULT_PRESET.
 */
import type { RunOptions } from './run';
import type { ChoiceInfo } from './option';

export const PRESET_CHOICES = {
  quick: { label: 'Quick preview', help: 'small and fast: see something within minutes' },
  balanced: { label: 'Balanced', help: 'a good default for most folders' },
  quality: { label: 'Quality', help: 'bigger networks, longer training' },
} as const satisfies Record<string, ChoiceInfo>;

export type PresetName = keyof typeof PRESET_CHOICES;
export const PRESET_NAMES = Object.keys(PRESET_CHOICES) as PresetName[];
export const DEFAULT_PRESET: PresetName = 'balanced';

/** The largest power of two not above n (at least 1): batch sizes that divide work evenly. */
export function powerOfTwoAtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** A preset's settings for a dataset of `datasetSize` usable images (null: not chosen yet, taken as 1,000). */
export function presetOptions(name: PresetName, datasetSize: number | null): Partial<RunOptions> {
  const n = datasetSize && datasetSize > 0 ? datasetSize : 1000;
  const small = n < 2000;
  const passes = (epochs: number, batch: number) => Math.round((epochs * n) / batch);
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const round = (v: number, to: number) => Math.max(to, Math.round(v / to) * to);
  const common = { k: 1, lrD: 2e-4, lrG: 2e-4 };
  if (name === 'quick') {
    const batch = Math.min(16, powerOfTwoAtMost(n));
    const steps = round(clamp(passes(10, batch), 200, 600), 50);
    return {
      ...common, size: 32, width: 16, latent: 64, batch, steps, ema: 0.99, replay: 0,
      augment: small ? ['flip', 'translation'] : [],
      sampleEvery: round(steps / 20, 10),
      checkpointEvery: round(steps / 4, 50),
      // One quality score, at the end, on fewer images: a preview should not wait on its scores.
      evalEvery: steps,
      evalSamples: 500,
    };
  }
  if (name === 'balanced') {
    const batch = Math.min(32, powerOfTwoAtMost(n));
    const steps = round(clamp(passes(40, batch), 1000, 8000), 100);
    return {
      ...common, size: 64, width: 32, latent: 128, batch, steps, ema: 0.999, replay: 0,
      augment: small ? ['flip', 'translation', 'color'] : ['flip'],
      sampleEvery: round(steps / 40, 25),
      checkpointEvery: round(steps / 10, 100),
      evalEvery: round(steps / 5, 100),
    };
  }
  const batch = Math.min(64, powerOfTwoAtMost(n));
  const steps = round(clamp(passes(100, batch), 4000, 30000), 500);
  return {
    ...common, size: 64, width: 64, latent: 128, batch, steps, ema: 0.999, replay: small ? 0.1 : 0,
    augment: small ? ['flip', 'translation', 'cutout', 'color'] : ['flip', 'translation'],
    sampleEvery: round(steps / 50, 50),
    checkpointEvery: round(steps / 10, 500),
    evalEvery: round(steps / 5, 500),
  };
}
