/** `defaults` overridden by the entries of `options` that are defined (an explicit undefined keeps the default). */
export function withDefaults<T extends object>(defaults: Required<T>, options: T): Required<T> {
  const out = { ...defaults };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && key in defaults) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}
