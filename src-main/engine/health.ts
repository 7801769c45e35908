/**
 * Training health (issue 12): detectors that read the logged metrics and the fixed-z sample grid and say,
 * in one plain line, when a run has gone wrong in a way the user can fix, with the fix as run settings.
 *
 * - D has won: mean D(x) > 0.95 and mean D(G(z)) < 0.05 over the last stretch of logged steps. Only for the
 *   losses whose D outputs are probabilities (MMGAN, NSGAN: LOSS_CHOICES[loss].probabilistic); for hinge and
 *   least squares D's output is a raw score, so this detector does not apply (the r_t check below still does).
 * - Overfitting of D: r_t = E[sign(D(x_real))] (StyleGAN2-ADA, Karras et al. 2020) above 0.9 over the stretch,
 *   i.e. D calls more than 95% of the training images real, with no adaptive augmentation steering against it
 *   (skipped while it is on: it steers r_t itself). Reported only while "D has won" is not: that finding says
 *   more, and its remedy comes first.
 * - Mode collapse: the fixed-z grid's images becoming near-identical. Diversity is the mean pairwise RMS
 *   distance between the grid's images, shrunk to at most 16 × 16 px. The grid has collapsed when its
 *   diversity falls below a fifth of the training images' and below half of the grid's own peak so far, or
 *   when it is still below 8% of theirs after a quarter of the run (and at least 200 steps): an untrained
 *   generator's images are alike too (grey), so early grids alone do not count.
 * - Divergence: the run-folder guard (divergence.ts) decides; its warning is carried here with a remedy.
 *
 * Pure: no I/O, no tensors. The trainer feeds a HealthMonitor and reports what it returns.
 */
import type { HealthFinding, HealthKind, HealthRemedy, StepMetrics } from '../shared/contract';
import { ADA_DEFAULT_OPS, ADA_TARGET } from './ada';
import {
  LOSS_CHOICES,
  RESUMABLE_OPTIONS,
  RUN_OPTIONS,
  optionText,
  type AnyOption,
  type RunConfig,
  type RunOptionKey,
  type RunOptions,
} from '../shared/schema';

/** The settings the detectors and their remedies read. */
export type HealthConfig = Pick<RunConfig, 'loss' | 'k' | 'lrD' | 'lrG' | 'augment' | 'ada' | 'replay' | 'steps'>;

/** Thresholds. `release*`: a finding already reported stays until the value passes these (no flapping). */
export const HEALTH_LIMITS = {
  /** The stretch: the last tenth of the steps so far, at least `minStretch` and at most `maxStretch` logged steps. */
  stretchFraction: 0.1,
  minStretch: 50,
  maxStretch: 1000,
  dWonReal: 0.95,
  dWonFake: 0.05,
  releaseDWonReal: 0.9,
  releaseDWonFake: 0.1,
  overfitRt: 0.9,
  releaseOverfitRt: 0.8,
  /** Collapsed: grid diversity below this share of the data's … */
  collapseOfData: 0.2,
  releaseCollapseOfData: 0.3,
  /** … and below this share of the grid's own peak so far. */
  collapseOfPeak: 0.5,
  /** Or never varied: below this share of the data's diversity … */
  stillAlikeOfData: 0.08,
  /** … at or after this share of the run's steps, and at least `stillAlikeMinStep` steps. */
  stillAlikeFraction: 0.25,
  stillAlikeMinStep: 200,
  /** Grid diversity measured on images shrunk to at most this side. */
  diversitySide: 16,
} as const;

/** The replay share a mode-collapse remedy asks for (THEORY.md §5: D also sees earlier generators' images). */
const REPLAY_REMEDY = 0.25;

/** Logged steps the detectors look back over at `step`: a tenth of the steps so far, within [min, max]. */
export function stretchLength(step: number): number {
  const { stretchFraction, minStretch, maxStretch } = HEALTH_LIMITS;
  return Math.min(maxStretch, Math.max(minStretch, Math.ceil(stretchFraction * step)));
}

