import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_IMPORT_SETTINGS, defaultRunConfig } from '../../src-main/shared/schema';
import { withAlpha } from './chart-series';
import { compareTitle, experimentSeconds, formatMeanStd, landscapeTitle, parseVaryValues, parseWhole, planExperiment, seedBand, variantColor, variantSeries, variantShortLabel, varyableOptions } from './experiment-view';

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

test('the band is the mean ± sample std of the seeds at each images-seen point', () => {
  const band = seedBand([
    [{ x: 100, y: 10 }, { x: 200, y: 6 }],
    [{ x: 100, y: 14 }, { x: 200, y: 8 }],
    [{ x: 100, y: 12 }, { x: 200, y: 10 }],
  ]);
  assert.deepEqual(band.map((p) => [p.x, p.n]), [[100, 3], [200, 3]]);
  close(band[0].mean, 12, 'mean at 100');
  close(band[0].std, 2, 'sample std at 100 (n − 1)');
  close(band[1].mean, 8, 'mean at 200');
  close(band[1].std, 2, 'sample std at 200');
});

test('seeds with different point sets: interpolated inside their range, left out beyond it', () => {
  // Seed a scored at 0, 200, 400; seed b at 100 and 300 only (it has not reached 400 yet).
  const band = seedBand([
    [{ x: 400, y: 2 }, { x: 0, y: 10 }, { x: 200, y: 6 }],
    [{ x: 100, y: 9 }, { x: 300, y: 5 }],
  ]);
  assert.deepEqual(band.map((p) => p.x), [0, 100, 200, 300, 400]);
  assert.deepEqual(band.map((p) => p.n), [1, 2, 2, 2, 1]);
  // At 0 only seed a counts (b starts at 100): its value, no spread.
  close(band[0].mean, 10, 'mean at 0');
  assert.equal(band[0].std, 0);
  // At 100: a interpolates to 8 between (0, 10) and (200, 6); b is 9.
  close(band[1].mean, 8.5, 'mean at 100');
  close(band[1].std, Math.SQRT1_2, 'std at 100');
  // At 200: a is 6, b interpolates to 7 between (100, 9) and (300, 5).
  close(band[2].mean, 6.5, 'mean at 200');
  // At 400 only seed a.
  close(band[4].mean, 2, 'mean at 400');
});

test('non-finite scores and empty seeds do not poison the band', () => {
  const band = seedBand([[], [{ x: 50, y: Number.NaN }, { x: 100, y: 4 }], [{ x: 100, y: 6 }]]);
  assert.deepEqual(band, [{ x: 100, mean: 5, std: Math.SQRT2, n: 2 }]);
  assert.deepEqual(seedBand([]), []);
});

test('variant colours cycle through the six series colours', () => {
  assert.equal(variantColor(0), '--series-1');
  assert.equal(variantColor(5), '--series-6');
  assert.equal(variantColor(6), '--series-1');
});

test('mean ± std reads short, and one seed shows no spread', () => {
  assert.equal(formatMeanStd({ mean: 31.2345, std: 1.4321 }), '31.2 ± 1.43');
  assert.equal(formatMeanStd({ mean: 123.456, std: 0.5 }, 3), '123.5 ± 0.5');
  assert.equal(formatMeanStd({ mean: 0.25, std: 0 }, 1), '0.25');
  assert.equal(formatMeanStd({ mean: Number.NaN, std: Number.NaN }), '—');
  assert.equal(formatMeanStd(null), '—');
});

test('a custom vary reads values by the option schema and says what to fix', () => {
  assert.deepEqual(parseVaryValues('k', '1, 3,5'), { values: [1, 3, 5] });
  assert.deepEqual(parseVaryValues('lrD', '1e-4,2e-4'), { values: [1e-4, 2e-4] });
  assert.deepEqual(parseVaryValues('loss', 'mm,ns'), { values: ['mm', 'ns'] });
  assert.match(parseVaryValues('k', '1').error ?? '', /at least two values/);
  assert.match(parseVaryValues('k', '1,1').error ?? '', /listed twice/);
  assert.match(parseVaryValues('k', '1,abc').error ?? '', /"abc" is not a number/);
  assert.match(parseVaryValues('k', '1,0').error ?? '', /at least 1/);
  assert.match(parseVaryValues('loss', 'mm,nope').error ?? '', /Generator loss must be one of/);
  assert.match(parseVaryValues('k', '1,2,3,4,5,6,7').error ?? '', /at most 6/);
});

