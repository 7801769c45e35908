/**
 * What the Experiments view (issue 15) computes from an experiment's state: the band of each variant's
 * quality curve across seeds, a colour per variant, the options a custom experiment may vary and their
 * values, and the time an experiment takes at the measured speeds. Pure, so it is unit-tested without a DOM.
 */
import { summarize } from '../../src-main/engine/toy/metrics';
import type { ExperimentPreset, ExperimentRunRef, ExperimentStatus, ExperimentVariant, ExperimentVariantRow, ExperimentVary } from '../../src-main/shared/experiment';
import { ExperimentPlanError, experimentGrid, experimentLengths } from '../../src-main/shared/experiment-plan';
import { RUN_OPTIONS, flagOf, parseOptionText, type AnyOption, type RunConfig, type RunOptionKey, type RunOptions } from '../../src-main/shared/schema';
import type { Series } from './chart-series';
import type { XY } from './decimate';
import { formatLearningRate } from './format';

/** One images-seen point of a band: the seeds' mean and sample standard deviation (n − 1; 0 for one seed), over `n` seeds. */
export interface BandPoint {
  x: number;
  mean: number;
  std: number;
  n: number;
}

/** The value of a curve (sorted by x, finite y) at x: exact, linearly interpolated between its points, or null outside its range. */
function valueAt(curve: readonly XY[], x: number): number | null {
  if (curve.length === 0 || x < curve[0].x || x > curve[curve.length - 1].x) return null;
  const hi = curve.findIndex((p) => p.x >= x);
  if (curve[hi].x === x) return curve[hi].y;
  const a = curve[hi - 1];
  const b = curve[hi];
  return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
}

/**
 * The band of one variant across seeds: at every images-seen point any seed has, the mean ± sample std of
 * the seeds whose curve covers that point (a seed's value between two of its own points is interpolated
 * linearly; a seed that has not got that far, or started later, is left out, so `n` says how many count).
 * `curves`: one curve per seed, in any order; points with a non-finite y are dropped. Returns points by x.
 */
export function seedBand(curves: ReadonlyArray<readonly XY[]>): BandPoint[] {
  const clean = curves.map((curve) => curve.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x));
  const xs = [...new Set(clean.flatMap((curve) => curve.map((p) => p.x)))].sort((a, b) => a - b);
  return xs.map((x) => {
    const values = clean.map((curve) => valueAt(curve, x)).filter((v): v is number => v !== null);
    const { mean, std } = summarize(values);
    return { x, mean, std, n: values.length };
  });
}

/**
 * Chart colours for variants, as CSS variables (styles.css defines them for both themes): the first
 * variant (the baseline) gets the app's accent series colour, the rest in turn, repeating after six.
 */
export const VARIANT_COLORS = ['--series-1', '--series-2', '--series-3', '--series-4', '--series-5', '--series-6'] as const;

/** The colour of the variant at `index` (0-based) in the experiment's variant list. */
export function variantColor(index: number): string {
  return VARIANT_COLORS[((index % VARIANT_COLORS.length) + VARIANT_COLORS.length) % VARIANT_COLORS.length];
}

/** "31.2 ± 1.4" (4 significant digits at most), "31.2" for one seed, "—" without a value. */
export function formatMeanStd(value: { mean: number; std: number } | null | undefined, seeds = 2): string {
  if (!value || !Number.isFinite(value.mean)) return '—';
  const round = (x: number) => Number(x.toPrecision(Math.abs(x) >= 100 ? 4 : 3)).toString();
  return seeds > 1 && Number.isFinite(value.std) ? `${round(value.mean)} ± ${round(value.std)}` : round(value.mean);
}

/**
 * Options that make no sense to vary in an experiment: its length and scoring are set by the experiment
 * (equal images seen), seeds are their own axis, and list options hold commas of their own.
 */
const NOT_VARIED: readonly RunOptionKey[] = ['steps', 'seed', 'sampleEvery', 'checkpointEvery', 'evalEvery', 'evalSamples'];