/** The last stretch of a trace, or null while fewer steps than the stretch have been logged. */
function lastStretch(trace: readonly StepMetrics[]): StepMetrics[] | null {
  const last = trace.at(-1);
  if (!last) return null;
  const n = stretchLength(last.step);
  return trace.length >= n ? trace.slice(trace.length - n) : null;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** A learning rate in short form: 2.5e-3 → "0.0025", 1e-5 → "1e-5". */
function formatRate(x: number): string {
  const short = Number(x.toPrecision(2));
  return short >= 1e-3 ? String(short) : short.toExponential();
}

function formatValue(key: RunOptionKey, value: unknown): string {
  const option: AnyOption = RUN_OPTIONS[key];
  if (option.kind === 'list') return (value as string[]).length === 0 ? 'none' : (value as string[]).join(', ');
  if (key === 'lrD' || key === 'lrG') return formatRate(value as number);
  return optionText(option, value);
}

/** "k 5 → 1, Learning rate D 0.01 → 1e-5": what a remedy changes, by the options' labels. */
export function describeChanges(config: Partial<RunOptions>, changes: Partial<RunOptions>): string {
  return (Object.keys(changes) as RunOptionKey[])
    .map((key) => {
      const label = key === 'k' ? 'k' : RUN_OPTIONS[key].label;
      const from = config[key];
      return from === undefined ? `${label} ${formatValue(key, changes[key])}` : `${label} ${formatValue(key, from)} → ${formatValue(key, changes[key])}`;
    })
    .join(', ');
}

/** A remedy from changes: resumable when every changed option may change on resume. */
export function remedyOf(config: HealthConfig, changes: Partial<RunOptions>): HealthRemedy {
  const resumable = (Object.keys(changes) as RunOptionKey[]).every((key) => RESUMABLE_OPTIONS.includes(key));
  const what = describeChanges(config, changes);
  return { label: resumable ? `Resume with ${what}` : `New run with ${what}`, changes, resumable };
}

/** A learning rate divided by `by`, rounded to two significant digits. */
const lowered = (lr: number, by: number) => Number((lr / by).toPrecision(2));

function finding(kind: HealthKind, step: number, message: string, remedy: HealthRemedy): HealthFinding {
  return { kind, severity: 'warning', message, remedy, step };
}

/**
 * D has won: over the last stretch D(x) averaged above 0.95 and D(G(z)) below 0.05, so the generator's
 * gradient carries almost nothing. Null when it has not, when fewer steps than the stretch are logged, and
 * for hinge and least squares (not applicable: D's output is a raw score there, not a probability).
 * Remedy (resumable): k back to 1 where it is higher, and D's learning rate down to G's (halved where it
 * is not above G's already).
 * `active`: the finding is already reported, so it stays until D(x) < 0.9 or D(G(z)) > 0.1.
 */
export function detectDWon(trace: readonly StepMetrics[], config: HealthConfig, active = false): HealthFinding | null {
  if (!LOSS_CHOICES[config.loss].probabilistic) return null;
  const stretch = lastStretch(trace);
  if (!stretch) return null;
  const real = mean(stretch.map((m) => m.dReal));
  const fake = mean(stretch.map((m) => m.dFake));
  const [realLimit, fakeLimit] = active ? [HEALTH_LIMITS.releaseDWonReal, HEALTH_LIMITS.releaseDWonFake] : [HEALTH_LIMITS.dWonReal, HEALTH_LIMITS.dWonFake];
  if (!(real > realLimit && fake < fakeLimit)) return null;
  const changes: Partial<RunOptions> = {};
  if (config.k > 1) changes.k = 1;
  changes.lrD = config.lrD > config.lrG ? config.lrG : lowered(config.lrD, 2);
  const step = stretch.at(-1)!.step;
  return finding(
    'd-won',
    step,
    `D has won: over the last ${stretch.length} steps it scored real images ${real.toFixed(2)} and generated ones ${fake.toFixed(2)}, so G gets almost nothing to learn from.`,
    remedyOf(config, changes),
  );
}

/**
 * D overfits the training images: r_t = E[sign(D(x_real))] averaged above 0.9 over the last stretch (D calls
 * more than 95% of them real) while no adaptive augmentation steers against it. Applies to every loss (r_t
 * reads the sign of D's raw output). Null when steps without r_t (logged before it existed) are in the
 * stretch, and while adaptive augmentation is on (it steers r_t toward its own target). Remedy (resumable):
 * adaptive augmentation on at StyleGAN2-ADA's target 0.6; where the run already lists augmentations, the
 * DiffAugment operations for small sets (translation, cutout, colour) that are missing join them, so that
 * ADA steers those too (with none listed it steers that set anyway).
 * `active`: already reported, so it stays until r_t < 0.8.
 */
export function detectOverfitting(trace: readonly StepMetrics[], config: HealthConfig, active = false): HealthFinding | null {
  if (config.ada > 0) return null;
  const stretch = lastStretch(trace);
  if (!stretch || stretch.some((m) => typeof m.rt !== 'number')) return null;
  const rt = mean(stretch.map((m) => m.rt!));
  if (!(rt > (active ? HEALTH_LIMITS.releaseOverfitRt : HEALTH_LIMITS.overfitRt))) return null;
  const missing = ADA_DEFAULT_OPS.filter((name) => !config.augment.includes(name));
  const changes: Partial<RunOptions> = { ada: ADA_TARGET };
  if (config.augment.length > 0 && missing.length > 0) changes.augment = [...config.augment, ...missing];
  return finding(
    'd-overfit',
    stretch.at(-1)!.step,
    `D may be memorising the training images: over the last ${stretch.length} steps it called ${Math.round(((1 + rt) / 2) * 100)}% of them real (r_t ${rt.toFixed(2)}, above ${HEALTH_LIMITS.overfitRt}).`,
    remedyOf(config, changes),
  );
}

/**
 * How different a set of images are from one another: the mean over all pairs of the RMS difference of
 * their pixels, in [0, 1] (0: all identical), after each image is box-filtered down to at most `side` px so
 * that pixel noise counts less than shape and colour and a grid of 64 costs about a million operations.
 * `pixels`: uint8 RGB, count × size × size × 3 (NHWC), as toUint8 and ImageSet hold them. Throws on a
 * buffer shorter than count × size × size × 3. Fewer than two images: 0.
 */
export function imageDiversity(pixels: Uint8Array, count: number, size: number, side: number = HEALTH_LIMITS.diversitySide): number {
  if (pixels.length < count * size * size * 3) throw new Error(`imageDiversity: ${pixels.length} bytes hold fewer than ${count} images of ${size} px`);
  if (count < 2) return 0;
  const s = Math.min(side, size);
  const dims = s * s * 3;
  const small = new Float32Array(count * dims);
  for (let i = 0; i < count; i++) {
    for (let ty = 0; ty < s; ty++) {
      const y0 = Math.floor((ty * size) / s);
      const y1 = Math.floor(((ty + 1) * size) / s);
      for (let tx = 0; tx < s; tx++) {
        const x0 = Math.floor((tx * size) / s);
        const x1 = Math.floor(((tx + 1) * size) / s);
        const area = (y1 - y0) * (x1 - x0) * 255;
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += pixels[((i * size + y) * size + x) * 3 + c];
          small[i * dims + (ty * s + tx) * 3 + c] = sum / area;
        }
      }
    }
  }
  let total = 0;
  for (let a = 0; a < count; a++) {
    for (let b = a + 1; b < count; b++) {
      let sq = 0;
      for (let d = 0; d < dims; d++) {
        const diff = small[a * dims + d] - small[b * dims + d];
        sq += diff * diff;
      }
      total += Math.sqrt(sq / dims);
    }
  }
  return total / ((count * (count - 1)) / 2);
}

