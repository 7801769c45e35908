import type { AugmentName, GeneratorLossName, Prior, RunConfig } from '../../src-main/shared/contract';
import type { DatasetReport } from '../../src-main/shared/contract';

/**
 * The New run form as the user typed it: every number stays a string until validated, so "1e-4",
 * "abc" and "" can each get their own message instead of being coerced by the input element.
 */
export interface RunForm {
  size: string;
  width: string;
  latent: string;
  prior: Prior;
  loss: GeneratorLossName;
  k: string;
  lrD: string;
  lrG: string;
  batch: string;
  steps: string;
  replay: string;
  ema: string;
  augment: AugmentName[];
  seed: string;
  sampleEvery: string;
  checkpointEvery: string;
}

export type FieldName = Exclude<keyof RunForm, 'prior' | 'loss' | 'augment'>;
export type FormErrors = Partial<Record<FieldName | 'dataset', string>>;

export const SIZES = [32, 48, 64, 96, 128] as const;
export const AUGMENTS: ReadonlyArray<{ name: AugmentName; label: string; hint: string }> = [
  { name: 'flip', label: 'Flip', hint: 'mirror images left–right' },
  { name: 'translation', label: 'Shift', hint: 'move images by a few pixels' },
  { name: 'cutout', label: 'Cutout', hint: 'blank out a random square' },
  { name: 'color', label: 'Colour', hint: 'jitter brightness, saturation and contrast' },
];

export type PresetName = 'quick' | 'balanced' | 'quality';
export const PRESETS: ReadonlyArray<{ name: PresetName; label: string; hint: string }> = [
  { name: 'quick', label: 'Quick preview', hint: 'small and fast: see something within minutes' },
  { name: 'balanced', label: 'Balanced', hint: 'a good default for most folders' },
  { name: 'quality', label: 'Quality', hint: 'bigger networks, longer training' },
];

/** The largest power of two not above n (at least 1): batch sizes that divide work evenly. */
function powerOfTwoAtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/**
 * Settings for a preset, adapted to the number of usable images. Small folders get augmentation
 * (DiffAugment helps most there, DESIGN.md) and a batch no larger than the folder; step counts
 * follow the number of passes over the data, within bounds that keep a CPU run reasonable.
 */
export function presetForm(name: PresetName, datasetSize: number | null, base: RunForm = defaultForm()): RunForm {
  const n = datasetSize && datasetSize > 0 ? datasetSize : 1000;
  const small = n < 2000;
  const passes = (epochs: number, batch: number) => Math.round((epochs * n) / batch);
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const round = (v: number, to: number) => Math.max(to, Math.round(v / to) * to);
  if (name === 'quick') {
    const batch = Math.min(16, powerOfTwoAtMost(n));
    const steps = round(clamp(passes(10, batch), 200, 600), 50);
    return {
      ...base,
      size: '32',
      width: '16',
      latent: '64',
      batch: String(batch),
      steps: String(steps),
      k: '1',
      lrD: '2e-4',
      lrG: '2e-4',
      ema: '0.99',
      replay: '0',
      augment: small ? ['flip', 'translation'] : [],
      sampleEvery: String(round(steps / 20, 10)),
      checkpointEvery: String(round(steps / 4, 50)),
    };
  }
  if (name === 'balanced') {
    const batch = Math.min(32, powerOfTwoAtMost(n));
    const steps = round(clamp(passes(40, batch), 1000, 8000), 100);
    return {
      ...base,
      size: '64',
      width: '32',
      latent: '128',
      batch: String(batch),
      steps: String(steps),
      k: '1',
      lrD: '2e-4',
      lrG: '2e-4',
      ema: '0.999',
      replay: '0',
      augment: small ? ['flip', 'translation', 'color'] : ['flip'],
      sampleEvery: String(round(steps / 40, 25)),
      checkpointEvery: String(round(steps / 10, 100)),
    };
  }
  const batch = Math.min(64, powerOfTwoAtMost(n));
  const steps = round(clamp(passes(100, batch), 4000, 30000), 500);
  return {
    ...base,
    size: '64',
    width: '64',
    latent: '128',
    batch: String(batch),
    steps: String(steps),
    k: '1',
    lrD: '2e-4',
    lrG: '2e-4',
    ema: '0.999',
    replay: small ? '0.1' : '0',
    augment: small ? ['flip', 'translation', 'cutout', 'color'] : ['flip', 'translation'],
    sampleEvery: String(round(steps / 50, 50)),
    checkpointEvery: String(round(steps / 10, 500)),
  };
}