/** The run options a custom experiment may vary, in schema order. */
export function varyableOptions(): Array<{ key: RunOptionKey; option: AnyOption }> {
  return (Object.entries(RUN_OPTIONS) as Array<[RunOptionKey, AnyOption]>)
    .filter(([key, option]) => !NOT_VARIED.includes(key) && option.kind !== 'list' && option.kind !== 'text')
    .map(([key, option]) => ({ key, option }));
}

/** At most this many values of one varied option: each one is a variant, seeds times over. */
export const MAX_VARY_VALUES = 6;

/**
 * The values of a custom "vary" as typed: comma-separated, each read and checked by the option's schema
 * rule. Returns the values in the order typed, or one line saying what to fix (a bad value, fewer than two
 * different values, a value twice, more than MAX_VARY_VALUES).
 */
export function parseVaryValues(key: RunOptionKey, text: string): { values: unknown[]; error?: undefined } | { values?: undefined; error: string } {
  const option = RUN_OPTIONS[key] as AnyOption;
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const values: unknown[] = [];
  for (const part of parts) {
    const parsed = parseOptionText(option, part);
    if (parsed.error !== undefined) return { error: parsed.error };
    if (values.some((v) => v === parsed.value)) return { error: `${option.label}: ${part} is listed twice` };
    values.push(parsed.value);
  }
  if (values.length < 2) return { error: `${option.label}: give at least two values to compare, separated by commas` };
  if (values.length > MAX_VARY_VALUES) return { error: `${option.label}: at most ${MAX_VARY_VALUES} values` };
  return { values };
}

/** One planned variant: its id and label (the backend's), what it sets on the base, its run options and its generator steps. */
export interface PlannedVariant {
  id: string;
  label: string;
  overrides: Partial<RunOptions>;
  options: RunOptions;
  steps: number;
}

/**
 * What starting this experiment would run, by the plan the host uses (shared/experiment-plan.ts): the
 * variants of a preset or vary on `config`, each with the steps that show it `images` real images (rounded
 * so that every variant ends at the same images seen). A request the plan refuses (a value the base's
 * architecture cannot take) comes back as its one-line error.
 */
export function planExperiment(
  config: RunConfig,
  request: { preset?: ExperimentPreset; vary?: ExperimentVary[] },
  images: number,
): { variants: PlannedVariant[]; images: number; error?: undefined } | { error: string; variants?: undefined; images?: undefined } {
  try {
    const grid = experimentGrid(config, request);
    const lengths = experimentLengths(config, grid.variants, images);
    return {
      images: lengths.images,
      variants: grid.variants.map((v) => ({ id: v.id, label: v.label, overrides: v.overrides, options: { ...config, ...v.overrides }, steps: lengths.byVariant[v.id].steps })),
    };
  } catch (error) {
    if (error instanceof ExperimentPlanError) return { error: error.message };
    throw error;
  }
}

/**
 * The training time of an experiment, seconds, run one after another: per variant, seeds × its steps × its
 * measured seconds per step. null while any variant's speed is not known. `secondsPerStep`: the estimate
 * store's lookup (stores/estimates.svelte.ts).
 */
export function experimentSeconds(
  variants: ReadonlyArray<Pick<PlannedVariant, 'options' | 'steps'>>,
  seeds: number,
  secondsPerStep: (options: RunOptions) => number | null,
): number | null {
  let total = 0;
  for (const { options, steps } of variants) {
    const perStep = secondsPerStep(options);
    if (perStep === null) return null;
    total += seeds * steps * perStep;
  }
  return total;
}

/** A value of an option as the studio shows it: a choice by its label ("NSGAN"), on/off, or the number. */
export function valueLabel(key: RunOptionKey, value: unknown): string {
  const option = RUN_OPTIONS[key] as AnyOption;
  if (option.kind === 'choice') return option.choices[value as string]?.label ?? String(value);
  if (option.kind === 'boolean') return value ? 'on' : 'off';
  return typeof value === 'number' ? formatLearningRate(value) : String(value);
}

/** "Latent prior: Normal vs Uniform": what a varied option compares, by the schema's labels. */
export function compareTitle(key: RunOptionKey, values: readonly unknown[]): string {
  return `${RUN_OPTIONS[key].label}: ${values.map((v) => valueLabel(key, v)).join(' vs ')}`;
}

