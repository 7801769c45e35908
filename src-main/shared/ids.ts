/**
 * The one check for ids that a client hands the host and that become a file or folder name: run ids,
 * upload ids. Pure (no node: imports), so the contract's parameter schemas and the renderer can use it.
 */

/** Longest id accepted, in characters. Run ids are 20 ("20240131-235959-ab3x"). */
export const MAX_ID_LENGTH = 100;

/**
 * Letters, digits, `_`, `-` and `.`, not starting with a dot: no separator, no NUL, and never `.`
 * or `..`, so an id is always one plain path segment inside its parent folder.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/** Run ids are ids in the sense above (`RunStore.newRunId` makes them). */
export const RUN_ID_PATTERN = ID_PATTERN;

/** Whether `value` is a string usable as one path segment: see ID_PATTERN and MAX_ID_LENGTH. */
export function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH && ID_PATTERN.test(value);
}

/** A refused id; its message names the field and says what an id looks like. */
export class UnsafeIdError extends Error {}

/**
 * Returns `value` when it is a safe id, else throws UnsafeIdError naming `kind` (e.g. "run id"):
 * "not a valid run id: "../x" (run ids are letters, digits, '_', '-' and '.', at most 100 characters)".
 */
export function assertSafeId(kind: string, value: unknown): string {
  if (isSafeId(value)) return value;
  const shown =
    typeof value === 'string' ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) : value === null ? 'null' : typeof value;
  throw new UnsafeIdError(
    `not a valid ${kind}: ${shown} (${kind}s are letters, digits, '_', '-' and '.', not starting with '.', at most ${MAX_ID_LENGTH} characters)`,
  );
}
