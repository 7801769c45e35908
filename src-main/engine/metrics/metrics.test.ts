import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { chooseBackend } from '../../trainer/backend';
import { Rng } from '../rng';
import {
  evaluate,
  fitNdbBins,
  memorisationReference,
  memorisationShare,
  MetricInputError,
  qualityReference,
  scoreNdb,
  selectImages,
  slicedWasserstein,
  twoProportionPValue,
  type ImageBatch,
} from './index';
import { laplacianLevel, pyramidSizes, radixSortFloat32, wassersteinSorted } from './swd';
import { shapesSet, sliceSet, uniformNoiseSet } from './test-sets';

// The products run on the active tfjs backend; wasm is the one every machine has that is fast enough.
before(async () => {
  await chooseBackend('wasm');
});

/** SWD as evaluate draws it: one seed for both sets' patches, another for the directions. */
function swd(a: ImageBatch, b: ImageBatch, seed = 1) {
  return slicedWasserstein(a, b, { patchesA: new Rng(seed), patchesB: new Rng(seed), directions: new Rng(seed + 1) });
}

describe('SWD (ProGAN §5)', () => {
  it("builds the Laplacian pyramid exactly as ProGAN's sliced_wasserstein.py (scipy, mirror borders)", () => {
    // Reference numbers from ProGAN's generate_laplacian_pyramid (numpy/scipy, float32) on this image:
    // per level the sum, the sum of squares, the first pixel of each channel, and two more pixels.
    const expected: Record<number, Array<[number, number, number[], number, number]>> = {
      32: [
        [203.23193359375, 12276073.532226108, [-68.83203125, -61.58203125, -32.64453125], -49.7119140625, 50.265625],
        [98878.140625, 13455299.904693604, [47.8125, 118.8125, 185.8125], 158.74609375, 110.546875],
      ],
      64: [
        [84.3828125, 49047474.98037761, [-68.83203125, -61.58203125, -32.64453125], -49.7119140625, 43.0966796875],
        [-240.58383178710938, 2601114.203153418, [-64.40701293945312, -14.244659423828125, 47.268035888671875], 24.037643432617188, -29.487319946289062],
        [98220.4609375, 12601588.283066649, [105.7686767578125, 137.7999267578125, 145.0499267578125], 126.16351318359375, 126.80136108398438],
      ],
    };
    for (const side of [32, 64]) {
      const pixels = new Uint8Array(side * side * 3);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          for (let c = 0; c < 3; c++) pixels[(y * side + x) * 3 + c] = (x * 37 + y * 23 + c * 71 + ((x * y) % 17) * 5) % 256;
        }
      }
      const sizes = pyramidSizes(side);
      assert.deepEqual(sizes, side === 32 ? [32, 16] : [64, 32, 16]);
      sizes.forEach((s, level) => {
        const band = laplacianLevel(pixels, 0, sizes, level);
        const area = s * s;
        let sum = 0;
        let squares = 0;
        for (const v of band) {
          sum += v;
          squares += v * v;
        }
        const [eSum, eSquares, eFirst, eA, eB] = expected[side][level];
        // float32 sums in another order: equal to a few units in the 8th digit of the band's magnitude.
        assert.ok(Math.abs(sum - eSum) < 1e-2, `${side} px level ${s}: sum ${sum} ≠ ${eSum}`);
        assert.ok(Math.abs(squares - eSquares) / eSquares < 1e-7, `${side} px level ${s}: sum of squares`);
        assert.deepEqual([band[0], band[area], band[2 * area]], eFirst);
        assert.equal(band[area + 5 * s + 9], eA);
        assert.equal(band[2 * area + (s - 1) * s + s - 2], eB);
      });
    }
  });

  it('sorts projections like Array.prototype.sort and measures 1-D W₁ for equal and unequal sizes', () => {
    const rng = new Rng(3);
    const values = Float32Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? -0 : (rng.next() - 0.5) * 10 ** (rng.int(9) - 4)));
    const expected = Array.from(values).sort((a, b) => a - b);
    radixSortFloat32(values, new Float32Array(values.length));
    assert.deepEqual(Array.from(values, (v) => v + 0), expected.map((v) => v + 0));

    assert.equal(wassersteinSorted([0, 1, 2], [1, 1, 3]), (1 + 0 + 1) / 3);
    // Quantile functions of {0, 1} and {0, ½, 1} differ by ½ on [⅓, ⅔): W₁ = ⅙.
    assert.ok(Math.abs(wassersteinSorted([0, 1], [0, 0.5, 1]) - 1 / 6) < 1e-12);
    assert.ok(Math.abs(wassersteinSorted([0, 0.5, 1], [0, 1]) - 1 / 6) < 1e-12);
  });

  it('scores a set against itself 0, a held-out half below a fifth of uniform noise, and noise high', () => {
    const all = shapesSet(200, 32, 1, { background: true });
    const real = sliceSet(all, 0, 100);
    const heldOut = sliceSet(all, 100, 100);
    const noise = uniformNoiseSet(100, 32, 2);
    const self = swd(real, real);
    assert.ok(self.swd < 1, `self ${self.swd}`);
    const held = swd(real, heldOut);
    const random = swd(real, noise);
    assert.deepEqual(random.levels.map((l) => l.size), [32, 16]);
    assert.ok(random.swd > 100, `uniform noise ${random.swd}`);
    assert.ok(held.swd < random.swd / 5, `held-out half ${held.swd} against noise ${random.swd}`);
    for (const level of held.levels) assert.ok(level.swd > 0 && level.swd < random.swd / 3, `level ${level.size}: ${level.swd}`);
    // Unequal counts compare quantile functions: 50 of the held-out images still score near the 100.
    const fewer = swd(real, sliceSet(heldOut, 0, 50));
    assert.ok(fewer.swd < random.swd / 5, `50 held-out images ${fewer.swd}`);
  });
});

