/**
 * The run schema: every option of a training run, defined once. From it come the RunConfig type, the
 * validator with field-level messages, the upgrade of config.json files written by older versions, the CLI
 * `train` flags and the New run form's fields. The defaults are the CLI's (`gan-studio train`).
 */
import { z } from 'zod';
import { ImportSettingsSchema, type ImportSettings } from './dataset';
import { ARCH, ARCH_CHOICES, AUGMENT_CHOICES, LOSS, LOSS_CHOICES, PRIOR, PRIOR_CHOICES, supportedSizes, supportsSize } from './names';
import { boolean, choice, defaultsOf, integer, list, number, objectOf, type AnyOption } from './option';

/**
 * config.json's format version. 1: every file written before the field existed (issue 10); 2: the run
 * schema; 3: the quality recipe (evaluation, adaptive augmentation, spectral norm, R1, the lite architecture);
 * 4: the held-out share (heldOut) and the split it drew (split).
 */
export const RUN_SCHEMA_VERSION = 4;

export const RUN_OPTIONS = {
  arch: choice(ARCH_CHOICES, { label: 'Architecture', help: 'the generator and discriminator networks', default: ARCH.dcgan, group: 'model', shape: true }),
  size: integer({ label: 'Resolution', help: 'image side in pixels: bigger is slower, 4× the pixels per doubling', default: 64, min: 16, max: 1024, select: [32, 48, 64, 96, 128], group: 'model', shape: true, unit: 'px' }),
  width: integer({ label: 'Model width', help: 'base channel count of both networks', default: 32, min: 1, max: 512, group: 'model', shape: true }),
  latent: integer({ label: 'Latent size', help: 'numbers in each random input z', default: 128, min: 1, max: 1024, group: 'model', shape: true }),
  prior: choice(PRIOR_CHOICES, { label: 'Latent prior', help: 'where z comes from: N(0, I) or U[−1, 1]', default: PRIOR.normal, group: 'model' }),
  loss: choice(LOSS_CHOICES, { label: 'Generator loss', help: 'what G minimises (THEORY.md §4)', default: LOSS.ns, group: 'training' }),
  k: integer({ label: 'k (D steps per G step)', help: 'discriminator updates per generator update: more bring D closer to its best', default: 1, min: 1, max: 100, group: 'training', resume: true }),
  steps: integer({ label: 'Steps', help: 'generator updates in total', default: 5000, min: 1, max: 10_000_000, group: 'training', resume: true }),
  batch: integer({ label: 'Batch size', help: 'real and generated images per update, each (the memory it needs is checked before training)', default: 32, min: 1, max: 1_000_000, group: 'training' }),
  lrD: number({ label: 'Learning rate D', help: "the discriminator's Adam step size, e.g. 2e-4", default: 2e-4, min: 0, max: 1, minExclusive: true, maxExclusive: true, group: 'training', resume: true }),
  lrG: number({ label: 'Learning rate G', help: "the generator's Adam step size: small, so G does not run from D", default: 2e-4, min: 0, max: 1, minExclusive: true, maxExclusive: true, group: 'training', resume: true }),
  beta1: number({ label: 'Adam β1', help: "Adam's first-moment decay (DCGAN: 0.5)", default: 0.5, min: 0, max: 1, maxExclusive: true, group: 'training' }),
  beta2: number({ label: 'Adam β2', help: "Adam's second-moment decay", default: 0.999, min: 0, max: 1, maxExclusive: true, group: 'training' }),
  seed: integer({ label: 'Seed', help: 'same seed, same run', default: 1, min: 0, max: 2 ** 32 - 1, group: 'training' }),
  replay: number({ label: 'Replay fraction', help: 'share of the fakes D sees drawn from earlier generators (0 = off)', default: 0, min: 0, max: 1, group: 'stabilisers', shape: true }),
  ema: number({ label: 'EMA of G', help: "decay of a moving average of G's weights used for samples (0 = off, 0.999 typical)", default: 0.999, min: 0, max: 1, maxExclusive: true, group: 'stabilisers', shape: true }),
  augment: list(AUGMENT_CHOICES, { label: 'Augmentation', help: 'applied to real and generated images before D (with adaptive augmentation: each with probability p)', default: [], group: 'stabilisers', resume: true }),
  ada: number({ label: 'Adaptive augmentation', help: "target for D's overfitting r_t: p rises while r_t is above it (0 = off; 0.6, the default, is StyleGAN2-ADA's)", default: 0.6, min: 0, max: 1, maxExclusive: true, group: 'stabilisers', resume: true, addedIn: 3, before: 0 }),
  adaImages: integer({ label: 'ADA speed (images)', help: 'real images over which p can move from 0 to 1 (StyleGAN2-ADA: 500,000 for long runs)', default: 100_000, min: 1000, max: 100_000_000, group: 'stabilisers', resume: true, addedIn: 3, before: 100_000 }),
  spectralNorm: boolean({ label: 'Spectral norm of D', help: "divides each D layer's weights by their largest singular value (Miyato et al. 2018); D then has no batch norm", default: false, group: 'stabilisers', shape: true, addedIn: 3, before: false }),
  r1: number({ label: 'R1 penalty γ', help: "γ/2 · E‖∇D(x)‖² on real images (Mescheder et al. 2018): keeps D smooth around the data (0 = off, 1–10 typical)", default: 0, min: 0, max: 10_000, group: 'stabilisers', resume: true, addedIn: 3, before: 0 }),
  r1Every: integer({ label: 'R1 every (D steps)', help: 'lazy R1: computed on every Nth discriminator update and weighted N× (StyleGAN2: 16; 1 = every update)', default: 16, min: 1, max: 1000, group: 'stabilisers', resume: true, addedIn: 3, before: 16 }),
  sampleEvery: integer({ label: 'Grid every (steps)', help: 'steps between sample grids', default: 100, min: 1, max: 10_000_000, group: 'logging', resume: true }),
  checkpointEvery: integer({ label: 'Checkpoint every (steps)', help: 'steps between checkpoints: a crash loses at most this much', default: 500, min: 1, max: 10_000_000, group: 'logging', resume: true }),
  evalEvery: integer({ label: 'Score every (steps)', help: 'steps between quality scores (SWD, NDB/K) of the generator, and one at the end of a run that long; about 10–20 s each on a CPU (0 = off; the default scores a 5000-step run 5 times)', default: 1000, min: 0, max: 10_000_000, group: 'logging', resume: true, addedIn: 3, before: 0 }),
  heldOut: number({ label: 'Held-out share', help: "share of the real images set aside by a fixed seed, never trained on, for the quality scores and D's landscape (0 = none); a small held-out set makes the scores noisier", default: 0.1, min: 0, max: 0.5, group: 'logging', addedIn: 4, before: 0 }),
  evalSamples: integer({ label: 'Images scored', help: 'generated images per quality score, against as many real ones (all of a smaller set): fewer is faster, but noisier', default: 1000, min: 2, max: 4000, group: 'logging', resume: true, addedIn: 3, before: 1000 }),
} as const;

