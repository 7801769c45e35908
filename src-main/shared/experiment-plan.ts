/**
 * An experiment's plan (issue 15), pure: the grid of variants from a preset or `--vary` options, and each
 * variant's length and scoring interval so that every run is shown the same real images and scored at the
 * same images seen. The host and the CLI both plan with it; the runs themselves are normal run configs.
 */
import { EXPERIMENT_PRESETS, LECTURE_PRESET, QUESTION_PRESET_NAMES, type ExperimentPreset, type ExperimentVariant, type ExperimentVary } from './experiment';
import { imagesPerStep } from './estimate';
import { describeErrors, flagOf, optionText, parseOptionText, RUN_OPTIONS, validateRunConfig, type RunConfig, type RunOptionKey, type RunOptions } from './schema';

/** A request the plan refuses; the message is one line naming the flag (`--vary k`) and what to do. */
export class ExperimentPlanError extends Error {}

/** Options an experiment sets itself, so they cannot be varied. */
const FIXED: Partial<Record<RunOptionKey, string>> = {
  steps: 'each run\'s steps follow from the images seen (--images or --steps)',
  seed: 'the seeds are the experiment\'s (--seeds)',
  evalEvery: 'the experiment scores every run at the same images seen',
};

/** The run option a `--vary` name means: its CLI flag (`lr-d`) or its key (`lrD`). Throws ExperimentPlanError. */
export function varyOptionKey(name: string): RunOptionKey {
  const keys = Object.keys(RUN_OPTIONS) as RunOptionKey[];
  const key = keys.find((k) => flagOf(k, RUN_OPTIONS[k]) === name) ?? keys.find((k) => k === name);
  if (!key) throw new ExperimentPlanError(`--vary ${name}: not a run option; use a \`gan-studio train\` flag name, e.g. --vary k=1,5`);
  const fixed = FIXED[key];
  if (fixed) throw new ExperimentPlanError(`--vary ${name}: ${fixed}; vary another option`);
  return key;
}

/** "k=1,5" → { option: 'k', values: ['1', '5'] }. Throws ExperimentPlanError on text without `=` or values. */
export function parseVaryText(text: string): ExperimentVary {
  const at = text.indexOf('=');
  const values = at < 0 ? [] : text.slice(at + 1).split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (at <= 0 || values.length < 1) throw new ExperimentPlanError(`--vary ${text}: write OPTION=A,B[,C], e.g. --vary k=1,5`);
  return { option: text.slice(0, at).trim(), values };
}

/** One varied option's values, each parsed (text) or checked (JSON values) by the run schema. */
function varyValues(vary: ExperimentVary): { key: RunOptionKey; values: unknown[] } {
  const key = varyOptionKey(vary.option);
  const option = RUN_OPTIONS[key];
  const values = vary.values.map((value) => {
    const parsed = typeof value === 'string' && option.kind !== 'choice' ? parseOptionText(option, value) : checkValue(key, value);
    if (parsed.error !== undefined) throw new ExperimentPlanError(`--vary ${vary.option}: ${parsed.error}`);
    return parsed.value;
  });
  const texts = values.map((v) => optionText(option, v));
  if (new Set(texts).size !== texts.length) throw new ExperimentPlanError(`--vary ${vary.option}: a value is given twice`);
  if (values.length < 2) throw new ExperimentPlanError(`--vary ${vary.option}: give at least two values, e.g. --vary k=1,5`);
  return { key, values };
}

function checkValue(key: RunOptionKey, value: unknown): { value: unknown; error?: undefined } | { error: string } {
  const option = RUN_OPTIONS[key];
  const result = option.schema.safeParse(value);
  return result.success ? { value: result.data } : { error: result.error.issues[0]?.message ?? `${option.label}: ${JSON.stringify(value)} is not allowed` };
}

