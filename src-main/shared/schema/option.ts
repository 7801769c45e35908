/**
 * Option builders for the run schema: each option is defined once — kind, default, bounds or allowed values,
 * a user-facing label and one-line help — and yields its zod schema, the text parser the CLI and the forms use,
 * and the one-line message every bad value gets. Pure: imported by every process, the renderer included.
 */
import { z } from 'zod';

/** Where an option is shown in the New run form and listed in `--help`. */
export type OptionGroup = 'model' | 'training' | 'stabilisers' | 'logging' | 'dataset' | 'toy' | 'toy-run' | 'baseline';

export interface OptionMeta<T> {
  /** The user-facing name, e.g. "Batch size". */
  label: string;
  /** One line: what it does and when to change it. */
  help: string;
  default: T;
  group: OptionGroup;
  /** May change when a run resumes (takes effect from the next step) without invalidating its checkpoint. */
  resume?: boolean;
  /** Changes what the checkpoint holds (network shapes, EMA or replay state): a new run, never a resume. */
  shape?: boolean;
  /** Schema version that introduced the option; older config.json files get `before` (default: `default`). */
  addedIn?: number;
  before?: T;
  /** CLI flag without the dashes; default: the key in kebab case (lrD → lr-d). */
  flag?: string;
  /** Example or unit shown after the value in help, e.g. "px". */
  unit?: string;
}

interface BaseOption<T> extends OptionMeta<T> {
  schema: z.ZodType<T>;
}

export interface IntegerOption extends BaseOption<number> {
  kind: 'integer';
  min: number;
  max: number;
  /** The values a form offers in a list (e.g. image sizes); others are still checked by min/max. */
  select?: readonly number[];
}

