import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../rng';
import { grid25, ring8, standardNormal } from './distributions';
import { gmmBaseline } from './experiment';
import { cholesky, fitGmm, fitGmmSteps, gmmDensity, sampleGmm } from './gmm';
import { PERFECT_HIGH_QUALITY_2D } from './metrics';

/** 6,000 samples of a known 3-component 2-D mixture with correlated covariances. */
function knownMixture() {
  const weights = [0.5, 0.3, 0.2];
  const means = [
    [-3, 0],
    [2, 2],
    [2, -3],
  ];
  const factors = [
    [
      [1, 0],
      [0.5, 0.5],
    ],
    [
      [0.4, 0],
      [0, 0.8],
    ],
    [
      [0.6, 0],
      [-0.3, 0.3],
    ],
  ];
  const rng = new Rng(11);
  const n = 6000;
  const data = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    const c = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
    const e = [standardNormal(rng), standardNormal(rng)];
    const l = factors[c];
    data[2 * i] = means[c][0] + l[0][0] * e[0];
    data[2 * i + 1] = means[c][1] + l[1][0] * e[0] + l[1][1] * e[1];
  }
  return { weights, means, data };
}

function matchComponents(fitted: number[][], truth: number[][]): number[] {
  return truth.map((m) => {
    let best = 0;
    fitted.forEach((f, c) => {
      if (Math.hypot(f[0] - m[0], f[1] - m[1]) < Math.hypot(fitted[best][0] - m[0], fitted[best][1] - m[1])) best = c;
    });
    return best;
  });
}

test('EM recovers the means and weights of a known mixture (full covariances)', () => {
  const { weights, means, data } = knownMixture();
  const model = fitGmm(data, 2, { components: 3, covariance: 'full', seed: 1 });
  const order = matchComponents(model.means, means);
  assert.equal(new Set(order).size, 3);
  order.forEach((c, k) => {
    assert.ok(Math.hypot(model.means[c][0] - means[k][0], model.means[c][1] - means[k][1]) < 0.06, `mean ${k}`);
    assert.ok(Math.abs(model.weights[c] - weights[k]) < 0.02, `weight ${k}: ${model.weights[c]}`);
  });
  // component 0's covariance is L Lᵀ = [[1, 0.5], [0.5, 0.5]]
  const covariance = model.covariances[order[0]];
  assert.ok(Math.abs(covariance[0][0] - 1) < 0.08 && Math.abs(covariance[0][1] - 0.5) < 0.06 && Math.abs(covariance[1][1] - 0.5) < 0.04);
  assert.ok(model.converged);
});

test('diagonal EM keeps covariances diagonal and still finds the means', () => {
  const { means, data } = knownMixture();
  const model = fitGmm(data, 2, { components: 3, covariance: 'diag', seed: 2 });
  for (const covariance of model.covariances) assert.equal(covariance[0][1], 0);
  matchComponents(model.means, means).forEach((c, k) => {
    assert.ok(Math.hypot(model.means[c][0] - means[k][0], model.means[c][1] - means[k][1]) < 0.15);
  });
});

test('the fitted density integrates to 1 and samples follow the weights', () => {
  const { data } = knownMixture();
  const model = fitGmm(data, 2, { components: 3, seed: 3 });
  const step = 0.1;
  const points: number[] = [];
  for (let x = -10; x <= 10; x += step) for (let y = -10; y <= 10; y += step) points.push(x, y);
  const mass = gmmDensity(model, points).reduce((a, b) => a + b, 0) * step * step;
  assert.ok(Math.abs(mass - 1) < 1e-3, `${mass}`);
  const samples = sampleGmm(model, 4000, new Rng(5));
  const refit = fitGmm(samples, 2, { components: 3, seed: 4 });
  assert.ok(Math.abs(refit.logLikelihood - model.logLikelihood) < 0.1);
});