/** The variants an experiment runs, and which of them is the baseline the others are compared with. */
export interface ExperimentGrid {
  variants: ExperimentVariant[];
  /** The id of the variant equal to the base config (the first variant when none is). */
  baseline: string;
}

/**
 * The grid: one variant per value of a preset or a `--vary` option, the cross product for two `--vary`
 * options (the first varies slowest). Each variant's id is "flag=value" joined by spaces ("k=5 loss=mm"),
 * its overrides the run options it sets. A preset's variants include the base config's own value, so the
 * four presets share one baseline variant: the base run. Every variant's config is validated (size and
 * architecture rules included). The 'lecture' preset is lectureGrid (with no --vary). Throws
 * ExperimentPlanError (one line naming the flag) on a bad request.
 */
export function experimentGrid(base: RunConfig, request: { preset?: ExperimentPreset | null; vary?: ExperimentVary[] }): ExperimentGrid {
  if (request.preset === LECTURE_PRESET) {
    if ((request.vary ?? []).length > 0) throw new ExperimentPlanError('--preset lecture varies four options already; drop --vary, or use one of the other presets with it');
    return lectureGrid(base);
  }
  const varies: ExperimentVary[] = [];
  if (request.preset) {
    const preset = EXPERIMENT_PRESETS[request.preset];
    varies.push({ option: flagOf(preset.option, RUN_OPTIONS[preset.option]), values: [...preset.values] });
  }
  varies.push(...(request.vary ?? []));
  if (varies.length === 0) throw new ExperimentPlanError('an experiment needs --preset or --vary OPTION=A,B to say what differs between its runs');
  if (varies.length > 2) throw new ExperimentPlanError('--vary: an experiment varies at most two options (a preset counts as one)');
  const axes = varies.map(varyValues);
  if (axes.length === 2 && axes[0].key === axes[1].key) throw new ExperimentPlanError(`--vary ${varies[1].option}: this option is varied twice`);
  let cells: Array<Partial<RunOptions>> = [{}];
  for (const axis of axes) cells = cells.flatMap((cell) => axis.values.map((value) => ({ ...cell, [axis.key]: value })));
  const variants = cells.map((overrides) => checkedVariant(base, overrides, '--vary'));
  const same = variants.find((v) => (Object.entries(v.overrides) as Array<[RunOptionKey, unknown]>).every(([key, value]) => JSON.stringify(base[key]) === JSON.stringify(value)));
  return { variants, baseline: (same ?? variants[0]).id };
}

/**
 * The variant that sets `overrides` on the base: id "flag=value" joined by spaces ("k=5 loss=mm"), label by
 * the schema's labels. Throws ExperimentPlanError ("<flag> <id>: …") when the config it makes is not valid.
 */
function checkedVariant(base: RunConfig, overrides: Partial<RunOptions>, flag: string): ExperimentVariant {
  const parts = (Object.entries(overrides) as Array<[RunOptionKey, unknown]>).map(([key, value]) => ({ key, value, option: RUN_OPTIONS[key] }));
  const id = parts.map((p) => `${flagOf(p.key, p.option)}=${optionText(p.option, p.value)}`).join(' ');
  const label = parts.map((p) => `${p.option.label} ${choiceLabel(p.key, p.value)}`).join(', ');
  const checked = validateRunConfig(withOverrides(base, overrides));
  if (!checked.ok) throw new ExperimentPlanError(`${flag} ${id}: ${describeErrors(checked.errors)}`);
  return { id, label, overrides };
}

/** The id of the lecture preset's baseline variant: the base run, unchanged. */
export const LECTURE_BASELINE = 'baseline';

/**
 * The lecture preset's grid: the base run (id "baseline") and, for each of the four questions in turn
 * (prior, loss, k, replay), one variant that changes that one option — to the question's value other than
 * the schema default (prior uniform, loss MMGAN, k 5, replay 0.5), or, when the base already has that value,
 * to the other one (the default). Not a cross product: each variant differs from the baseline in exactly one
 * option, and the verdicts compare each with it. Throws ExperimentPlanError ("--preset lecture <id>: …")
 * when a variant's config is not valid (e.g. an architecture rule).
 */
