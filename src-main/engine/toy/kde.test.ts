import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../rng';
import { standardNormal } from './distributions';
import { kde1d, linspace, silvermanBandwidth } from './kde';

const normalPdf = (x: number, variance: number) => Math.exp((-0.5 * x * x) / variance) / Math.sqrt(2 * Math.PI * variance);

test('one sample gives exactly the kernel: N(x0, h²)', () => {
  const xs = [-1, 0, 0.3, 2];
  const density = kde1d([0.5], xs, 0.4);
  xs.forEach((x, i) => assert.ok(Math.abs(density[i] - normalPdf(x - 0.5, 0.16)) < 1e-12));
});

test('Silverman bandwidth: 0.9 · min(σ̂, IQR/1.34) · n^−1/5', () => {
  const samples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const std = Math.sqrt(82.5 / 9);
  const iqr = 7.75 - 3.25;
  const expected = 0.9 * Math.min(std, iqr / 1.34) * 10 ** -0.2;
  assert.ok(Math.abs(silvermanBandwidth(samples) - expected) < 1e-12);
});

test('the KDE of N(0,1) samples is N(0, 1 + h²) and integrates to 1', () => {
  const rng = new Rng(7);
  const samples = Float64Array.from({ length: 20_000 }, () => standardNormal(rng));
  const h = silvermanBandwidth(samples);
  assert.ok(Math.abs(h - 0.9 * 20_000 ** -0.2) < 0.005, `${h}`);
  const xs = linspace(-3, 3, 13);
  const density = kde1d(samples, xs, h);
  xs.forEach((x, i) => {
    const expected = normalPdf(x, 1 + h * h);
    assert.ok(Math.abs(density[i] - expected) < 0.01 + 0.03 * expected, `x=${x}: ${density[i]} vs ${expected}`);
  });
  const wide = linspace(-8, 8, 1601);
  const mass = kde1d(samples, wide, h).reduce((a, b) => a + b, 0) * (wide[1] - wide[0]);
  assert.ok(Math.abs(mass - 1) < 1e-3);
});
