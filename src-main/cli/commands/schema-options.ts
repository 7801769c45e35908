/**
 * Command-line flags generated from the run schema (src-main/shared/schema): each option's flag, help line,
 * choices and default come from its schema entry, and its text is parsed and checked by the schema's rule.
 */
import { Option, type Command } from 'commander';
import { describeRule, flagOf, parseOptionText, type AnyOption, type OptionValue } from '../../shared/schema';
import { UsageError } from '../usage-error';

function defaultText(option: AnyOption, value: unknown): string {
  if (option.kind === 'list') return (value as string[]).length ? (value as string[]).join(',') : 'none';
  return String(value);
}

/**
 * A commander Option for a schema entry. `defaultValue` overrides the schema's default in the help text
 * (a command with defaults of its own, e.g. `bench`); the value itself is applied by readOptions.
 */
export function schemaOption(key: string, option: AnyOption, defaultValue: unknown = option.default): Option {
  const flag = flagOf(key, option);
  const placeholder = { integer: 'n', number: 'x', choice: 'name', list: 'list', text: 'text', boolean: '' }[option.kind];
  const argument = option.kind === 'boolean' ? '' : ` <${option.unit ?? placeholder}>`;
  const rule = option.kind === 'choice' || option.kind === 'list' ? '' : `; ${describeRule(option)}`;
  const flagOption = new Option(`--${flag}${argument}`, `${option.help} (default ${defaultText(option, defaultValue)}${rule})`);
  if (option.kind === 'choice') flagOption.choices(option.values as string[]);
  return flagOption;
}

/** Adds one flag per entry of a table of options to a command. */
export function addSchemaOptions(command: Command, options: Record<string, AnyOption>, defaults: Record<string, unknown> = {}): Command {
  for (const [key, option] of Object.entries(options)) command.addOption(schemaOption(key, option, defaults[key] ?? option.default));
  return command;
}

/**
 * The values the user gave for a table's flags, parsed and checked by the schema; flags not given are left
 * out. Throws one UsageError naming every bad flag.
 */
export function readOptions<T extends Record<string, AnyOption>>(
  options: T,
  given: Record<string, unknown>,
): Partial<{ [K in keyof T]: OptionValue<T[K]> }> {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const [key, option] of Object.entries(options)) {
    // commander stores --lr-d as lrD and --g-depth as gDepth.
    const text = given[flagOf(key, option).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
    if (text === undefined) continue;
    if (option.kind === 'boolean' && typeof text === 'boolean') {
      values[key] = text;
      continue;
    }
    const parsed = parseOptionText(option, String(text));
    if (parsed.error !== undefined) errors.push(`--${flagOf(key, option)}: ${parsed.error}`);
    else values[key] = parsed.value;
  }
  if (errors.length > 0) throw new UsageError(errors.join('; '));
  return values as Partial<{ [K in keyof T]: OptionValue<T[K]> }>;
}
