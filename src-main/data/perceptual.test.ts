import assert from 'node:assert/strict';
import { it } from 'node:test';
import { comparePixels, differenceHash, FULL_CELL_DIFFERENCE, fullCompareSide, hashDistance, isSamePicture, NearDuplicateIndex, withinMeanDifference } from './perceptual';

function gradientImage(size: number, direction: 1 | -1, offset = 0): Uint8Array {
  const pixels = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const value = Math.round(((direction === 1 ? x : size - 1 - x) / (size - 1)) * 200) + offset;
      pixels.fill(value, (y * size + x) * 3, (y * size + x) * 3 + 3);
    }
  }
  return pixels;
}

it('hashes a slightly brighter copy alike and a mirrored image far away', () => {
  const base = differenceHash(gradientImage(32, 1), 32);
  assert.equal(hashDistance(base, differenceHash(gradientImage(32, 1, 5), 32)), 0);
  assert.equal(hashDistance(base, differenceHash(gradientImage(32, -1), 32)), 64);
});

it('compares pixels with an early stop', () => {
  assert.equal(withinMeanDifference(gradientImage(8, 1), gradientImage(8, 1, 5), 5), true);
  assert.equal(withinMeanDifference(gradientImage(8, 1), gradientImage(8, 1, 5), 4.9), false);
});

it('lists the candidates within the hash distance, earliest first', () => {
  const index = new NearDuplicateIndex<string>();
  const hash = { high: 0x12345678, low: 0x9abcdef0 };
  index.add(hash, 'first');
  index.add({ high: hash.high ^ 0b111, low: hash.low }, 'second');
  index.add({ high: ~hash.high >>> 0, low: ~hash.low >>> 0 }, 'opposite');
  assert.deepEqual(index.candidates({ high: hash.high ^ 1, low: hash.low }), ['first', 'second']);
  assert.deepEqual(index.candidates(hash), ['first', 'second']);
  assert.deepEqual(index.candidates({ high: hash.high ^ 0xff, low: hash.low ^ 0xff }), []);
});

it('leaves flat areas out of the hash, so faint noise on them changes nothing', () => {
  const size = 32;
  const flat = new Uint8Array(size * size * 3).fill(200);
  const noisy = flat.map((value, i) => value + ((i * 7919) % 3) - 1);
  assert.equal(hashDistance(differenceHash(flat, size), differenceHash(noisy, size)), 0);
});

it('tells a small change in one place from a small change everywhere', () => {
  const side = 64;
  const base = gradientImage(side, 1);
  // Everywhere 3 levels brighter: a re-encoded copy.
  const everywhere = gradientImage(side, 1, 3);
  const spread = comparePixels(base, everywhere, side);
  assert.equal(spread.identical, false);
  assert.ok(Math.abs(spread.mean - 3) < 1e-9 && spread.maxExcess <= 3 + 1e-9, JSON.stringify(spread));
  assert.equal(isSamePicture(spread), true);
  // One 8 × 8 patch inverted (a digit, a hand): the mean barely moves, one cell stands out.
  const patched = base.slice();
  for (let y = 20; y < 28; y++) for (let x = 20; x < 28; x++) for (let c = 0; c < 3; c++) patched[(y * side + x) * 3 + c] = 255 - base[(y * side + x) * 3 + c];
  const local = comparePixels(base, patched, side);
  assert.ok(local.mean < 5, `mean ${local.mean}`);
  assert.ok(local.maxExcess > FULL_CELL_DIFFERENCE, `largest cell ${local.maxExcess}`);
  assert.equal(isSamePicture(local), false);
  assert.equal(comparePixels(base, base.slice(), side).identical, true);
  assert.throws(() => comparePixels(base, gradientImage(32, 1), side), /comparePixels/);
});

it('compares at the smaller original, within the training size and 512 px', () => {
  assert.equal(fullCompareSide(128, 96, 32), 96);
  assert.equal(fullCompareSide(4000, 3000, 64), 512);
  assert.equal(fullCompareSide(20, 300, 32), 32);
});