/**
 * imageDiversity of up to `max` images of a set, taken evenly spaced (no randomness): the training
 * images' spread that the grid's is compared with. `set.pixels`: uint8 RGB NHWC, as ImageSet holds them.
 */
export function setDiversity(set: { pixels: Uint8Array; count: number; size: number }, max = 64): number {
  const n = Math.min(max, set.count);
  const bytes = set.size * set.size * 3;
  const picked = new Uint8Array(n * bytes);
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * set.count) / n) * bytes;
    picked.set(set.pixels.subarray(from, from + bytes), i * bytes);
  }
  return imageDiversity(picked, n, set.size);
}

/** The diversity of the fixed-z grid at one sample step. */
export interface GridDiversity {
  step: number;
  diversity: number;
}

/**
 * Mode collapse: the newest grid's diversity is below a fifth of the training images' (`dataDiversity`) and
 * below half of the grid's peak in the earlier ones; or, at a quarter of the run's steps or later (and at
 * least step 200), still below 8% of theirs. Null with fewer than two grids or no data diversity.
 * Remedy: where G learns faster than D, G's rate down to D's (resumable: "G runs from D"); else, without
 * replay, a new run with D also trained on earlier generators' images (replay changes what the checkpoint
 * holds); with replay on, both learning rates halved (resumable).
 * `active`: already reported, so it stays until the diversity is back above 0.3 × the data's.
 */
