/** Formatting shared by the views; pure so it can be unit-tested without a DOM. */

export { formatDuration, formatEta } from '../../src-main/shared/format';

/** Images per second with sensible precision: 0.42, 4.2, 42, 420. */
export function formatRate(value: number): string {
  if (!Number.isFinite(value) || value <= 0) return '—';
  if (value < 1) return value.toFixed(2);
  if (value < 10) return value.toFixed(1);
  return Math.round(value).toString();
}

/** Metric values for tooltips and readouts: 4 significant digits, no exponent noise near zero. */
export function formatMetric(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (Math.abs(value) < 1e-4 && value !== 0) return value.toExponential(1);
  return Number(value.toPrecision(4)).toString();
}

/** Learning rates read better as 2e-4 than 0.0002. */
export function formatLearningRate(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-2) {
    const [mantissa, exponent] = value.toExponential().split('e');
    return `${Number(Number(mantissa).toPrecision(3))}e${Number(exponent)}`;
  }
  return String(value);
}

/** The last segment of a path, for either separator: the host may run on Windows. */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const parts = trimmed.split(/[\\/]/);
  return parts[parts.length - 1] || trimmed;
}

/** "12 Mar, 14:05" in the user's locale-independent short form (tests run in any locale). */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const hh = String(date.getHours()).padStart(2, '0');
  const mm = String(date.getMinutes()).padStart(2, '0');
  return `${date.getDate()} ${months[date.getMonth()]}, ${hh}:${mm}`;
}

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/** Errors from the bridge arrive as Error objects or anything else; the user sees one line. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Error invoking remote method '[^']+': (Error: )?/, '');
}

/** True for the built-in demo set, which the host keeps in <data dir>/demo. */
export function isDemoFolder(folder: string, dataDir: string | undefined): boolean {
  if (!dataDir) return false;
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
  return norm(folder) === `${norm(dataDir)}/demo`;
}

/** How a dataset is named in lists: the demo set by name, a folder by its last segment. */
export function datasetLabel(folders: readonly string[], dataDir?: string): string {
  if (folders.length === 0) return 'dataset';
  if (folders.length === 1 && isDemoFolder(folders[0], dataDir)) return 'Demo avatars';
  const first = baseName(folders[0]);
  return folders.length > 1 ? `${first} + ${folders.length - 1} more` : first;
}