/**
 * The form's batch shrunk to fit a newly chosen dataset (a power of two no larger than it), so
 * choosing a small folder does not greet the user with an error they did not make.
 */
export function fitBatchToDataset(batch: string, used: number): string {
  const value = Number(batch);
  if (!(used > 0) || !Number.isInteger(value) || value <= used) return batch;
  return String(powerOfTwoAtMost(used));
}

export function defaultForm(): RunForm {
  return {
    size: '64',
    width: '32',
    latent: '128',
    prior: 'normal',
    loss: 'ns',
    k: '1',
    lrD: '2e-4',
    lrG: '2e-4',
    batch: '32',
    steps: '2000',
    replay: '0',
    ema: '0.999',
    augment: ['flip', 'translation'],
    seed: '1',
    sampleEvery: '50',
    checkpointEvery: '200',
  };
}

/** A finished number, or a message saying what is wrong with the text. */
type Parsed = { value: number; error?: undefined } | { value?: undefined; error: string };

export function parseNumber(text: string): Parsed {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'required' };
  // Number('') is 0 and Number('0x10') is 16: accept only plain decimal and exponent notation.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return { error: `"${trimmed}" is not a number` };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: `"${trimmed}" is not a finite number` };
  return { value };
}

function integer(text: string, min: number, max: number, what: string): Parsed {
  const parsed = parseNumber(text);
  if (parsed.error !== undefined) return parsed;
  const value = parsed.value;
  if (!Number.isInteger(value)) return { error: `${what} must be a whole number` };
  if (value < min) return { error: `${what} must be at least ${min}` };
  if (value > max) return { error: `${what} must be at most ${max}` };
  return { value };
}

function fraction(text: string, what: string, opts: { includeOne: boolean; excludeZero?: boolean }): Parsed {
  const parsed = parseNumber(text);
  if (parsed.error !== undefined) return parsed;
  const value = parsed.value;
  const low = opts.excludeZero ? value <= 0 : value < 0;
  const high = opts.includeOne ? value > 1 : value >= 1;
  if (low || high) {
    const range = `${opts.excludeZero ? '(0' : '[0'}, 1${opts.includeOne ? ']' : ')'}`;
    return { error: `${what} must be in ${range}` };
  }
  return { value };
}

export interface ValidationContext {
  /** The dataset the run trains on; null when none is chosen yet. */
  dataset: Pick<DatasetReport, 'used' | 'folders' | 'settings' | 'id'> | null;
  /** The dataset is the built-in demo set: the trainer then finds (or recreates) it itself. */
  demo?: boolean;
}

export interface Validation {
  errors: FormErrors;
  /** Soft advice that does not block the run (e.g. a very large model on a CPU). */
  warnings: Partial<Record<FieldName, string>>;
  /** The run configuration, only when there are no errors. */
  config: RunConfig | null;
}

