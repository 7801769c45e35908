import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../rng';
import { fitImageGmm, ImageGmmCancelled, imageGmmLogLikelihood, sampleImageGmm, type ImageGmmProgress, type RgbImageSet } from './gmm-images';

const SIZE = 8;
const DIM = SIZE * SIZE * 3;

/**
 * Five clearly separated clusters of 8 px images: each cluster a pattern of its own (solid colours,
 * halves, a square, stripes), each image that pattern with ±12 levels of noise per pixel and a
 * random brightness shift of ±16 levels. Returns the images and the cluster centres in [-1, 1].
 */
function clusteredImages(perCluster: number, seed: number): { images: RgbImageSet; centres: Float64Array[]; labels: number[] } {
  const patterns: Array<(x: number, y: number) => [number, number, number]> = [
    () => [220, 40, 40],
    () => [30, 60, 200],
    (x) => (x < SIZE / 2 ? [250, 250, 250] : [10, 10, 10]),
    (x, y) => (Math.abs(x - 3.5) < 2 && Math.abs(y - 3.5) < 2 ? [240, 220, 30] : [20, 120, 40]),
    (_x, y) => (y % 2 === 0 ? [200, 100, 220] : [60, 200, 200]),
  ];
  const centres = patterns.map((pattern) => {
    const centre = new Float64Array(DIM);
    for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) pattern(x, y).forEach((v, ch) => (centre[(y * SIZE + x) * 3 + ch] = v / 127.5 - 1));
    return centre;
  });
  const rng = new Rng(seed);
  const count = perCluster * patterns.length;
  const pixels = new Uint8Array(count * DIM);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const c = i % patterns.length;
    labels.push(c);
    const shift = (rng.next() * 2 - 1) * 16;
    for (let j = 0; j < DIM; j++) {
      const value = (centres[c][j] + 1) * 127.5 + shift + (rng.next() * 2 - 1) * 12;
      pixels[i * DIM + j] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  return { images: { pixels, count, size: SIZE }, centres, labels };
}

/** Root-mean-square distance per pixel value (in [-1, 1] units) from image i of a set to a centre. */
function rmsTo(images: RgbImageSet, i: number, centre: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < DIM; j++) sum += (images.pixels[i * DIM + j] / 127.5 - 1 - centre[j]) ** 2;
  return Math.sqrt(sum / DIM);
}

test('samples of a fit to separated image clusters fall near a cluster, and every cluster gets its share', async () => {
  const { images, centres, labels } = clusteredImages(30, 1);
  const trainingDistances = labels.map((c, i) => rmsTo(images, i, centres[c])).sort((x, y) => x - y);
  const trainingMedian = trainingDistances[trainingDistances.length >> 1];
  // how far apart the clusters are, and how far a training image is from its own centre
  let closest = Infinity;
  for (let a = 0; a < centres.length; a++) {
    for (let b = a + 1; b < centres.length; b++) {
      let sum = 0;
      for (let j = 0; j < DIM; j++) sum += (centres[a][j] - centres[b][j]) ** 2;
      closest = Math.min(closest, Math.sqrt(sum / DIM));
    }
  }
  for (const covariance of ['full', 'diag'] as const) {
    const model = await fitImageGmm(images, { components: 5, pca: 12, covariance, seed: 3 });
    assert.ok(model.pca.explainedVariance > 0.9, `${covariance}: explained ${model.pca.explainedVariance}`);
    assert.ok(Number.isFinite(model.logLikelihood) && Number.isFinite(model.pixelLogLikelihood));
    const samples = sampleImageGmm(model, 500, new Rng(4));
    assert.equal(samples.pixels.length, 500 * DIM);
    const hits = centres.map(() => 0);
    const nearestDistances: number[] = [];
    for (let i = 0; i < samples.count; i++) {
      const distances = centres.map((centre) => rmsTo(samples, i, centre));
      const nearest = distances.indexOf(Math.min(...distances));
      // a training image is ~0.09 RMS from its centre (noise and brightness shift); centres are ≥ `closest` apart
      assert.ok(distances[nearest] < closest / 2.5, `${covariance}: sample ${i} is ${distances[nearest]} from the nearest centre (centres ${closest} apart)`);
      nearestDistances.push(distances[nearest]);
      hits[nearest]++;
    }
    nearestDistances.sort((x, y) => x - y);
    const median = nearestDistances[nearestDistances.length >> 1];
    // blurry: the samples keep only D directions, so they sit closer to the centres than the (noisy) training images
    assert.ok(median < trainingMedian, `${covariance}: the median sample is ${median} from its nearest centre, training images ${trainingMedian}`);
    // the mixture covers the data: each cluster (a fifth of the set) gets about a fifth of the samples
    hits.forEach((count, c) => assert.ok(count > 60 && count < 140, `${covariance}: cluster ${c} got ${count} of 500 samples`));
  }
});

