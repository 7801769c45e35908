import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatorLoss, histogram, lossCurve, lossSlope, priorSamples } from './theory';

test('uniform samples stay in [-1, 1], normal ones centre on 0 with unit spread', () => {
  const u = priorSamples('uniform', 5000);
  assert.ok(u.every((x) => x >= -1 && x <= 1));
  const n = priorSamples('normal', 20_000);
  const mean = n.reduce((a, b) => a + b, 0) / n.length;
  const variance = n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length;
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
  assert.ok(n.some((x) => Math.abs(x) > 2));
});

test('samples are reproducible', () => {
  assert.deepEqual(priorSamples('normal', 10, 3), priorSamples('normal', 10, 3));
});

test('histogram counts every in-range value once', () => {
  const counts = histogram([-1, -0.5, 0, 0.5, 1, 3], 4, -1, 1);
  assert.deepEqual(counts, [1, 1, 1, 2]);
});

test('MMGAN saturates near D = 0 while NSGAN is steep there (THEORY.md §4)', () => {
  assert.ok(lossSlope('mm', 0.01) < 1.1);
  assert.ok(lossSlope('ns', 0.01) > 50);
  assert.ok(Math.abs(generatorLoss('mm', 0.5) - Math.log(0.5)) < 1e-12);
  assert.ok(Math.abs(generatorLoss('ns', 0.5) + Math.log(0.5)) < 1e-12);
  const curve = lossCurve('ns');
  assert.ok(curve.every((p) => p.d > 0 && p.d < 1 && Number.isFinite(p.value)));
  // Both decrease as D(G(z)) rises: the generator wants to fool D.
  for (const loss of ['mm', 'ns'] as const) {
    const c = lossCurve(loss);
    for (let i = 1; i < c.length; i++) assert.ok(c[i].value < c[i - 1].value);
  }
});
