import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DENSITY_LOG_RANGE, densityColor, discriminatorColor } from './colormap';

test('D = 0, 1/2 and 1 map to the legend’s three anchor colours, clamped outside [0, 1]', () => {
  assert.deepEqual(discriminatorColor(0), [96, 56, 170]);
  assert.deepEqual(discriminatorColor(0.5), [30, 33, 41]);
  assert.deepEqual(discriminatorColor(1), [38, 150, 92]);
  assert.deepEqual(discriminatorColor(-3), discriminatorColor(0));
  assert.deepEqual(discriminatorColor(7), discriminatorColor(1));
  assert.deepEqual(discriminatorColor(Number.NaN), discriminatorColor(0.5));
});

test('a density maps by its log ratio to the peak: amber at the peak, the background from e^-range down', () => {
  assert.deepEqual(densityColor(0), [251, 146, 60]);
  assert.deepEqual(densityColor(-DENSITY_LOG_RANGE), discriminatorColor(0.5));
  assert.deepEqual(densityColor(-DENSITY_LOG_RANGE * 3), discriminatorColor(0.5));
  assert.deepEqual(densityColor(Number.NEGATIVE_INFINITY), discriminatorColor(0.5));
  const half = densityColor(-DENSITY_LOG_RANGE / 2);
  assert.ok(half[0] > 30 && half[0] < 251, `halfway is between the anchors, got ${half}`);
});