export function lectureGrid(base: RunConfig): ExperimentGrid {
  const variants = QUESTION_PRESET_NAMES.map((name) => {
    const { option, values } = EXPERIMENT_PRESETS[name];
    const change = values.find((v) => v !== RUN_OPTIONS[option].default) ?? values[1];
    const value = base[option] === change ? values.find((v) => v !== change)! : change;
    return checkedVariant(base, { [option]: value }, '--preset lecture');
  });
  return { variants: [{ id: LECTURE_BASELINE, label: 'Baseline', overrides: {} }, ...variants], baseline: LECTURE_BASELINE };
}

function choiceLabel(key: RunOptionKey, value: unknown): string {
  const option = RUN_OPTIONS[key];
  if (option.kind === 'choice') return (option.choices as Record<string, { label: string }>)[value as string]?.label ?? String(value);
  return optionText(option, value) || 'none';
}

/** How one variant's runs are set up for equal images seen. */
export interface VariantLength {
  /** Real images shown to D per generator step: k × batch (shared/estimate.ts). */
  imagesPerStep: number;
  /** Generator steps: images ÷ imagesPerStep. */
  steps: number;
  /** Steps between quality scores: scoreImages ÷ imagesPerStep, so every variant is scored at the same images seen. */
  evalEvery: number;
}

/** The lengths of an experiment's runs: every variant sees `images` real images and is scored every `scoreImages`. */
export interface ExperimentLengths {
  /** Images seen per run: the request rounded to a whole number of every variant's steps (at least one step each). */
  images: number;
  /** Images seen between two quality scores: the same for every variant; the last score is at the end. */
  scoreImages: number;
  byVariant: Record<string, VariantLength>;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Steps and scoring interval per variant at equal images seen. `images` (≥ 1) is rounded to the nearest
 * multiple of the least common multiple L of the variants' images per step (k × batch), at least L, so that
 * every variant ends at exactly the same images seen; the score interval is a multiple of L giving about
 * `scores` (default 5, at least 1) scores per run, the last one at the run's end.
 */
export function experimentLengths(base: RunConfig, variants: ExperimentVariant[], images: number, scores = 5): ExperimentLengths {
  const perStep = variants.map((v) => imagesPerStep({ ...base, ...v.overrides }));
  const lcm = perStep.reduce((a, b) => (a / gcd(a, b)) * b, 1);
  const units = Math.max(1, Math.round(images / lcm));
  const total = units * lcm;
  const scoreImages = Math.max(1, Math.round(units / Math.max(1, scores))) * lcm;
  const byVariant: Record<string, VariantLength> = {};
  variants.forEach((v, i) => {
    byVariant[v.id] = { imagesPerStep: perStep[i], steps: total / perStep[i], evalEvery: scoreImages / perStep[i] };
  });
  return { images: total, scoreImages, byVariant };
}

/** The base config with `overrides`; the dataset is prepared at the run's size, so a varied size moves it too. */
function withOverrides(base: RunConfig, overrides: Partial<RunOptions>): RunConfig {
  const config = { ...structuredClone(base), ...structuredClone(overrides) };
  config.data = { ...config.data, settings: { ...config.data.settings, size: config.size } };
  return config;
}

/** The run config of one variant and seed: the base, the variant's overrides, the seed, its length and scoring. */
export function experimentRunConfig(base: RunConfig, variant: ExperimentVariant, seed: number, length: VariantLength): RunConfig {
  return { ...withOverrides(base, variant.overrides), seed, steps: length.steps, evalEvery: length.evalEvery };
}

/** The seeds of an experiment with `count` seeds: the base run's seed and the ones after it. */
export function experimentSeeds(base: Pick<RunConfig, 'seed'>, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (base.seed + i) % 2 ** 32);
}
