/**
 * An experiment's result (issue 15), pure: per variant the mean ± std over seeds of the final scores, and
 * per compared pair a verdict on whether the difference exceeds the seed-to-seed noise — Welch's unequal-
 * variances t-test (Welch 1947, "The generalization of Student's problem when several different population
 * variances are involved", Biometrika 34) on the per-seed values, two-sided, p < 0.05.
 */
import ttest2 from '@stdlib/stats-ttest2';
import type { DLandscape } from '../shared/contract';
import type { ExperimentRunRef, ExperimentVariant, ExperimentVariantRow, ExperimentVerdict, FinalLandscape } from '../shared/experiment';
import { summarize } from './toy/metrics';

/** The significance level of the verdicts. */
export const VERDICT_ALPHA = 0.05;

/**
 * One row per variant, in grid order, over its finished runs (status 'done' with a final score): mean and
 * sample std (n − 1; std 0 for one seed, NaN for none) of SWD × 10³, NDB/K, the final D and G losses and the
 * wall time in seconds; `steps` is the variant's planned generator steps (the same for all its seeds). D's
 * landscape at the end — flatness, mean D on real and on generated images — over the finished runs that
 * recorded one (`landscapeSeeds`; runs from before schema 4 have none), non-finite values (a diverged D) left out.
 */
export function experimentTable(variants: ExperimentVariant[], runs: ExperimentRunRef[]): ExperimentVariantRow[] {
  return variants.map((variant) => {
    const mine = runs.filter((run) => run.variant === variant.id);
    const done = finished(mine);
    const of = (pick: (f: NonNullable<ExperimentRunRef['final']>) => number) => summarize(done.map((run) => pick(run.final)));
    const landscapes = done.map((run) => run.final.landscape).filter((l): l is FinalLandscape => l !== undefined && l !== null);
    const ofLandscape = (pick: (l: FinalLandscape) => number) => summarize(landscapes.map(pick).filter((x) => typeof x === 'number' && Number.isFinite(x)));
    return {
      variant: variant.id,
      label: variant.label,
      seeds: done.length,
      swd: of((f) => f.swd),
      ndbK: of((f) => f.ndbK),
      dLoss: of((f) => f.dLoss),
      gLoss: of((f) => f.gLoss),
      steps: mine[0]?.steps ?? 0,
      seconds: summarize(done.map((run) => run.seconds)),
      flatness: ofLandscape((l) => l.flatness),
      dReal: ofLandscape((l) => l.dReal),
      dFake: ofLandscape((l) => l.dFake),
      landscapeSeeds: landscapes.length,
      dValue: landscapes[0]?.value ?? null,
    };
  });
}

/** D's landscape at a score as the table takes it: the flatness index and the mean D value on held-out real and on generated images. */
export function finalLandscape(landscape: DLandscape): FinalLandscape {
  return { flatness: landscape.flatness, dReal: landscape.real.mean, dFake: landscape.fake.mean, value: landscape.value };
}

function finished(runs: ExperimentRunRef[]): Array<ExperimentRunRef & { final: NonNullable<ExperimentRunRef['final']> }> {
  return runs.filter((run): run is ExperimentRunRef & { final: NonNullable<ExperimentRunRef['final']> } => run.status === 'done' && run.final !== null);
}

/**
 * Welch's two-sided t-test of equal means (@stdlib/stats-ttest2, variance 'unequal'): the p-value in [0, 1],
 * or NaN when a side has fewer than 2 values. Two constant samples (no variance at all) give p = 1 when
 * their means are equal and 0 otherwise, where the t statistic itself is undefined.
 */
export function welchPValue(a: number[], b: number[]): number {
  if (a.length < 2 || b.length < 2) return NaN;
  const sa = summarize(a);
  const sb = summarize(b);
  if (sa.std === 0 && sb.std === 0) return sa.mean === sb.mean ? 1 : 0;
  return ttest2(a, b, { variance: 'unequal' }).pValue;
}

const METRICS = [
  { metric: 'swd', name: 'SWD', digits: 2 },
  { metric: 'ndbK', name: 'NDB/K', digits: 3 },
] as const;

function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p < 0.01 ? p.toFixed(3) : p.toFixed(2)}`;
}

/**
 * One verdict per other variant and metric (SWD, NDB/K), each variant against the baseline, in grid order:
 * Welch's t on the per-seed final scores (welchPValue). Text, e.g. "k=5 vs k=1: SWD 31.20 vs 35.00 — within
 * seed noise (Welch's t, p = 0.41)"; with fewer than 2 finished seeds on a side it says the test needs 2
 * seeds per variant, and pValue is NaN, significant false.
 */
export function experimentVerdicts(variants: ExperimentVariant[], baseline: string, runs: ExperimentRunRef[]): ExperimentVerdict[] {
  const base = finished(runs.filter((run) => run.variant === baseline));
  const verdicts: ExperimentVerdict[] = [];
  for (const variant of variants) {
    if (variant.id === baseline) continue;
    const other = finished(runs.filter((run) => run.variant === variant.id));
    for (const { metric, name, digits } of METRICS) {
      const a = other.map((run) => run.final[metric]);
      const b = base.map((run) => run.final[metric]);
      const pValue = welchPValue(a, b);
      const significant = pValue < VERDICT_ALPHA;
      const means = `${name} ${fmt(summarize(a).mean, digits)} vs ${fmt(summarize(b).mean, digits)}`;
      const judged = Number.isNaN(pValue)
        ? `Welch's t needs 2 finished seeds per variant (${a.length} and ${b.length})`
        : `${significant ? 'differs beyond seed noise' : 'within seed noise'} (Welch's t, ${formatP(pValue)})`;
      verdicts.push({ a: variant.id, b: baseline, metric, pValue, significant, text: `${variant.id} vs ${baseline}: ${means} — ${judged}` });
    }
  }
  return verdicts;
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}