describe('NDB/K (Richardson & Weiss 2018)', () => {
  it('computes the pooled two-proportion z-test as ndb.py (two-tailed)', () => {
    // scipy: 2·norm.cdf(−|z|) with the pooled standard error.
    assert.ok(Math.abs(twoProportionPValue(0.5, 100, 0.4, 100) - 0.1552184896846841) < 1e-6);
    assert.ok(Math.abs(twoProportionPValue(0.02, 1000, 0.035, 500) - 0.07941062599894216) < 1e-6);
    assert.ok(Math.abs(twoProportionPValue(0.1, 200, 0, 200) - 4.468387345230025e-6) < 1e-9);
    assert.equal(twoProportionPValue(0, 100, 0, 50), 1);
  });

  it('finds no different bins between random halves, and many for a shifted or collapsed set', () => {
    const all = shapesSet(400, 32, 2);
    const real = sliceSet(all, 0, 200);
    const bins = fitNdbBins(real, new Rng(4), { bins: 10 });
    assert.equal(bins.proportions.length, 10);
    assert.ok(Math.abs(bins.proportions.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    // 32 px = 3,072 values > 1,000: binned on a random sixth of them, as ndb.py does.
    assert.equal(bins.dims.length, 512);
    assert.ok(bins.iterations >= 1);
    // Options given as undefined keep their defaults (K = 50, up to 100 iterations).
    const defaults = fitNdbBins(real, new Rng(4), { bins: undefined, maxIterations: undefined });
    assert.equal(defaults.proportions.length, 50);
    assert.ok(defaults.iterations >= 1);

    const split = scoreNdb(bins, sliceSet(all, 200, 200));
    assert.ok(split.ndbK <= 0.1, `random split NDB/K ${split.ndbK}`);
    assert.ok(split.js < 0.05, `random split JS ${split.js}`);

    const shifted = scoreNdb(bins, shapesSet(200, 32, 12, { brightness: 60 }));
    assert.ok(shifted.ndbK >= 0.4, `brightness +60: NDB/K ${shifted.ndbK}`);
    assert.ok(shifted.js > 5 * split.js, `brightness +60: JS ${shifted.js}`);

    // A collapsed generator: three images, each repeated.
    const collapsed = selectImages(sliceSet(all, 200, 3), Array.from({ length: 201 }, (_, i) => i % 3));
    const result = scoreNdb(bins, collapsed);
    assert.ok(result.ndbK >= 0.8, `collapsed NDB/K ${result.ndbK}`);
  });
});

describe('memorisation share', () => {
  it('flags a sampler that returns training images verbatim, and not a held-out half', () => {
    const all = shapesSet(400, 32, 3);
    const training = sliceSet(all, 0, 200);
    const reference = memorisationReference(training);
    assert.ok(reference.medianDistance > 0);
    const copies = memorisationShare(reference, selectImages(training, Array.from({ length: 100 }, (_, i) => (i * 7) % 200)));
    assert.ok(copies.memorised >= 0.9, `verbatim ${copies.memorised}`);
    assert.ok(copies.nearest.distance.every((d) => d === 0));
    const heldOut = memorisationShare(reference, sliceSet(all, 200, 200));
    // Fresh draws of the training distribution land near 0.5 by construction; copies at 1.
    assert.ok(heldOut.memorised > 0.2 && heldOut.memorised < 0.75, `held-out half ${heldOut.memorised}`);
    const noise = memorisationShare(reference, uniformNoiseSet(50, 32, 5));
    assert.equal(noise.memorised, 0);
  });
});

describe('evaluate', () => {
  it('gives every score, the same numbers for one seed, and the same through a reference', () => {
    const all = shapesSet(120, 32, 4);
    const real = sliceSet(all, 0, 60);
    const fake = sliceSet(all, 60, 40);
    // Fewer patches and directions than ProGAN's, to keep this test quick; the tests above use the defaults.
    const small = { bins: 8, patchesPerImage: 32, directions: 64 };
    const scores = evaluate(real, fake, { ...small, seed: 7 });
    assert.deepEqual(scores.counts, { real: 60, fake: 40 });
    assert.equal(scores.size, 32);
    assert.equal(scores.bins, 8);
    assert.deepEqual(scores.swdLevels.map((l) => l.size), [32, 16]);
    assert.ok(Math.abs(scores.swd - (scores.swdLevels[0].swd + scores.swdLevels[1].swd) / 2) < 1e-9);
    for (const key of ['ndbK', 'memorised'] as const) assert.ok(scores[key] >= 0 && scores[key] <= 1, key);
    assert.ok(scores.ndbJs >= 0 && scores.ndbJs <= Math.LN2);

    assert.deepEqual(evaluate(real, fake, { ...small, seed: 7 }), scores);
    const reference = qualityReference(real, { ...small, seed: 7 });
    assert.deepEqual(evaluate(reference, fake, { ...small, seed: 7 }), scores);
    assert.notEqual(evaluate(real, fake, { ...small, seed: 8 }).swd, scores.swd);
    // The reference's seed governs the draws.
    assert.equal(evaluate(reference, fake, { ...small, seed: 99 }).swd, scores.swd);
  });

  it('rejects sets it cannot score with a one-line MetricInputError', () => {
    const real = shapesSet(4, 32, 5);
    const cases: Array<[ImageBatch, ImageBatch, RegExp]> = [
      [real, shapesSet(4, 16, 5), /real images are 32 px and the generated ones 16 px/],
      [shapesSet(4, 8, 5), shapesSet(4, 8, 5), /at least 16 px, got 8 px/],
      [sliceSet(real, 0, 1), real, /at least 2, got 1/],
      [real, sliceSet(real, 0, 0), /generated images: the scores need at least 1/],
      [{ size: 32, count: 2, pixels: new Uint8Array(10) }, real, /2 images of 32×32×3 need 6144 values, got 10/],
    ];
    for (const [a, b, message] of cases) {
      assert.throws(() => evaluate(a, b), (error: unknown) => error instanceof MetricInputError && message.test(error.message) && !error.message.includes('\n'));
    }
  });
});
