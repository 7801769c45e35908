import type { DatasetReport } from '../../src-main/shared/contract';
import {
  LOSS_CHOICES,
  PRESET_NAMES,
  RUN_OPTIONS,
  defaultRunConfig,
  optionText,
  parseOptionText,
  powerOfTwoAtMost,
  presetOptions,
  presetRecipe,
  validateRunConfig,
  type AnyOption,
  type OptionGroup,
  type PresetLength,
  type PresetName,
  type RunConfig,
  type RunOptionKey,
  type RunOptions,
} from '../../src-main/shared/schema';

/**
 * The New run form as the user typed it: one entry per run-schema option. Numbers stay strings until
 * validated, so "1e-4", "abc" and "" each get their own message instead of being coerced by the input;
 * choices hold their value and lists their selected values.
 */
export type RunForm = {
  [K in RunOptionKey]: (typeof RUN_OPTIONS)[K] extends { kind: 'choice' } ? RunOptions[K] : (typeof RUN_OPTIONS)[K] extends { kind: 'list' } ? RunOptions[K] : string;
};

export type FieldName = RunOptionKey;
export type FormErrors = Partial<Record<FieldName | 'dataset', string>>;

/** Options with a hand-laid control of their own (they carry the theory's explanations). */
export const HAND_LAID: readonly RunOptionKey[] = ['prior', 'loss', 'k'];
/** Options folded into the form's Advanced section: rarely changed, with sound defaults. */
export const ADVANCED: readonly RunOptionKey[] = ['arch', 'beta1', 'beta2', 'adaImages', 'r1Every'];

/** The generated fields of one group of the form, in schema order. */
export function fieldsOf(group: OptionGroup, advanced = false): Array<{ key: RunOptionKey; option: AnyOption }> {
  return (Object.entries(RUN_OPTIONS) as Array<[RunOptionKey, AnyOption]>)
    .filter(([key, option]) => option.group === group && !HAND_LAID.includes(key) && ADVANCED.includes(key) === advanced)
    .map(([key, option]) => ({ key, option }));
}

/** The New run form's sections of generated fields, in order: one per option group. */
export const FORM_SECTIONS: ReadonlyArray<{ title: string; group: OptionGroup }> = [
  { title: 'Image and model', group: 'model' },
  { title: 'Training', group: 'training' },
  { title: 'Stabilisers', group: 'stabilisers' },
  { title: 'Logging', group: 'logging' },
];

/** The fields of the form's Advanced section: every section's advanced fields, in section then schema order. */
export function advancedFields(): Array<{ key: RunOptionKey; option: AnyOption }> {
  return FORM_SECTIONS.flatMap(({ group }) => fieldsOf(group, true));
}

/** The form showing a set of option values (the inverse of validateForm). */
export function formFromOptions(options: RunOptions): RunForm {
  return Object.fromEntries(
    (Object.entries(RUN_OPTIONS) as Array<[RunOptionKey, AnyOption]>).map(([key, option]) => [
      key,
      option.kind === 'choice' ? options[key] : option.kind === 'list' ? [...(options[key] as string[])] : optionText(option, options[key]),
    ]),
  ) as RunForm;
}

/** The schema's defaults (the CLI's), as a form. */
export function defaultForm(): RunForm {
  return formFromOptions(defaultRunConfig());
}

/**
 * The form that reproduces a run's settings (for "train again with these settings"); `changes` on top (a
 * health remedy that changes the networks, so it takes a new run).
 */
export function formFromConfig(config: RunConfig, changes: Partial<RunOptions> = {}): RunForm {
  return formFromOptions({ ...config, ...changes });
}

/**
 * A preset applied to a form: the preset's values for the dataset's size over `base`; what the preset
 * does not set (prior, loss, seed, …) stays as the user had it. `secondsPerStep`: the measured speed of
 * the preset's recipe, which sets its length (presetLength); null before it is measured.
 */
export function presetForm(name: PresetName, datasetSize: number | null, base: RunForm = defaultForm(), secondsPerStep: number | null = null): RunForm {
  const options = presetOptions(name, datasetSize, secondsPerStep);
  const preset = formFromOptions({ ...defaultRunConfig(), ...options });
  const keys = Object.keys(options) as RunOptionKey[];
  return { ...base, ...Object.fromEntries(keys.map((key) => [key, preset[key]])) } as RunForm;
}

/** The length fields of a form (steps, grids, checkpoints, quality scores): what a preset sets from the measured speed. */
export function formLength(form: RunForm): Pick<RunForm, keyof PresetLength> {
  return { steps: form.steps, sampleEvery: form.sampleEvery, checkpointEvery: form.checkpointEvery, evalEvery: form.evalEvery, evalSamples: form.evalSamples };
}