export function detectModeCollapse(
  grids: readonly GridDiversity[],
  dataDiversity: number | null,
  config: HealthConfig,
  active = false,
): HealthFinding | null {
  if (grids.length < 2 || !dataDiversity || dataDiversity <= 0) return null;
  const L = HEALTH_LIMITS;
  const now = grids.at(-1)!;
  const peak = Math.max(...grids.slice(0, -1).map((g) => g.diversity));
  const ofData = now.diversity / dataDiversity;
  const fell = ofData < L.collapseOfData && now.diversity < L.collapseOfPeak * peak;
  const stillAlike = ofData < L.stillAlikeOfData && now.step >= Math.max(L.stillAlikeMinStep, L.stillAlikeFraction * config.steps);
  if (!(active ? ofData < L.releaseCollapseOfData : fell || stillAlike)) return null;
  const changes: Partial<RunOptions> =
    config.lrG > config.lrD
      ? { lrG: config.lrD }
      : config.replay > 0
        ? { lrD: lowered(config.lrD, 2), lrG: lowered(config.lrG, 2) }
        : { replay: REPLAY_REMEDY };
  const share = `${Math.round(ofData * 100)}%`;
  const message = fell
    ? `The samples look alike (mode collapse): the fixed-z images vary ${share} as much as the training images do, down from ${Math.round((peak / dataDiversity) * 100)}%.`
    : `The samples look alike (mode collapse): after ${now.step} steps the fixed-z images vary only ${share} as much as the training images do.`;
  return finding('mode-collapse', now.step, message, remedyOf(config, changes));
}

/** The divergence guard's warning (divergence.ts) as a finding: resume with both learning rates halved. */
export function divergenceFinding(step: number, warning: string, config: HealthConfig): HealthFinding {
  return finding('divergence', step, warning.replace(/^warning:\s*/, ''), remedyOf(config, { lrD: lowered(config.lrD, 2), lrG: lowered(config.lrG, 2) }));
}

/** What changed at an evaluation: every current finding, and those new (or with a new remedy) since the last. */
export interface HealthUpdate {
  step: number;
  findings: HealthFinding[];
  added: HealthFinding[];
}

/**
 * Keeps what the detectors need (the last stretch of metrics, the grids' diversities, the divergence
 * guard's warning) and says when the set of findings changes.
 */
export class HealthMonitor {
  private trace: StepMetrics[] = [];
  private grids: GridDiversity[] = [];
  private divergence: { step: number; warning: string } | null = null;
  private current: HealthFinding[] = [];

  /** `dataDiversity`: imageDiversity of (a sample of) the training images; null: no collapse check. */
  constructor(
    private readonly config: HealthConfig,
    private readonly dataDiversity: number | null = null,
  ) {}

  /** The findings reported last. */
  get findings(): readonly HealthFinding[] {
    return this.current;
  }

  /** One logged step (in step order; earlier history may be fed at resume). */
  observe(metrics: StepMetrics): void {
    this.trace.push(metrics);
    const keep = HEALTH_LIMITS.maxStretch;
    if (this.trace.length > 2 * keep) this.trace = this.trace.slice(-keep);
  }

  /** The fixed-z grid at a sample step: uint8 RGB NHWC, as written to samples/. */
  observeGrid(step: number, pixels: Uint8Array, count: number, size: number): void {
    this.grids.push({ step, diversity: imageDiversity(pixels, count, size) });
  }

  /** The divergence guard's warning while the losses explode; null once they settle. */
  setDivergence(step: number, warning: string | null): void {
    this.divergence = warning === null ? null : { step, warning };
  }

  /** Runs every detector; null when the findings are the same kinds with the same remedies as last time. */
  evaluate(step: number): HealthUpdate | null {
    const was = (kind: HealthKind) => this.current.some((f) => f.kind === kind);
    const found: HealthFinding[] = [];
    const dWon = detectDWon(this.trace, this.config, was('d-won'));
    if (dWon) found.push(dWon);
    const overfit = dWon ? null : detectOverfitting(this.trace, this.config, was('d-overfit'));
    if (overfit) found.push(overfit);
    const collapse = detectModeCollapse(this.grids, this.dataDiversity, this.config, was('mode-collapse'));
    if (collapse) found.push(collapse);
    if (this.divergence) found.push(divergenceFinding(this.divergence.step, this.divergence.warning, this.config));
    const key = (f: HealthFinding) => `${f.kind} ${JSON.stringify(f.remedy.changes)}`;
    const before = new Set(this.current.map(key));
    const added = found.filter((f) => !before.has(key(f)));
    const same = added.length === 0 && found.length === this.current.length;
    // A finding that stays keeps the step it was first found at.
    const firstSeen = new Map(this.current.map((f) => [key(f), f.step]));
    this.current = found.map((f) => ({ ...f, step: firstSeen.get(key(f)) ?? f.step }));
    return same ? null : { step, findings: this.current, added };
  }
}
