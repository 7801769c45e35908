import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DLandscape, EvalMetrics } from '../shared/contract';
import type { ExperimentRunRef, ExperimentVariant } from '../shared/experiment';
import { experimentTable, experimentVerdicts, finalLandscape, welchPValue } from './experiment-table';

// With two values per side and equal variances, Welch's df is exactly 2, where Student's t has a closed form:
// P(|T| > t) = 1 − t / √(2 + t²).
const pDf2 = (t: number) => 1 - t / Math.sqrt(2 + t * t);

test("Welch's t matches the hand computation", () => {
  // means 1 and 5, variances 2 and 2: se = √(2/2 + 2/2) = √2, t = 4/√2 = 2√2, df = 2
  assert.ok(Math.abs(welchPValue([0, 2], [4, 6]) - pDf2(2 * Math.SQRT2)) < 1e-9);
  // means 0.1 and 4.1, variances 0.02: t = 4 / √0.02 ≈ 28.3, p ≈ 0.0012
  assert.ok(Math.abs(welchPValue([0, 0.2], [4, 4.2]) - pDf2(4 / Math.sqrt(0.02))) < 1e-9);
  assert.ok(Number.isNaN(welchPValue([1], [2, 3])));
  assert.equal(welchPValue([2, 2], [2, 2]), 1);
  assert.equal(welchPValue([2, 2], [3, 3]), 0);
});

const variants: ExperimentVariant[] = [
  { id: 'k=1', label: 'k 1', overrides: { k: 1 } },
  { id: 'k=5', label: 'k 5', overrides: { k: 5 } },
  { id: 'k=9', label: 'k 9', overrides: { k: 9 } },
];
const run = (variant: string, seed: number, swd: number, ndbK: number, seconds = 10): ExperimentRunRef => ({
  runId: `${variant}-${seed}`, variant, seed, status: 'done', steps: variant === 'k=1' ? 100 : 20, imagesSeen: 3200, seconds, curve: [],
  final: { swd, ndbK, dLoss: 1, gLoss: 2 },
});

test('the table and verdicts on made-up seed results with a known answer', () => {
  const runs = [
    run('k=1', 1, 0, 0.5, 10), run('k=1', 2, 2, 0.7, 12),
    // SWD clearly worse than the baseline; NDB/K the same values: within noise
    run('k=5', 1, 40, 0.5), run('k=5', 2, 40.2, 0.7),
    // SWD within noise of the baseline (the df-2 example above), one seed still running
    run('k=9', 1, 4, 0.6), run('k=9', 2, 6, 0.6), { ...run('k=9', 3, 0, 0), status: 'running' as const, final: null },
  ];
  const table = experimentTable(variants, runs);
  assert.deepEqual(table.map((r) => [r.variant, r.seeds, r.steps]), [['k=1', 2, 100], ['k=5', 2, 20], ['k=9', 2, 20]]);
  assert.deepEqual(table[0].swd, { mean: 1, std: Math.SQRT2 });
  assert.deepEqual(table[0].seconds, { mean: 11, std: Math.SQRT2 });
  assert.deepEqual(table[0].gLoss, { mean: 2, std: 0 });

  const verdicts = experimentVerdicts(variants, 'k=1', runs);
  assert.deepEqual(verdicts.map((v) => [v.a, v.b, v.metric, v.significant]), [
    ['k=5', 'k=1', 'swd', true],
    ['k=5', 'k=1', 'ndbK', false],
    ['k=9', 'k=1', 'swd', false],
    ['k=9', 'k=1', 'ndbK', false],
  ]);
  assert.ok(Math.abs(verdicts[2].pValue - pDf2(2 * Math.SQRT2)) < 1e-9);
  // t = 39.1 / √1.01 ≈ 38.9 on df = 1.01² / 1.0001 ≈ 1.02 (Welch–Satterthwaite): near Cauchy's 1 − 2·atan(t)/π ≈ 0.016
  assert.ok(Math.abs(verdicts[0].pValue - (1 - (2 * Math.atan(39.1 / Math.sqrt(1.01))) / Math.PI)) < 0.002);
  assert.equal(verdicts[0].text, "k=5 vs k=1: SWD 40.10 vs 1.00 — differs beyond seed noise (Welch's t, p = 0.02)");
  assert.equal(verdicts[2].text, "k=9 vs k=1: SWD 5.00 vs 1.00 — within seed noise (Welch's t, p = 0.11)");
  assert.equal(verdicts[1].pValue, 1);
});