export type RunOptionKey = keyof typeof RUN_OPTIONS;
export type RunOptions = ReturnType<typeof defaultsOf<typeof RUN_OPTIONS>>;

const folder = z.custom<string>((v) => typeof v === 'string' && v.length > 0 && v.length <= 4096 && !v.includes('\0'), {
  error: 'each dataset folder must be a path',
});

/** What the run trains on: the folders (read only), how they are prepared, and the fingerprint of the set. */
export const RunDataSchema = z.object(
  {
  folders: z.array(folder, { error: 'data.folders must be a list of folders' }).max(64),
  settings: ImportSettingsSchema,
  datasetId: z.string().max(200).optional(),
  demo: z.boolean().optional(),
  },
  { error: 'data must say what the run trains on: { folders, settings }' },
);

/**
 * What the run last trained on, written by the trainer (not an option: nobody chooses it here).
 * Losses match bit for bit only on the same backend and thread count, so a resume elsewhere warns.
 * Any backend name is accepted, so that a run trained by a newer version with a new backend opens.
 */
export const RunComputeSchema = z.object(
  {
    backend: z.string().min(1).max(40),
    threads: z.number().int().min(1).max(4096),
  },
  { error: 'compute must say what the run trained on: { backend, threads }' },
);
export type RunCompute = z.infer<typeof RunComputeSchema>;

/**
 * The held-out split a run drew (engine/held-out.ts), written by the trainer when the run starts and kept on
 * resume: `seed` drew it from `images` real images, `heldOut` of them set aside. Absent in runs written
 * before it was recorded, and before a run's first start.
 */
export const RunSplitSchema = z.object(
  {
    seed: z.number().int().min(0).max(2 ** 32 - 1),
    images: z.number().int().min(0),
    heldOut: z.number().int().min(0),
  },
  { error: 'split must say how the real images were split: { seed, images, heldOut }' },
);
export type RunSplit = z.infer<typeof RunSplitSchema>;

/** Every run option, each checked by its entry (no cross-field rules: see validateRunConfig). */
export const RunOptionsSchema = objectOf(RUN_OPTIONS);

export const RunConfigSchema = RunOptionsSchema.extend({
  schemaVersion: z.literal(RUN_SCHEMA_VERSION, { error: `schemaVersion must be ${RUN_SCHEMA_VERSION}` }),
  data: RunDataSchema,
  /** Absent until the run has trained (and in runs written before it was recorded). */
  compute: RunComputeSchema.optional(),
  /** Absent until the run has started (and in runs written before schema 4). */
  split: RunSplitSchema.optional(),
});

/**
 * Rules between fields, checked on whatever parts of the input are valid on their own, so that a size the
 * architecture cannot make is reported together with the other mistakes, not after they are fixed.
 */