/**
 * The preset whose recipe (networks, batch, augmentation: presetRecipe) the form shows right now,
 * highlighted in the form; null once the user changed one of them. The length is not compared: it follows
 * the measured speed, and a preset with more or fewer steps is still that preset.
 */
export function matchingPreset(form: RunForm, datasetSize: number | null): PresetName | null {
  return (
    PRESET_NAMES.find((name) => {
      const preset = presetForm(name, datasetSize, form);
      return (Object.keys(presetRecipe(name, datasetSize)) as RunOptionKey[]).every(
        (key) => JSON.stringify(preset[key]) === JSON.stringify(form[key]),
      );
    }) ?? null
  );
}

/**
 * The run options a form describes for estimating its speed: each field as parsed, or its default where
 * the field does not parse (a half-typed learning rate must not hold back the estimate of the rest).
 * `overrides` on top (a preset's recipe).
 */
export function formOptions(form: RunForm, overrides: Partial<RunOptions> = {}): RunOptions {
  const values: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(RUN_OPTIONS) as Array<[RunOptionKey, AnyOption]>) {
    const raw = form[key];
    const parsed = parseOptionText(option, Array.isArray(raw) ? raw.join(',') : String(raw));
    values[key] = parsed.error !== undefined ? structuredClone(option.default) : parsed.value;
  }
  return { ...(values as RunOptions), ...overrides };
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

/** Checks every field by the run schema's rules and, when all are fine, builds the RunConfig the host receives. */
export function validateForm(form: RunForm, context: ValidationContext): Validation {
  const errors: FormErrors = {};
  const warnings: Partial<Record<FieldName, string>> = {};
  const values: Partial<Record<RunOptionKey, unknown>> = {};
  for (const [key, option] of Object.entries(RUN_OPTIONS) as Array<[RunOptionKey, AnyOption]>) {
    const raw = form[key];
    const parsed = parseOptionText(option, Array.isArray(raw) ? raw.join(',') : String(raw));
    if (parsed.error !== undefined) errors[key] = parsed.error;
    else values[key] = parsed.value;
  }

  const dataset = context.dataset;
  if (!dataset) errors.dataset = 'choose a dataset first (Datasets view)';
  else if (dataset.used < 1) errors.dataset = 'this dataset has no usable images';
  const batch = values.batch as number | undefined;
  if (dataset && batch !== undefined && dataset.used > 0 && batch > dataset.used) {
    errors.batch = `batch ${batch} is larger than the dataset (${dataset.used} images)`;
  }

  const v = values as Partial<RunOptions>;
  if (v.lrD !== undefined && v.lrD > 0.01) warnings.lrD = 'unusually high: GANs usually train at about 2e-4';
  if (v.lrG !== undefined && v.lrG > 0.01) warnings.lrG = 'unusually high: GANs usually train at about 2e-4';
  if (v.width !== undefined && v.width > 128) warnings.width = 'very wide networks train slowly without a GPU';
  if (v.k !== undefined && v.k > 5) warnings.k = 'each step costs k discriminator updates; this will be slow';
  if (v.steps !== undefined && v.sampleEvery !== undefined && v.sampleEvery > v.steps) {
    warnings.sampleEvery = 'larger than the step count: only the first and last grids will be drawn';
  }
  if (v.steps !== undefined && v.evalEvery !== undefined && v.evalEvery > v.steps) {
    warnings.evalEvery = 'larger than the step count: the run will not be scored';
  }

  if (Object.keys(errors).length > 0 || !dataset) return { errors, warnings, config: null };
  const candidate = defaultRunConfig({
    ...(values as RunOptions),
    data: {
      folders: [...dataset.folders],
      // The trainer prepares the folder again at the run's size; the cache makes that cheap.
      settings: { ...dataset.settings, size: v.size! },
      ...(context.demo ? { demo: true } : {}),
    },
  });
  // Rules between fields (a size the architecture cannot make) come from the same schema the host applies.
  const checked = validateRunConfig(candidate);
  if (!checked.ok) {
    for (const error of checked.errors) {
      const field = (error.field in RUN_OPTIONS ? error.field : 'dataset') as FieldName | 'dataset';
      errors[field] ??= error.message;
    }
    return { errors, warnings, config: null };
  }
  return { errors, warnings, config: checked.value };
}

/** "MMGAN", "Hinge": a loss by its label. */
export function lossLabel(loss: RunConfig['loss']): string {
  return LOSS_CHOICES[loss]?.label ?? loss;
}

/** One-line summary of a run's key settings for lists. */
export function describeConfig(config: RunConfig): string {
  return `${config.size} px · width ${config.width} · ${lossLabel(config.loss)} · ${config.prior} prior · k ${config.k} · batch ${config.batch}`;
}
