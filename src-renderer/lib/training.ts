import type { EvalMetrics, StepMetrics, TrainingState } from '../../src-main/shared/contract';
import { formatDuration, formatEta, formatRate } from './format';

export interface Progress {
  step: number;
  total: number;
  /** 0..1 */
  fraction: number;
  imgPerSec: string;
  elapsed: string;
  eta: string;
}

/**
 * Progress readouts from the metrics logged since the run (or its resumption) started. The rate
 * comes from the recent steps' timestamps, so a pause does not make the ETA lie forever after.
 */
export function progressOf(metrics: readonly StepMetrics[], step: number, total: number): Progress {
  const last = metrics.at(-1);
  const current = Math.max(step, last?.step ?? 0);
  let stepsPerSecond = 0;
  if (last) {
    // Only steps of the current session: `time` restarts from 0 when a run resumes.
    let firstOfWindow = metrics.length - 1;
    while (
      firstOfWindow > 0 &&
      metrics.length - firstOfWindow < 50 &&
      metrics[firstOfWindow - 1].time <= metrics[firstOfWindow].time
    ) {
      firstOfWindow--;
    }
    const first = metrics[firstOfWindow];
    const dt = last.time - first.time;
    const ds = last.step - first.step;
    if (dt > 0 && ds > 0) stepsPerSecond = ds / dt;
  }
  return {
    step: current,
    total,
    fraction: total > 0 ? Math.min(1, current / total) : 0,
    imgPerSec: formatRate(last?.imgPerSec ?? 0),
    elapsed: last ? formatDuration(totalTime(metrics)) : '—',
    eta: formatEta(total - current, stepsPerSecond),
  };
}

/** Training time over every session of a run: `time` restarts from 0 at each resumption. */
export function totalTime(metrics: readonly StepMetrics[]): number {
  let total = 0;
  for (let i = 0; i < metrics.length; i++) {
    const next = metrics[i + 1];
    if (!next || next.time < metrics[i].time) total += metrics[i].time;
  }
  return total;
}

/** Merges a batch of new metric rows into the history: resumed runs re-log steps after their checkpoint. */
export function mergeMetrics(history: readonly StepMetrics[], incoming: readonly StepMetrics[]): StepMetrics[] {
  if (incoming.length === 0) return history as StepMetrics[];
  const firstNew = incoming[0].step;
  let keep = history.length;
  while (keep > 0 && history[keep - 1].step >= firstNew) keep--;
  return keep === history.length ? [...history, ...incoming] : [...history.slice(0, keep), ...incoming];
}

/**
 * The run's quality scores with a new one in place: a resumed run scores again the steps after its
 * checkpoint, so scores of this step or later are replaced. Ordered by step.
 */
export function mergeEvals(history: readonly EvalMetrics[], incoming: EvalMetrics): EvalMetrics[] {
  return [...evalsBefore(history, incoming.step), incoming];
}

/** The scores of steps before `step`: when a resumed run logs `step` again, the later scores are stale. */
export function evalsBefore(history: readonly EvalMetrics[], step: number): EvalMetrics[] {
  return history.every((e) => e.step < step) ? (history as EvalMetrics[]) : history.filter((e) => e.step < step);
}

export const ACTIVE_STATES: readonly TrainingState[] = ['starting', 'running', 'paused', 'stopping'];

export function isActive(state: TrainingState): boolean {
  return ACTIVE_STATES.includes(state);
}

export const STATE_LABEL: Record<TrainingState, string> = {
  idle: 'Idle',
  starting: 'Starting…',
  running: 'Training',
  paused: 'Paused',
  stopping: 'Stopping…',
  stopped: 'Stopped',
  finished: 'Finished',
  failed: 'Failed',
};

/** Index of the sample the timeline shows for a slider position; null when there is none. */
export function clampIndex(index: number, length: number): number | null {
  if (length === 0) return null;
  return Math.max(0, Math.min(length - 1, Math.round(index)));
}