test('with fewer components than clusters the samples blur clusters together (the lecture: blurry, but covering)', async () => {
  const { images, centres } = clusteredImages(30, 2);
  const model = await fitImageGmm(images, { components: 1, pca: 12, covariance: 'full', seed: 1 });
  const samples = sampleImageGmm(model, 200, new Rng(5));
  let far = 0;
  for (let i = 0; i < samples.count; i++) if (Math.min(...centres.map((centre) => rmsTo(samples, i, centre))) > 0.2) far++;
  assert.ok(far > 100, `only ${far} of 200 samples of a single Gaussian are far from every cluster`);
});

test('the fit is seeded, reports its progress, and D is lowered to what the images span', async () => {
  const { images } = clusteredImages(4, 3);
  const progress: ImageGmmProgress[] = [];
  const a = await fitImageGmm(images, { components: 3, pca: 64, covariance: 'diag', seed: 7, onProgress: (p) => progress.push(p) });
  const b = await fitImageGmm(images, { components: 3, pca: 64, covariance: 'diag', seed: 7 });
  assert.equal(a.pca.components, 19, '20 images span 19 directions');
  assert.deepEqual(sampleImageGmm(a, 6, new Rng(1)).pixels, sampleImageGmm(b, 6, new Rng(1)).pixels);
  assert.ok(progress.some((p) => p.phase === 'pca') && progress.some((p) => p.phase === 'em'));
  assert.equal(progress.filter((p) => p.phase === 'em').length, a.mixture.iterations);
  assert.ok(progress.filter((p) => p.phase === 'em').every((p) => Number.isFinite(p.logLikelihood)));
});

test('bad options are one-line errors; an aborted signal cancels the fit between steps', async () => {
  const { images } = clusteredImages(2, 4);
  await assert.rejects(fitImageGmm(images, { components: 11, pca: 4, covariance: 'full' }), {
    message: 'K = 11 components need at least 11 images, the set has 10: choose a smaller K',
  });
  await assert.rejects(fitImageGmm(images, { components: 2, pca: 300, covariance: 'full' }), { message: /^PCA dimensions \(D\) must be a whole number from 1 to 256, got 300$/ });
  await assert.rejects(fitImageGmm(images, { components: 0, pca: 4, covariance: 'full' }), { message: /at least 1, got 0$/ });

  const before = new AbortController();
  before.abort();
  await assert.rejects(fitImageGmm(images, { components: 2, pca: 4, covariance: 'full', signal: before.signal }), ImageGmmCancelled);
  const during = new AbortController();
  const phases: string[] = [];
  const fit = fitImageGmm(images, {
    components: 2,
    pca: 4,
    covariance: 'full',
    signal: during.signal,
    onProgress: (p) => {
      phases.push(p.phase);
      if (p.phase === 'em') during.abort();
    },
  });
  await assert.rejects(fit, ImageGmmCancelled);
  assert.equal(phases.filter((phase) => phase === 'em').length, 1, 'no EM iteration after the abort');
});

test('held-out images of the same clusters score near the training images; noise images far lower', async () => {
  const { images } = clusteredImages(30, 5);
  const model = await fitImageGmm(images, { components: 5, pca: 12, covariance: 'diag', seed: 1 });
  const training = imageGmmLogLikelihood(model, images);
  assert.ok(Math.abs(training.logLikelihood - model.logLikelihood) < 1e-9);
  assert.ok(Math.abs(training.pixelLogLikelihood - model.pixelLogLikelihood) < 1e-9);
  assert.ok(Math.abs(model.logLikelihood - model.mixture.logLikelihood) < 1e-9, 'the PCA-space score is the mixture fit’s own');
  const heldOut = imageGmmLogLikelihood(model, clusteredImages(10, 6).images);
  const rng = new Rng(7);
  const noise = imageGmmLogLikelihood(model, { pixels: Uint8Array.from({ length: 20 * DIM }, () => rng.int(256)), count: 20, size: SIZE });
  const perPixel = (x: number) => x / DIM;
  // within 0.1 nats per pixel value of the training score, and noise ≥ 1 nat per pixel value below it
  assert.ok(Math.abs(perPixel(heldOut.pixelLogLikelihood - training.pixelLogLikelihood)) < 0.1, `${heldOut.pixelLogLikelihood} vs ${training.pixelLogLikelihood}`);
  assert.ok(perPixel(training.pixelLogLikelihood - noise.pixelLogLikelihood) > 1, `${noise.pixelLogLikelihood} vs ${training.pixelLogLikelihood}`);
  assert.throws(() => imageGmmLogLikelihood(model, { pixels: new Uint8Array(16 * 16 * 3), count: 1, size: 16 }), /^Error: the images are 16 px, the baseline was fitted at 8 px$/);
});