test('with fewer than 2 seeds a side, the verdict says the test needs 2 seeds', () => {
  const verdicts = experimentVerdicts(variants.slice(0, 2), 'k=1', [run('k=1', 1, 1, 0.5), run('k=1', 2, 2, 0.5), run('k=5', 1, 3, 0.5)]);
  assert.equal(verdicts.length, 2);
  assert.ok(Number.isNaN(verdicts[0].pValue));
  assert.equal(verdicts[0].significant, false);
  assert.match(verdicts[0].text, /^k=5 vs k=1: SWD 3\.00 vs 1\.50 — Welch's t needs 2 finished seeds per variant \(1 and 2\)$/);
});

/** A made-up eval line's landscape: D's mean on real and generated images and the flatness, histograms left empty. */
const landscape = (flatness: number, real: number, fake: number, value: DLandscape['value'] = 'probability'): DLandscape => {
  const set = (mean: number) => ({ n: 4, counts: new Array<number>(20).fill(0), below: 0, above: 0, mean, std: 0.01 });
  return { value, bins: { min: 0, max: 1, count: 20 }, real: set(real), realFrom: 'held-out', fake: set(fake), interp: set(0.3), noise: set(0.1), flatness };
};
const evalLine = (l: DLandscape | undefined): EvalMetrics => ({
  step: 100, imagesSeen: 3200, eval: { swd: 1, swdLevels: [], ndbK: 0.5, bins: 10, memorised: 0, n: 8, real: 8, size: 32, seconds: 1 }, ...(l ? { landscape: l } : {}),
});
const scored = (variant: string, seed: number, line: EvalMetrics): ExperimentRunRef => {
  const r = run(variant, seed, 1, 0.5);
  return { ...r, final: { ...r.final!, ...(line.landscape ? { landscape: finalLandscape(line.landscape) } : {}) } };
};

test("D's landscape in the table: flatness and mean D on real and generated images, mean ± std over seeds", () => {
  const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);
  const runs = [
    scored('k=1', 1, evalLine(landscape(0.1, 0.6, 0.4))),
    scored('k=1', 2, evalLine(landscape(0.3, 0.8, 0.2))),
    // one seed with a landscape, one scored before schema 4 (none): the landscape is over the one seed
    scored('k=5', 1, evalLine(landscape(0.05, 0.52, 0.5, 'score'))),
    scored('k=5', 2, evalLine(undefined)),
    // a diverged D (NaN written as null) leaves that value out; no finished seed with a landscape: no value
    scored('k=9', 1, evalLine(landscape(null as unknown as number, 0.9, 0.1))),
    { ...scored('k=9', 2, evalLine(landscape(0.2, 0.5, 0.5))), status: 'running' as const, final: null },
  ];
  const [a, b, c] = experimentTable(variants, runs);
  close(a.flatness.mean, 0.2, 'flatness mean');
  close(a.flatness.std, Math.sqrt(0.02), 'flatness std (n − 1)');
  close(a.dReal.mean, 0.7, 'D on real');
  close(a.dReal.std, Math.sqrt(0.02), 'D on real std');
  close(a.dFake.mean, 0.3, 'D on generated');
  assert.deepEqual([a.landscapeSeeds, a.dValue], [2, 'probability']);
  assert.deepEqual([b.flatness, b.dReal, b.dFake, b.landscapeSeeds, b.dValue], [{ mean: 0.05, std: 0 }, { mean: 0.52, std: 0 }, { mean: 0.5, std: 0 }, 1, 'score']);
  assert.ok(Number.isNaN(c.flatness.mean));
  assert.deepEqual([c.dReal, c.landscapeSeeds], [{ mean: 0.9, std: 0 }, 1]);
  const none = experimentTable(variants, [run('k=1', 1, 1, 0.5)])[0];
  assert.deepEqual([Number.isNaN(none.flatness.mean), none.landscapeSeeds, none.dValue], [true, 0, null]);
});