test('the experiment sets length, seeds and scoring itself: those are not offered to vary', () => {
  const keys = varyableOptions().map((o) => o.key);
  for (const key of ['prior', 'loss', 'k', 'replay', 'lrD', 'batch']) assert.ok(keys.includes(key as never), `${key} can be varied`);
  for (const key of ['steps', 'seed', 'evalEvery', 'evalSamples', 'sampleEvery', 'checkpointEvery', 'augment']) assert.ok(!keys.includes(key as never), `${key} is not offered`);
});

test('the plan is the host’s: equal images seen, k = 5 takes a fifth of the steps, and the time adds up over variants and seeds', () => {
  const base = defaultRunConfig({ batch: 32, k: 1, data: { folders: ['/data/faces'], settings: { ...DEFAULT_IMPORT_SETTINGS, size: 64 } } });
  const plan = planExperiment(base, { preset: 'k' }, 32_000);
  assert.equal(plan.error, undefined);
  assert.equal(plan.images, 32_000);
  assert.deepEqual(plan.variants!.map((v) => [v.options.k, v.steps]), [[1, 1000], [5, 200]]);
  // k = 1 at 0.1 s a step, k = 5 at 0.4 s: 3 seeds × (1000 × 0.1 + 200 × 0.4) = 540 s.
  close(experimentSeconds(plan.variants!, 3, (o) => (o.k === 5 ? 0.4 : 0.1))!, 540, 'seconds');
  assert.equal(experimentSeconds(plan.variants!, 3, (o) => (o.k === 5 ? null : 0.1)), null);
  // A custom vary with typed values; a value the base cannot take is the plan's one-line error.
  assert.deepEqual(planExperiment(base, { vary: [{ option: 'lrD', values: [1e-4, 2e-4] }] }, 3200).variants!.map((v) => v.steps), [100, 100]);
  assert.match(planExperiment(base, { vary: [{ option: 'size', values: [64, 40] }] }, 3200).error ?? '', /size|Resolution/i);
});

test('chart fills take the series colour, see-through', () => {
  assert.equal(withAlpha('#8ea8ff', 0.2), 'rgba(142, 168, 255, 0.2)');
  assert.equal(withAlpha(' #abc ', 0.5), 'rgba(170, 187, 204, 0.5)');
  assert.equal(withAlpha('rgb(1, 2, 3)', 0.1), 'rgba(1, 2, 3, 0.1)');
  assert.equal(withAlpha('rgba(1,2,3,0.9)', 0.1), 'rgba(1, 2, 3, 0.1)');
  assert.equal(withAlpha('teal', 0.1), 'teal');
});

test('a compared option reads by its schema labels', () => {
  assert.equal(compareTitle('loss', ['mm', 'ns']), 'Generator loss: MMGAN vs NSGAN');
  assert.equal(compareTitle('replay', [0, 0.5]), 'Replay fraction: 0 vs 0.5');
  assert.equal(compareTitle('spectralNorm', [false, true]), 'Spectral norm of D: off vs on');
  assert.equal(compareTitle('lrD', [1e-4, 2e-4]), 'Learning rate D: 1e-4 vs 2e-4');
});

test('seeds and images seen are whole numbers in range, thousands separators allowed', () => {
  assert.deepEqual(parseWhole('32,000', 'Images seen per run', 1, 1e9), { value: 32000 });
  assert.deepEqual(parseWhole(' 3 ', 'Seeds', 1, 10), { value: 3 });
  assert.equal(parseWhole('', 'Seeds', 1, 10).error, 'Seeds is required');
  assert.equal(parseWhole('2.5', 'Seeds', 1, 10).error, 'Seeds: "2.5" is not a whole number');
  assert.equal(parseWhole('11', 'Seeds', 1, 10).error, 'Seeds must be at most 10');
  assert.equal(parseWhole('0', 'Seeds', 1, 10).error, 'Seeds must be at least 1');
});