/** An experiment's status as the list and its page say it. */
export const EXPERIMENT_STATUS_LABEL: Record<ExperimentStatus, string> = {
  running: 'Running',
  done: 'Done',
  interrupted: 'Interrupted',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** Whether an experiment in this status can resume: its pending and interrupted runs continue. */
export function canResume(status: ExperimentStatus): boolean {
  return status === 'interrupted' || status === 'cancelled' || status === 'failed';
}

/**
 * A whole number typed into the new-experiment panel (seeds, images seen per run), checked against its
 * range; the error is one line naming the field.
 */
export function parseWhole(text: string, label: string, min: number, max: number): { value: number; error?: undefined } | { value?: undefined; error: string } {
  const trimmed = text.trim().replace(/[,_\s]/g, '');
  if (trimmed === '') return { error: `${label} is required` };
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(value)) return { error: `${label}: "${text.trim()}" is not a whole number` };
  if (value < min) return { error: `${label} must be at least ${min.toLocaleString('en-US')}` };
  if (value > max) return { error: `${label} must be at most ${max.toLocaleString('en-US')}` };
  return { value };
}

/**
 * One chart line per variant (named by variantShortLabel), in the experiment's variant order and colours: the mean over its seeds at each
 * images-seen point, with the mean ± std band around it (seedBand). `metric`: SWD ×10³, NDB/K, or D's
 * flatness index (points without one, scored before schema 4, are left out).
 */
export function variantSeries(
  variants: readonly Pick<ExperimentVariant, 'id' | 'label' | 'overrides'>[],
  runs: readonly Pick<ExperimentRunRef, 'variant' | 'curve'>[],
  metric: 'swd' | 'ndbK' | 'flatness',
): Series[] {
  return variants.map((variant, i) => {
    const band = seedBand(runs.filter((r) => r.variant === variant.id).map((r) => r.curve.map((p) => ({ x: p.imagesSeen, y: p[metric] ?? NaN }))));
    return {
      label: variantShortLabel(variant),
      color: variantColor(i),
      points: band.map((p) => ({ x: p.x, y: p.mean })),
      band: band.map((p) => ({ x: p.x, lo: p.mean - p.std, hi: p.mean + p.std })),
    };
  });
}

/**
 * A variant by what it sets, short enough for a chart legend: a choice by its label ("MMGAN"), a number or
 * switch by its CLI flag ("k=5", "replay=0.5", "spectral-norm on"), two options joined with " · ". The
 * backend's label, when the variant sets nothing (the base run).
 */
export function variantShortLabel(variant: Pick<ExperimentVariant, 'overrides' | 'label'>): string {
  const parts = (Object.entries(variant.overrides) as Array<[RunOptionKey, unknown]>).map(([key, value]) => {
    const option = RUN_OPTIONS[key] as AnyOption;
    if (option.kind === 'choice') return valueLabel(key, value);
    if (option.kind === 'boolean') return `${flagOf(key, option)} ${valueLabel(key, value)}`;
    return `${flagOf(key, option)}=${valueLabel(key, value)}`;
  });
  return parts.length > 0 ? parts.join(' · ') : variant.label;
}

/**
 * The hover text of a variant's "D flat?" cell: D's mean on held-out real and on generated images at the end
 * (mean ± std over the seeds that recorded a landscape), what D's value is, and how many seeds count. One line.
 */
export function landscapeTitle(row: Pick<ExperimentVariantRow, 'dReal' | 'dFake' | 'landscapeSeeds' | 'dValue'>): string {
  if (row.landscapeSeeds === 0 || row.dValue === null) return "No landscape yet: D's landscape is recorded at each quality score of runs from schema 4 on";
  const what = row.dValue === 'probability' ? 'D(x), 0–1' : "D's raw score (hinge or least squares)";
  return `D on held-out real images ${formatMeanStd(row.dReal, row.landscapeSeeds)} · on generated ${formatMeanStd(row.dFake, row.landscapeSeeds)} (${what}; ${row.landscapeSeeds} seed${row.landscapeSeeds === 1 ? '' : 's'}). Flatness is D's spread over both: 0 = flat.`;
}
