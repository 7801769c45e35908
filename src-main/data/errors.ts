/**
 * A mistake the user can fix (missing folder, a file instead of a folder, nothing usable, bad
 * settings, cancelled). The message is one plain line, shown as it is.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}