test('one line per variant, in its colour, the band around the seeds’ mean', () => {
  const curve = (...ys: number[]) => ys.map((y, i) => ({ imagesSeen: (i + 1) * 100, swd: y, ndbK: y / 100 }));
  const series = variantSeries(
    [{ id: 'k=1', label: 'k (D steps per G step) 1', overrides: { k: 1 } }, { id: 'k=5', label: 'k (D steps per G step) 5', overrides: { k: 5 } }],
    [
      { variant: 'k=1', curve: curve(40, 20) },
      { variant: 'k=5', curve: curve(50, 30) },
      { variant: 'k=1', curve: curve(44, 24) },
      { variant: 'k=5', curve: [] },
    ],
    'swd',
  );
  assert.deepEqual(series.map((s) => [s.label, s.color]), [['k=1', '--series-1'], ['k=5', '--series-2']]);
  assert.deepEqual(series[0].points, [{ x: 100, y: 42 }, { x: 200, y: 22 }]);
  assert.deepEqual(series[0].band?.map((b) => [b.x, Number((b.hi - b.lo).toFixed(6))]), [[100, Number((2 * 2 * Math.SQRT2).toFixed(6))], [200, Number((2 * 2 * Math.SQRT2).toFixed(6))]]);
  // A seed without scores yet adds nothing: k = 5's band is its one scored seed, no spread.
  assert.deepEqual(series[1].band, [{ x: 100, lo: 50, hi: 50 }, { x: 200, lo: 30, hi: 30 }]);
  assert.deepEqual(variantSeries([{ id: 'a', label: 'a', overrides: {} }], [{ variant: 'a', curve: curve(0.5) }], 'ndbK')[0].points, [{ x: 100, y: 0.005 }]);
});

test('a variant reads short in a legend: choices by label, numbers and switches by their flag', () => {
  assert.equal(variantShortLabel({ label: 'Generator loss MMGAN', overrides: { loss: 'mm' } }), 'MMGAN');
  assert.equal(variantShortLabel({ label: 'Replay fraction 0.5', overrides: { replay: 0.5 } }), 'replay=0.5');
  assert.equal(variantShortLabel({ label: '…', overrides: { lrD: 1e-4, prior: 'uniform' } }), 'lr-d=1e-4 · Uniform');
  assert.equal(variantShortLabel({ label: '…', overrides: { spectralNorm: true } }), 'spectral-norm on');
  assert.equal(variantShortLabel({ label: 'baseline', overrides: {} }), 'baseline');
});

test("D's flatness per variant: points without a landscape are left out; the cell's hover text gives D on real and generated", () => {
  const [series] = variantSeries(
    [{ id: 'baseline', label: 'Baseline', overrides: {} }],
    [
      // scored before schema 4 at 100 (no flatness), then 0.2 and 0.1
      { variant: 'baseline', curve: [{ imagesSeen: 100, swd: 9, ndbK: 0.5 }, { imagesSeen: 200, swd: 8, ndbK: 0.4, flatness: 0.2 }, { imagesSeen: 300, swd: 7, ndbK: 0.3, flatness: 0.1 }] },
      { variant: 'baseline', curve: [{ imagesSeen: 200, swd: 8, ndbK: 0.4, flatness: 0.4 }, { imagesSeen: 300, swd: 7, ndbK: 0.3, flatness: 0.3 }] },
    ],
    'flatness',
  );
  assert.equal(series.label, 'Baseline');
  assert.deepEqual(series.points.map((p) => [p.x, Number(p.y.toFixed(9))]), [[200, 0.3], [300, 0.2]]);
  assert.equal(
    landscapeTitle({ dReal: { mean: 0.7, std: 0.05 }, dFake: { mean: 0.3, std: 0.1 }, landscapeSeeds: 2, dValue: 'probability' }),
    "D on held-out real images 0.7 ± 0.05 · on generated 0.3 ± 0.1 (D(x), 0–1; 2 seeds). Flatness is D's spread over both: 0 = flat.",
  );
  assert.match(landscapeTitle({ dReal: { mean: 1.5, std: 0 }, dFake: { mean: -0.5, std: 0 }, landscapeSeeds: 1, dValue: 'score' }), /^D on held-out real images 1\.5 · on generated -0\.5 \(D's raw score .*; 1 seed\)/);
  assert.match(landscapeTitle({ dReal: { mean: NaN, std: NaN }, dFake: { mean: NaN, std: NaN }, landscapeSeeds: 0, dValue: null }), /^No landscape yet/);
});