test('EM is seeded: same seed, same fit', () => {
  const { data } = knownMixture();
  const a = fitGmm(data, 2, { components: 3, seed: 9, maxIterations: 5 });
  const b = fitGmm(data, 2, { components: 3, seed: 9, maxIterations: 5 });
  assert.deepEqual(a.means, b.means);
});

test('1-D EM and Cholesky', () => {
  const rng = new Rng(6);
  const data = Float32Array.from({ length: 4000 }, (_, i) => (i % 4 === 0 ? 5 : 0) + 0.5 * standardNormal(rng));
  const model = fitGmm(data, 1, { components: 2, seed: 1 });
  const [small, large] = model.means[0][0] < model.means[1][0] ? [0, 1] : [1, 0];
  assert.ok(Math.abs(model.means[small][0]) < 0.05 && Math.abs(model.means[large][0] - 5) < 0.1);
  assert.ok(Math.abs(model.weights[large] - 0.25) < 0.02);
  assert.deepEqual(cholesky([[4, 2], [2, 5]]), [[2, 0], [1, 2]]);
});

test('the GMM baseline with K = modes captures every ring8 and grid25 mode', () => {
  const ring = gmmBaseline({ distribution: ring8(), components: 8, seed: 1 });
  assert.equal(ring.modesCaptured, 8);
  assert.ok(Math.abs(ring.highQuality - PERFECT_HIGH_QUALITY_2D) < 0.02, `${ring.highQuality}`);
  const grid = gmmBaseline({ distribution: grid25(), components: 25, seed: 1, trainSamples: 5000 });
  assert.ok(grid.modesCaptured >= 24, `${grid.modesCaptured}`);
});

test('EM recovers a known mixture in 6-D, one progress step per iteration, the likelihood never falling', () => {
  const dim = 6;
  const truth = [
    { weight: 0.5, mean: [4, 0, 0, 0, 0, 0], sigma: 0.5 },
    { weight: 0.3, mean: [0, 4, 0, -2, 0, 1], sigma: 0.8 },
    { weight: 0.2, mean: [0, 0, 4, 0, 3, 0], sigma: 0.3 },
  ];
  const rng = new Rng(21);
  const n = 3000;
  const data = new Float64Array(n * dim);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    const c = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
    labels.push(c);
    for (let d = 0; d < dim; d++) data[i * dim + d] = truth[c].mean[d] + truth[c].sigma * standardNormal(rng);
  }
  // The components are > 7σ apart, so EM should find each one's own sample mean and variance.
  const sampleVariance = (c: number, d: number): number => {
    const values = labels.flatMap((label, i) => (label === c ? [data[i * dim + d]] : []));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  };
  for (const covariance of ['full', 'diag'] as const) {
    const steps = fitGmmSteps(data, dim, { components: 3, covariance, seed: 5 });
    const trace: number[] = [];
    let step = steps.next();
    for (; !step.done; step = steps.next()) trace.push(step.value.logLikelihood);
    const model = step.value;
    assert.equal(trace.length, model.iterations);
    trace.slice(1).forEach((ll, i) => assert.ok(ll >= trace[i] - 1e-9, `${covariance}: iteration ${i + 2} fell from ${trace[i]} to ${ll}`));
    truth.forEach(({ weight, mean }, k) => {
      const c = model.means.findIndex((m) => Math.hypot(...m.map((x, d) => x - mean[d])) < 0.15);
      assert.ok(c >= 0, `${covariance}: no fitted mean near component ${k}: ${JSON.stringify(model.means)}`);
      assert.ok(Math.abs(model.weights[c] - weight) < 0.02, `${covariance}: weight ${k}: ${model.weights[c]}`);
      for (let d = 0; d < dim; d++) {
        const expected = sampleVariance(k, d);
        assert.ok(Math.abs(model.covariances[c][d][d] - expected) < 0.01 * expected, `${covariance}: variance ${k},${d}: ${model.covariances[c][d][d]} vs ${expected}`);
      }
    });
  }
});
