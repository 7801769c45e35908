import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussian1d, grid25, ring8 } from './distributions';
import { kde1d, linspace } from './kde';
import { discreteJsd, discriminatorGap, histogram, histogramJsd, ksDistance, modeMetrics, optimalDiscriminator, PERFECT_HIGH_QUALITY_2D } from './metrics';
import { Rng } from '../rng';

const ring = ring8();

function repeatAt(points: number[][], times: number): Float32Array {
  return Float32Array.from(points.flatMap((p) => Array.from({ length: times }, () => p).flat()));
}

test('every sample on a different ring8 mode: 8 modes, 100% HQ, reverse KL 0', () => {
  const metrics = modeMetrics(repeatAt(ring.modes!, 10), 2, ring.modes!, ring.sigma!);
  assert.equal(metrics.modesCaptured, 8);
  assert.equal(metrics.totalModes, 8);
  assert.equal(metrics.highQuality, 1);
  assert.ok(Math.abs(metrics.reverseKL) < 1e-12);
  assert.deepEqual(metrics.counts, new Array(8).fill(10));
});

test('all samples on one mode: 1 mode, 100% HQ, reverse KL log 8', () => {
  const metrics = modeMetrics(repeatAt([ring.modes![3]], 80), 2, ring.modes!, ring.sigma!);
  assert.equal(metrics.modesCaptured, 1);
  assert.equal(metrics.highQuality, 1);
  assert.ok(Math.abs(metrics.reverseKL - Math.log(8)) < 1e-12);
});

test('samples 4σ from every mode: none high-quality, no mode captured, still balanced', () => {
  const off = ring.modes!.map(([x, y]) => [x + 4 * ring.sigma!, y]);
  const metrics = modeMetrics(repeatAt(off, 5), 2, ring.modes!, ring.sigma!);
  assert.equal(metrics.modesCaptured, 0);
  assert.equal(metrics.highQuality, 0);
  assert.ok(Math.abs(metrics.reverseKL) < 1e-12);
});

test('3σ is the HQ boundary and only HQ samples capture a mode', () => {
  const grid = grid25();
  const sigma = grid.sigma!;
  // mode 0: one sample at 2.9σ (HQ); mode 1: three samples at 3.1σ (not HQ)
  const samples = Float32Array.from([
    grid.modes![0][0] + 2.9 * sigma, grid.modes![0][1],
    ...[0, 1, 2].flatMap(() => [grid.modes![1][0], grid.modes![1][1] + 3.1 * sigma]),
  ]);
  const metrics = modeMetrics(samples, 2, grid.modes!, sigma);
  assert.equal(metrics.modesCaptured, 1);
  assert.equal(metrics.highQuality, 0.25);
  // histogram (1/4, 3/4) against uniform over 25 modes
  const expected = 0.25 * Math.log(0.25 * 25) + 0.75 * Math.log(0.75 * 25);
  assert.ok(Math.abs(metrics.reverseKL - expected) < 1e-12);
});

test('a perfect ring8 sampler scores 1 − e^−4.5 HQ and every mode', () => {
  const metrics = modeMetrics(ring.sample(20_000, new Rng(1)), 2, ring.modes!, ring.sigma!);
  assert.equal(metrics.modesCaptured, 8);
  assert.ok(Math.abs(metrics.highQuality - PERFECT_HIGH_QUALITY_2D) < 0.003, `${metrics.highQuality}`);
  assert.ok(metrics.reverseKL < 0.002);
});

test('histogram JSD: identical sets 0, disjoint sets log 2', () => {
  const bounds = { min: [-1, -1], max: [1, 1] };
  const a = ring.sample(2000, new Rng(2));
  assert.equal(histogramJsd(a, a, 2, bounds), 0);
  const left = Float32Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? -0.5 : 0.1));
  const right = Float32Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 0.5 : 0.1));
  assert.ok(Math.abs(histogramJsd(left, right, 2, bounds, 10) - Math.LN2) < 1e-12);
  // samples outside the bounds share one overflow cell instead of landing on the edge bins
  const outside = Float32Array.from([5, 5, 6, 6]);
  const edge = Float32Array.from([0.99, 0.99, 0.99, 0.99]);
  assert.ok(Math.abs(histogramJsd(outside, edge, 2, bounds, 10) - Math.LN2) < 1e-12);
});

test('discrete JSD on a known case', () => {
  // P = (1, 0), Q = (1/2, 1/2), M = (3/4, 1/4)
  const expected = 0.5 * Math.log(1 / 0.75) + 0.5 * (0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25));
  assert.ok(Math.abs(discreteJsd([1, 0], [0.5, 0.5]) - expected) < 1e-12);
  const h = histogram(Float32Array.from([0.1, 0.2, 0.9]), 1, { min: [0], max: [1] }, 2);
  assert.deepEqual(Array.from(h), [2 / 3, 1 / 3, 0]);
});

test('1-D histogram JSD of two Gaussian sample sets approaches the REFERENCE.md value', () => {
  const rng = new Rng(3);
  const normal = (mean: number) => Float32Array.from({ length: 200_000 }, () => mean + gaussian(rng));
  const jsd = histogramJsd(normal(0), normal(1), 1, { min: [-6], max: [7] }, 200);
  assert.ok(Math.abs(jsd - 0.111421) < 0.005, `${jsd}`);
});

function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