/** Checks every field and, when all are fine, builds the RunConfig the host receives. */
export function validateForm(form: RunForm, context: ValidationContext): Validation {
  const errors: FormErrors = {};
  const warnings: Partial<Record<FieldName, string>> = {};
  const values: Partial<Record<FieldName, number>> = {};
  const take = (field: FieldName, parsed: Parsed) => {
    if (parsed.error !== undefined) errors[field] = parsed.error;
    else values[field] = parsed.value;
  };

  const size = parseNumber(form.size);
  if (size.error !== undefined) errors.size = size.error;
  else if (!(SIZES as readonly number[]).includes(size.value)) errors.size = `choose one of ${SIZES.join(', ')} px`;
  else values.size = size.value;

  take('width', integer(form.width, 1, 512, 'Width'));
  take('latent', integer(form.latent, 1, 1024, 'Latent size'));
  const k = integer(form.k, 1, 20, 'k');
  if (k.error !== undefined && parseNumber(form.k).value === 0) {
    errors.k = 'k must be at least 1: the discriminator needs one step or more per generator step';
  } else take('k', k);
  take('lrD', fraction(form.lrD, 'Learning rate', { includeOne: false, excludeZero: true }));
  take('lrG', fraction(form.lrG, 'Learning rate', { includeOne: false, excludeZero: true }));
  take('batch', integer(form.batch, 1, 1024, 'Batch size'));
  take('steps', integer(form.steps, 1, 10_000_000, 'Steps'));
  take('replay', fraction(form.replay, 'Replay fraction', { includeOne: true }));
  take('ema', fraction(form.ema, 'EMA decay', { includeOne: false }));
  take('seed', integer(form.seed, 0, 2 ** 32 - 1, 'Seed'));
  take('sampleEvery', integer(form.sampleEvery, 1, 10_000_000, 'Sample interval'));
  take('checkpointEvery', integer(form.checkpointEvery, 1, 10_000_000, 'Checkpoint interval'));

  const dataset = context.dataset;
  if (!dataset) errors.dataset = 'choose a dataset first (Datasets view)';
  else if (dataset.used < 1) errors.dataset = 'this dataset has no usable images';
  if (dataset && values.batch !== undefined && dataset.used > 0 && values.batch > dataset.used) {
    errors.batch = `batch ${values.batch} is larger than the dataset (${dataset.used} images)`;
    delete values.batch;
  }

  if (values.lrD !== undefined && values.lrD > 0.01) warnings.lrD = 'unusually high: GANs usually train at about 2e-4';
  if (values.lrG !== undefined && values.lrG > 0.01) warnings.lrG = 'unusually high: GANs usually train at about 2e-4';
  if (values.width !== undefined && values.width > 128) warnings.width = 'very wide networks train slowly without a GPU';
  if (values.k !== undefined && values.k > 5) warnings.k = 'each step costs k discriminator updates; this will be slow';
  if (values.steps !== undefined && values.sampleEvery !== undefined && values.sampleEvery > values.steps) {
    warnings.sampleEvery = 'larger than the step count: only the first and last grids will be drawn';
  }

  if (Object.keys(errors).length > 0 || !dataset) return { errors, warnings, config: null };
  const v = values as Record<FieldName, number>;
  const config: RunConfig = {
    arch: 'dcgan',
    size: v.size,
    width: v.width,
    latent: v.latent,
    steps: v.steps,
    batch: v.batch,
    loss: form.loss,
    k: v.k,
    prior: form.prior,
    lrD: v.lrD,
    lrG: v.lrG,
    beta1: 0.5,
    beta2: 0.999,
    replay: v.replay,
    ema: v.ema,
    augment: [...form.augment],
    seed: v.seed,
    sampleEvery: v.sampleEvery,
    checkpointEvery: v.checkpointEvery,
    data: {
      folders: [...dataset.folders],
      // The trainer prepares the folder again at the run's size; the cache makes that cheap.
      settings: { ...dataset.settings, size: v.size },
      ...(context.demo ? { demo: true } : {}),
    },
  };
  return { errors, warnings, config };
}

/** The form that reproduces a run's settings (for "train again with these settings"). */
export function formFromConfig(config: RunConfig): RunForm {
  return {
    size: String(config.size),
    width: String(config.width),
    latent: String(config.latent),
    prior: config.prior,
    loss: config.loss,
    k: String(config.k),
    lrD: String(config.lrD),
    lrG: String(config.lrG),
    batch: String(config.batch),
    steps: String(config.steps),
    replay: String(config.replay),
    ema: String(config.ema),
    augment: [...config.augment],
    seed: String(config.seed),
    sampleEvery: String(config.sampleEvery),
    checkpointEvery: String(config.checkpointEvery),
  };
}

/** One-line summary of a run's key settings for lists. */
export function describeConfig(config: RunConfig): string {
  const loss = config.loss === 'mm' ? 'MMGAN' : config.loss === 'ns' ? 'NSGAN' : config.loss;
  return `${config.size} px · width ${config.width} · ${loss} · ${config.prior} prior · k ${config.k} · batch ${config.batch}`;
}
