import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Matrix, QrDecomposition, SVD } from 'ml-matrix';
import { Rng } from '../rng';
import { standardNormal } from '../toy/distributions';
import { fitPca, pcaPasses, pcaSteps, projectPca, reconstructPca } from './pca';

/** `count` orthonormal vectors of R^dim (rows, flattened), from the QR of a Gaussian matrix. */
function orthonormalRows(count: number, dim: number, rng: Rng): Float64Array {
  const gaussian = Matrix.from1DArray(dim, count, Array.from({ length: dim * count }, () => standardNormal(rng)));
  return Float64Array.from(new QrDecomposition(gaussian).orthogonalMatrix.transpose().to1DArray());
}

/** n points mean + Σ_c scale_c · a_c · u_c with a_c ~ N(0, 1): data on a known len(scales)-dim affine subspace. */
function subspaceData(n: number, dim: number, scales: number[], rng: Rng, noise = 0) {
  const directions = orthonormalRows(scales.length, dim, rng);
  const mean = Array.from({ length: dim }, () => rng.next() * 4 - 2);
  const data = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) data[i * dim + j] = mean[j] + noise * standardNormal(rng);
    scales.forEach((scale, c) => {
      const a = scale * standardNormal(rng);
      for (let j = 0; j < dim; j++) data[i * dim + j] += a * directions[c * dim + j];
    });
  }
  return { data, directions };
}

const dot = (a: ArrayLike<number>, aOffset: number, b: ArrayLike<number>, bOffset: number, dim: number): number => {
  let sum = 0;
  for (let j = 0; j < dim; j++) sum += a[aOffset + j] * b[bOffset + j];
  return sum;
};

test('PCA of data on a known 3-D subspace finds it: explained variance 1, the directions span it, reconstruction is exact', () => {
  const n = 300;
  const dim = 50;
  const { data, directions } = subspaceData(n, dim, [3, 2, 1], new Rng(1));
  const pca = fitPca(data, n, dim, { components: 3, seed: 2 });
  assert.ok(Math.abs(pca.explainedVariance - 1) < 1e-9, `${pca.explainedVariance}`);
  // each true direction lies in the span of the fitted ones (its projection has length 1)
  for (let c = 0; c < 3; c++) {
    let squared = 0;
    for (let f = 0; f < 3; f++) squared += dot(directions, c * dim, pca.basis, f * dim, dim) ** 2;
    assert.ok(Math.abs(squared - 1) < 1e-9, `direction ${c}: ${squared}`);
  }
  // orthonormal rows, variances decreasing, summing to the total
  for (let f = 0; f < 3; f++) for (let g = 0; g < 3; g++) assert.ok(Math.abs(dot(pca.basis, f * dim, pca.basis, g * dim, dim) - (f === g ? 1 : 0)) < 1e-9);
  assert.ok(pca.variances[0] >= pca.variances[1] && pca.variances[1] >= pca.variances[2]);
  assert.ok(Math.abs(pca.variances.reduce((a, b) => a + b, 0) - pca.totalVariance) < 1e-9 * pca.totalVariance);
  const back = reconstructPca(pca, projectPca(pca, data, n), n);
  let worst = 0;
  for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(back[i] - data[i]));
  assert.ok(worst < 1e-5, `${worst}`); // the centred data is kept in float32

  // two of the three directions explain their share of the variance, and no more
  const two = fitPca(data, n, dim, { components: 2, seed: 2 });
  const expected = (pca.variances[0] + pca.variances[1]) / pca.totalVariance;
  assert.ok(Math.abs(two.explainedVariance - expected) < 1e-6, `${two.explainedVariance} vs ${expected}`);
  assert.ok(two.explainedVariance < 0.95);
});

test('the randomized PCA matches an exact SVD on a full-rank set with a decaying spectrum', () => {
  const n = 120;
  const dim = 80;
  const rng = new Rng(3);
  const scales = Array.from({ length: dim }, (_, c) => 5 / (c + 1));
  const { data } = subspaceData(n, dim, scales, rng);
  const components = 6;
  const pca = fitPca(data, n, dim, { components, seed: 4 });
  // the exact spectrum: singular values of the centred data
  const mean = Array.from({ length: dim }, (_, j) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data[i * dim + j];
    return sum / n;
  });
  const centred = Matrix.from1DArray(n, dim, Array.from(data, (x, index) => x - mean[index % dim]));
  const exact = new SVD(centred, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal.map((s) => (s * s) / n);
  for (let c = 0; c < components; c++) {
    assert.ok(Math.abs(pca.variances[c] - exact[c]) < 1e-6 * exact[0], `variance ${c}: ${pca.variances[c]} vs ${exact[c]}`);
  }
  const exactShare = exact.slice(0, components).reduce((a, b) => a + b, 0) / exact.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(pca.explainedVariance - exactShare) < 1e-6, `${pca.explainedVariance} vs ${exactShare}`);
});

test('PCA steps report every pass; a bad D is one line', () => {
  const { data } = subspaceData(20, 10, [1, 1], new Rng(5));
  const steps = pcaSteps(data, 20, 10, { components: 2, powerIterations: 2 });
  const seen: number[] = [];
  let step = steps.next();
  for (; !step.done; step = steps.next()) {
    assert.equal(step.value.total, pcaPasses({ powerIterations: 2 }));
    seen.push(step.value.done);
  }
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
  assert.throws(() => fitPca(data, 20, 10, { components: 11 }), /^Error: PCA components must be a whole number from 1 to 10 .*got 11$/);
  assert.throws(() => fitPca(data, 20, 10, { components: 0 }), /got 0$/);
});