export interface NumberOption extends BaseOption<number> {
  kind: 'number';
  min: number;
  max: number;
  /** The bound itself is not allowed (a learning rate of 0, a decay of 1). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

export interface ChoiceInfo {
  label: string;
  help: string;
}

export interface ChoiceOption<V extends string = string> extends BaseOption<V> {
  kind: 'choice';
  values: readonly V[];
  choices: Record<V, ChoiceInfo>;
}

export interface ListOption<V extends string = string> extends BaseOption<V[]> {
  kind: 'list';
  values: readonly V[];
  choices: Record<V, ChoiceInfo>;
}

export interface BooleanOption extends BaseOption<boolean> {
  kind: 'boolean';
}

/** Free text within a length (a colour name, a title). */
export interface TextOption extends BaseOption<string> {
  kind: 'text';
  maxLength: number;
}

export type AnyOption = IntegerOption | NumberOption | ChoiceOption | ListOption | BooleanOption | TextOption;
export type OptionValue<O> = O extends BaseOption<infer T> ? T : never;

const formatNumber = (x: number) => (Math.abs(x) >= 1e6 && Number.isInteger(Math.log10(x)) ? `1e${Math.log10(x)}` : String(x));

/** "a whole number from 1 to 4096", "a number in (0, 1)": what every message about the option says. */
export function describeRule(option: AnyOption): string {
  switch (option.kind) {
    case 'integer':
      return `a whole number from ${formatNumber(option.min)} to ${formatNumber(option.max)}`;
    case 'number':
      return `a number in ${option.minExclusive ? '(' : '['}${formatNumber(option.min)}, ${formatNumber(option.max)}${option.maxExclusive ? ')' : ']'}`;
    case 'choice':
      return `one of ${option.values.join(', ')}`;
    case 'list':
      return `a comma list of ${option.values.join(', ')} (or none)`;
    case 'boolean':
      return 'true or false';
    case 'text':
      return `text of 1 to ${option.maxLength} characters`;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * What is wrong with a value, in one line naming the option ("Batch size must be at least 1, got 0"), or null
 * when it is fine. The zod schemas, the CLI and the forms all report through this.
 */
export function valueProblem(option: AnyOption, value: unknown): string | null {
  const got = `, got ${show(value)}`;
  switch (option.kind) {
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${option.label} must be ${describeRule(option)}${got}`;
      if (option.kind === 'integer' && !Number.isInteger(value)) return `${option.label} must be a whole number${got}`;
      const range = option.kind === 'number' && (option.minExclusive || option.maxExclusive || option.max <= 1);
      if (range) {
        const low = option.minExclusive ? value <= option.min : value < option.min;
        const high = option.maxExclusive ? value >= option.max : value > option.max;
        return low || high ? `${option.label} must be in ${describeRule(option).replace('a number in ', '')}${got}` : null;
      }
      if (value < option.min) return `${option.label} must be at least ${formatNumber(option.min)}${got}`;
      if (value > option.max) return `${option.label} must be at most ${formatNumber(option.max)}${got}`;
      return null;
    }
    case 'choice':
      return typeof value === 'string' && (option.values as string[]).includes(value) ? null : `${option.label} must be ${describeRule(option)}${got}`;
    case 'list': {
      if (!Array.isArray(value)) return `${option.label} must be ${describeRule(option)}${got}`;
      const unknown = value.find((x) => typeof x !== 'string' || !(option.values as string[]).includes(x));
      if (unknown !== undefined) return `${option.label}: unknown value ${show(unknown)} (use ${describeRule(option)})`;
      return new Set(value).size === value.length ? null : `${option.label} lists a value twice${got}`;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : `${option.label} must be true or false${got}`;
    case 'text':
      return typeof value === 'string' && value.trim().length > 0 && value.length <= option.maxLength ? null : `${option.label} must be ${describeRule(option)}${got}`;
  }
}

/** The zod schema of an option: valid exactly when valueProblem finds nothing, with its message. */
function schemaOf<T>(option: AnyOption): z.ZodType<T> {
  return z.custom<T>((v) => valueProblem(option, v) === null, { error: (issue) => valueProblem(option, issue.input) ?? 'invalid' });
}

/** The message for a bad value: "Batch size must be at least 1, got 0". */
export function optionMessage(option: AnyOption, value: unknown): string {
  return valueProblem(option, value) ?? `${option.label} must be ${describeRule(option)}, got ${show(value)}`;
}

export function integer(meta: OptionMeta<number> & { min: number; max: number; select?: readonly number[] }): IntegerOption {
  const option: IntegerOption = { ...meta, kind: 'integer', schema: z.number() };
  option.schema = schemaOf(option);
  return option;
}

export function number(meta: OptionMeta<number> & { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }): NumberOption {
  const option: NumberOption = { ...meta, kind: 'number', schema: z.number() };
  option.schema = schemaOf(option);
  return option;
}

/** One value of a closed set; `choices` gives each value its label and help (the only place they are written). */
export function choice<V extends string>(choices: Record<V, ChoiceInfo>, meta: OptionMeta<NoInfer<V>>): ChoiceOption<V> {
  const values = Object.keys(choices) as V[];
  const option: ChoiceOption<V> = { ...meta, kind: 'choice', values, choices, schema: z.custom<V>() };
  option.schema = schemaOf(option as AnyOption);
  return option;
}

/** Any subset of a closed set, in the order given. */
export function list<V extends string>(choices: Record<V, ChoiceInfo>, meta: OptionMeta<NoInfer<V>[]>): ListOption<V> {
  const values = Object.keys(choices) as V[];
  const option: ListOption<V> = { ...meta, kind: 'list', values, choices, schema: z.custom<V[]>() };
  option.schema = schemaOf(option as AnyOption);
  return option;
}

export function text(meta: OptionMeta<string> & { maxLength: number }): TextOption {
  const option: TextOption = { ...meta, kind: 'text', schema: z.string() };
  option.schema = schemaOf(option);
  return option;
}

export function boolean(meta: OptionMeta<boolean>): BooleanOption {
  const option: BooleanOption = { ...meta, kind: 'boolean', schema: z.boolean() };
  option.schema = schemaOf(option);
  return option;
}

/** Plain decimal or exponent notation only: Number('') is 0 and Number('0x10') is 16, which a user never means. */
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export type Parsed<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

/**
 * Reads an option's value from text (a CLI flag, a form field), then checks it against the option's rule.
 * Errors are one line naming the option by its label.
 */
export function parseOptionText<O extends AnyOption>(option: O, text: string): Parsed<OptionValue<O>> {
  const trimmed = text.trim();
  let value: unknown;
  switch (option.kind) {
    case 'integer':
    case 'number':
      if (trimmed === '') return { error: `${option.label} is required` };
      if (!NUMBER_TEXT.test(trimmed)) return { error: `${option.label}: "${trimmed}" is not a number` };
      value = Number(trimmed);
      break;
    case 'choice':
    case 'text':
      value = trimmed;
      break;
    case 'list':
      value = trimmed === '' || trimmed === 'none' ? [] : trimmed.split(',').map((s) => s.trim()).filter(Boolean);
      break;
    case 'boolean':
      if (!['true', 'false', 'yes', 'no', '1', '0'].includes(trimmed.toLowerCase())) {
        return { error: `${option.label} must be true or false, got "${trimmed}"` };
      }
      value = ['true', 'yes', '1'].includes(trimmed.toLowerCase());
      break;
  }
  const result = option.schema.safeParse(value);
  if (!result.success) return { error: result.error.issues[0]?.message ?? optionMessage(option, value) };
  return { value: result.data as OptionValue<O> };
}

/** The text a form field shows for a value (the inverse of parseOptionText). */
export function optionText(option: AnyOption, value: unknown): string {
  if (option.kind === 'list') return (value as string[]).join(',');
  return String(value);
}

/** lrD → lr-d: the CLI flag of an option key. */
export function flagOf(key: string, option: Pick<AnyOption, 'flag'>): string {
  return option.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The defaults of a table of options, as an object typed like the table's values. */
export function defaultsOf<T extends Record<string, AnyOption>>(options: T): { -readonly [K in keyof T]: OptionValue<T[K]> } {
  return Object.fromEntries(
    Object.entries(options).map(([key, option]) => [key, structuredClone(option.default)]),
  ) as { -readonly [K in keyof T]: OptionValue<T[K]> };
}

/** A zod object with one field per option (for validating a whole table at once). */
export function objectOf<T extends Record<string, AnyOption>>(options: T) {
  const shape = Object.fromEntries(Object.entries(options).map(([key, option]) => [key, option.schema])) as {
    [K in keyof T]: z.ZodType<OptionValue<T[K]>>;
  };
  return z.object(shape);
}