function crossFieldErrors(input: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const arch = RUN_OPTIONS.arch.schema.safeParse(input.arch);
  const size = RUN_OPTIONS.size.schema.safeParse(input.size);
  if (arch.success && size.success && !supportsSize(arch.data, size.data)) {
    errors.push({
      field: 'size',
      message: `${ARCH_CHOICES[arch.data].label} cannot make ${size.data} px images: choose ${supportedSizes(arch.data, 32, 256).join(', ')} px`,
    });
  }
  if (arch.success && arch.data === ARCH.lite && input.spectralNorm === true) {
    errors.push({ field: 'spectralNorm', message: `spectralNorm: spectral norm is built into the DCGAN discriminators only; turn it off for ${ARCH_CHOICES.lite.label}, or choose a DCGAN` });
  }
  const data = input.data as Partial<RunData> | undefined;
  if (data && typeof data === 'object' && Array.isArray(data.folders) && data.folders.length === 0 && !data.demo) {
    errors.push({ field: 'data.folders', message: 'the run has no dataset folder: choose one, or the demo set' });
  }
  return errors;
}

export type RunConfig = z.infer<typeof RunConfigSchema>;
export type RunData = RunConfig['data'];

/** A field and what is wrong with it, in one line: the form puts it under the field, the CLI prints it. */
export interface FieldError {
  /** Option key, or a dotted path for nested fields ("data.folders"). */
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Runs a zod schema and turns its issues into field-level messages. */
export function validateWith<T>(schema: z.ZodType<T>, value: unknown, what = 'value'): Validated<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const errors = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || what,
    message: issue.message,
  }));
  return { ok: false, errors };
}

/** One line for all the errors (each message names its field), e.g. for an exception or the CLI. */
export function describeErrors(errors: FieldError[]): string {
  return errors.map((e) => e.message).join('; ');
}

/** Checks a whole run configuration; the host, the trainer, the CLI and the form all call this one. */
export function validateRunConfig(value: unknown): Validated<RunConfig> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, errors: [{ field: 'config', message: 'the run configuration must be an object of settings' }] };
  }
  const result = validateWith(RunConfigSchema, value, 'config');
  const cross = crossFieldErrors(value as Record<string, unknown>);
  if (cross.length === 0) return result;
  return { ok: false, errors: [...(result.ok ? [] : result.errors), ...cross] };
}

/** The defaults, with the dataset settings following the run's size. */
export function defaultRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  const config: RunConfig = {
    schemaVersion: RUN_SCHEMA_VERSION,
    ...defaultsOf(RUN_OPTIONS),
    data: { folders: [], settings: { size: RUN_OPTIONS.size.default, mode: 'crop', background: '#ffffff' } },
    ...overrides,
  };
  config.data = { ...config.data, settings: { ...config.data.settings, size: config.size } as ImportSettings };
  return config;
}

/**
 * Options that may change when a run resumes: the length, learning rates, D steps per G step, augmentation
 * (adaptive too), the R1 penalty, how often to log. None of them is in the checkpoint's shape; they take effect from the next step.
 */
export const RESUMABLE_OPTIONS = (Object.keys(RUN_OPTIONS) as RunOptionKey[]).filter((key) => RUN_OPTIONS[key].resume === true);

/** The run's own config with what may change on resume taken from `changes`. */
export function applyResumeChanges(saved: RunConfig, changes: Partial<RunOptions>): RunConfig {
  const next = { ...saved } as Record<string, unknown>;
  for (const key of RESUMABLE_OPTIONS) if (changes[key] !== undefined) next[key] = changes[key];
  return next as RunConfig;
}

/**
 * Reads a config.json written by any version: fills in what older versions did not write (each option's
 * value from before it existed), then validates. Newer versions are refused: they may mean more than we know.
 */
export function upgradeRunConfig(raw: unknown): Validated<RunConfig> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: 'config', message: 'it does not hold a run configuration (an object of settings)' }] };
  }
  const source = raw as Record<string, unknown>;
  const version = source.schemaVersion === undefined ? 1 : source.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, errors: [{ field: 'schemaVersion', message: `schemaVersion must be a whole number, got ${JSON.stringify(version)}` }] };
  }
  if (version > RUN_SCHEMA_VERSION) {
    return {
      ok: false,
      errors: [{ field: 'schemaVersion', message: `it was written by a newer GAN Studio (run schema ${version}; this one reads up to ${RUN_SCHEMA_VERSION}): update the app` }],
    };
  }
  const upgraded: Record<string, unknown> = { ...source, schemaVersion: RUN_SCHEMA_VERSION };
  for (const [key, option] of Object.entries(RUN_OPTIONS) as Array<[string, AnyOption]>) {
    if (upgraded[key] === undefined && (option.addedIn ?? 1) > version) upgraded[key] = structuredClone(option.before ?? option.default);
  }
  // Settings every version wrote: missing ones mean a damaged or foreign file, said in one short line.
  const missing = [...Object.keys(RUN_OPTIONS), 'data'].filter((key) => upgraded[key] === undefined);
  if (missing.length > 0) return { ok: false, errors: [{ field: 'config', message: `it lacks the settings ${missing.join(', ')}` }] };
  return validateRunConfig(upgraded);
}