test('D* = p_data / (p_data + p_G), 1/2 where neither has mass', () => {
  assert.equal(optimalDiscriminator(1, 1), 0.5);
  assert.equal(optimalDiscriminator(3, 1), 0.75);
  assert.equal(optimalDiscriminator(1, 0), 1);
  assert.equal(optimalDiscriminator(0, 2), 0);
  assert.equal(optimalDiscriminator(0, 0), 0.5);
});

test('the gap |D − D*| is weighted by p_data + p_G: zero at the optimum, unvisited places ignored', () => {
  const pData = [3, 0, 0];
  const pGenerated = [1, 1, 0];
  const dStar = pData.map((p, i) => optimalDiscriminator(p, pGenerated[i])); // 0.75, 0, 0.5
  assert.equal(discriminatorGap(dStar, dStar, pData, pGenerated), 0);
  // |0.25 − 0.75| · 4 + |0.5 − 0| · 1, over a weight of 5; the third point (weight 0) may say anything
  assert.equal(discriminatorGap([0.25, 0.5, 1], dStar, pData, pGenerated), (0.5 * 4 + 0.5 * 1) / 5);
  assert.ok(Number.isNaN(discriminatorGap([0.5], [0.5], [0], [0])));
});

test('V(G, D*) integrates to −log 4 + 2 JSD (REFERENCE.md: N(0,1) vs N(1,1) gives −1.163451)', () => {
  const xs = linspace(-12, 13, 50_001);
  const step = xs[1] - xs[0];
  const pdf = (x: number, mean: number) => Math.exp(-0.5 * (x - mean) ** 2) / Math.sqrt(2 * Math.PI);
  let value = 0;
  for (const x of xs) {
    const d = optimalDiscriminator(pdf(x, 0), pdf(x, 1));
    value += (pdf(x, 0) * Math.log(d) + pdf(x, 1) * Math.log(1 - d)) * step;
  }
  assert.ok(Math.abs(value - -1.163451) < 1e-5, `${value}`);
  // and a KDE stands in for an unknown P_G without moving the answer much
  const rng = new Rng(4);
  const samples = Float32Array.from({ length: 20_000 }, () => 1 + gaussian(rng));
  const pG = kde1d(samples, xs);
  let estimated = 0;
  xs.forEach((x, i) => {
    const d = optimalDiscriminator(pdf(x, 0), pG[i]);
    if (d > 0 && d < 1) estimated += (pdf(x, 0) * Math.log(d) + pG[i] * Math.log(1 - d)) * step;
  });
  assert.ok(Math.abs(estimated - -1.163451) < 0.02, `${estimated}`);
});

// The 1-D read-outs of the playground: histogram JSD in nats (ln 2 ≈ 0.693 = 1 bit is the most) and the
// Kolmogorov–Smirnov distance (unitless, 0 … 1).
const oneD = gaussian1d();

test('1-D read-outs: identical samples read 0 on both', () => {
  const a = oneD.sample(3000, new Rng(11));
  assert.equal(ksDistance(a, a), 0);
  assert.equal(histogramJsd(a, a, 1, oneD.bounds), 0);
  // ties move both CDFs together: a sample against a shuffled copy of itself is still 0
  assert.equal(ksDistance([3, 1, 2, 2], [2, 2, 3, 1]), 0);
});

test('1-D read-outs: disjoint supports read KS 1 and JSD ln 2 nats', () => {
  const low = Float32Array.from({ length: 500 }, (_, i) => -3 + i / 1000);
  const high = Float32Array.from({ length: 300 }, (_, i) => 4 + i / 1000);
  assert.equal(ksDistance(low, high), 1);
  assert.equal(ksDistance(high, low), 1);
  assert.ok(Math.abs(histogramJsd(low, high, 1, oneD.bounds) - Math.LN2) < 1e-12);
});

test('KS on a known case: the largest gap between two empirical CDFs', () => {
  // F_a steps 1/3 at 1, 2, 3; F_b steps 1/2 at 2.5, 10: at x = 2, F_a = 2/3 and F_b = 0
  assert.ok(Math.abs(ksDistance([1, 2, 3], [2.5, 10]) - 2 / 3) < 1e-12);
  assert.ok(Number.isNaN(ksDistance([], [1])));
  assert.ok(Number.isNaN(ksDistance([1, Number.NaN], [1])));
});

test('1-D read-outs: a generator collapsed to a spike reads as collapse, a good one does not', () => {
  const real = oneD.sample(2500, new Rng(12));
  const good = oneD.sample(2500, new Rng(13));
  // the spike sits on the data's mean: inside its only "mode" at full "high quality", yet far from P_data
  const spike = new Float32Array(2500).fill(2);
  const ksGood = ksDistance(real, good);
  const ksSpike = ksDistance(real, spike);
  const jsdGood = histogramJsd(real, good, 1, oneD.bounds);
  const jsdSpike = histogramJsd(real, spike, 1, oneD.bounds);
  assert.ok(ksGood < 0.05, `KS of two samples of P_data: ${ksGood}`);
  assert.ok(Math.abs(ksSpike - 0.5) < 0.03, `KS of a spike at the median: ${ksSpike}`);
  assert.ok(jsdGood < 0.05, `JSD of two samples of P_data: ${jsdGood}`);
  // the spike's bin holds ~10% of P_data: 0.53 nats, three quarters of the most (ln 2)
  assert.ok(jsdSpike > 0.5, `JSD of a spike: ${jsdSpike} nats of at most ${Math.LN2}`);
});
