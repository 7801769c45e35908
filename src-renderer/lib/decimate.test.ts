import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimate, series, type XY } from './decimate';

const line = (n: number, f: (i: number) => number): XY[] => Array.from({ length: n }, (_, i) => ({ x: i, y: f(i) }));

test('short series pass through unchanged', () => {
  const points = line(10, (i) => i * i);
  assert.deepEqual(decimate(points, 100), points);
});

test('long series shrink to the limit and keep both ends', () => {
  const points = line(100_000, (i) => Math.sin(i / 100));
  const out = decimate(points, 500);
  assert.ok(out.length <= 500, `got ${out.length}`);
  assert.ok(out.length >= 400, `got ${out.length}`);
  assert.deepEqual(out[0], points[0]);
  assert.deepEqual(out.at(-1), points.at(-1));
});

test('spikes survive decimation', () => {
  const points = line(10_000, () => 1);
  points[4321] = { x: 4321, y: 50 };
  points[7000] = { x: 7000, y: -50 };
  const out = decimate(points, 100);
  assert.ok(out.some((p) => p.y === 50));
  assert.ok(out.some((p) => p.y === -50));
});

test('x stays in increasing order', () => {
  const random = (() => {
    let s = 1;
    return () => ((s = (s * 16807) % 2147483647) / 2147483647);
  })();
  const out = decimate(line(5000, () => random()), 200);
  for (let i = 1; i < out.length; i++) assert.ok(out[i].x > out[i - 1].x);
});

test('non-finite values are dropped', () => {
  const out = decimate([{ x: 0, y: 1 }, { x: 1, y: Number.NaN }, { x: 2, y: Number.POSITIVE_INFINITY }, { x: 3, y: 2 }], 10);
  assert.deepEqual(out, [{ x: 0, y: 1 }, { x: 3, y: 2 }]);
});

test('series maps rows by step', () => {
  const rows = [{ step: 1, v: 3 }, { step: 2, v: 4 }];
  assert.deepEqual(series(rows, (r) => r.v, 10), [{ x: 1, y: 3 }, { x: 2, y: 4 }]);
});
