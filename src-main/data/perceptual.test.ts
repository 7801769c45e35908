import assert from 'node:assert/strict';
import { it } from 'node:test';
import { differenceHash, hashDistance, NearDuplicateIndex, withinMeanDifference } from './perceptual';

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

it('finds the earliest confirmed near duplicate', () => {
  const index = new NearDuplicateIndex<string>();
  const hash = { high: 0x12345678, low: 0x9abcdef0 };
  index.add(hash, 'first');
  index.add({ high: hash.high ^ 0b111, low: hash.low }, 'second');
  index.add({ high: ~hash.high >>> 0, low: ~hash.low >>> 0 }, 'opposite');
  assert.equal(index.find({ high: hash.high ^ 1, low: hash.low }, () => true), 'first');
  assert.equal(index.find(hash, (value) => value !== 'first'), 'second');
  assert.equal(index.find({ high: hash.high ^ 0xff, low: hash.low ^ 0xff }, () => true), undefined);
});
