import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discriminatorColor } from './colormap';

test('D = 0, 1/2 and 1 map to the legend’s three anchor colours, clamped outside [0, 1]', () => {
  assert.deepEqual(discriminatorColor(0), [96, 56, 170]);
  assert.deepEqual(discriminatorColor(0.5), [30, 33, 41]);
  assert.deepEqual(discriminatorColor(1), [38, 150, 92]);
  assert.deepEqual(discriminatorColor(-3), discriminatorColor(0));
  assert.deepEqual(discriminatorColor(7), discriminatorColor(1));
  assert.deepEqual(discriminatorColor(Number.NaN), discriminatorColor(0.5));
});
