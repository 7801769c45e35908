import type { StepMetrics } from '../shared/contract';

/**
 * When losses count as exploding. The level is the median over the last `window` steps of
 * max(|dLoss|, |gLoss|): robust to the single spikes of healthy training and to the alternating
 * huge/tiny losses of a diverged pair. Healthy DCGAN losses stay below about 20.
 */
export interface DivergenceLimits {
  /** Steps in the median window (≥ 1). */
  window: number;
  /** Level above which the run is warned (once per episode). */
  warnLevel: number;
  /** Level above which the run stops. */
  stopLevel: number;
  /** Steps a warning may last before the run stops anyway: a sustained explosion. */
  patience: number;
}

export const DEFAULT_DIVERGENCE_LIMITS: DivergenceLimits = { window: 20, warnLevel: 1e2, stopLevel: 1e4, patience: 500 };

export type DivergenceVerdict =
  | { kind: 'ok' }
  | { kind: 'warn'; message: string }
  | { kind: 'stop'; message: string };

export const RESUME_HINT = 'Resume from the last good checkpoint with lower learning rates (train --resume --lr-d … --lr-g …).';

/** Watches the losses of a run step by step (pure: the session acts on its verdicts). */
export class DivergenceWatch {
  readonly limits: DivergenceLimits;
  private recent: number[] = [];
  private warnedAt: number | null = null;

  constructor(limits: Partial<DivergenceLimits> = {}) {
    this.limits = { ...DEFAULT_DIVERGENCE_LIMITS, ...limits };
  }

  /** True while the losses are above the warning level: checkpoints then wait, so a good one is kept. */
  get exploding(): boolean {
    return this.warnedAt !== null;
  }

  /** The median loss magnitude over the window so far (0 before the first step). */
  get level(): number {
    if (this.recent.length === 0) return 0;
    const sorted = [...this.recent].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }

  observe(metrics: Pick<StepMetrics, 'step' | 'dLoss' | 'gLoss'>): DivergenceVerdict {
    const { window, warnLevel, stopLevel, patience } = this.limits;
    this.recent.push(Math.max(Math.abs(metrics.dLoss), Math.abs(metrics.gLoss)));
    if (this.recent.length > window) this.recent.shift();
    // A median of fewer than 5 steps (or of a whole window, when it is shorter) says too little.
    if (this.recent.length < Math.min(window, 5)) return { kind: 'ok' };
    const level = this.level;
    const typical = `typical |loss| ${level.toExponential(1)} over the last ${this.recent.length} steps`;
    if (level <= warnLevel) {
      this.warnedAt = null;
      return { kind: 'ok' };
    }
    // A warning always comes first, even when the level leaps past both limits at once.
    if (this.warnedAt === null) {
      this.warnedAt = metrics.step;
      return {
        kind: 'warn',
        message:
          `warning: the losses are exploding at step ${metrics.step} (${typical}); training goes on, checkpoints wait ` +
          `until they settle, and the run stops if they pass ${stopLevel.toExponential(0)} or last ${patience} steps`,
      };
    }
    if (level > stopLevel) {
      return { kind: 'stop', message: `training diverged at step ${metrics.step}: the losses exploded (${typical}). ${RESUME_HINT}` };
    }
    if (metrics.step - this.warnedAt >= patience) {
      return {
        kind: 'stop',
        message: `training diverged: the losses have been exploding since step ${this.warnedAt} (${typical} at step ${metrics.step}). ${RESUME_HINT}`,
      };
    }
    return { kind: 'ok' };
  }
}
