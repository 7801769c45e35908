/** Durations as the CLI and the studio both print them; pure, shared by every process. */

/** "42 s", "3 min 05 s", "1 h 02 min": compact enough for a progress line, exact enough to plan by. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  if (minutes < 60) return `${minutes} min ${String(rest).padStart(2, '0')} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * Time left for the remaining steps at the given rate. Unknown (no rate yet, or a stalled run) reads
 * "—" rather than a huge or negative number.
 */
export function formatEta(stepsLeft: number, stepsPerSecond: number): string {
  if (stepsLeft <= 0) return 'done';
  if (!(stepsPerSecond > 0) || !Number.isFinite(stepsPerSecond)) return '—';
  return formatDuration(stepsLeft / stepsPerSecond);
}

/** A byte count for people: "812 B", "3.4 MB", "4.0 GB" (binary units: 1 MB = 2^20 bytes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}
