import assert from 'node:assert/strict';
import { test } from 'node:test';
import { History } from './history';

test('history stays under its limit, evenly spaced, from the first point onward', () => {
  const history = new History(100);
  for (let i = 0; i < 10_000; i++) history.push(i, i * 2);
  assert.ok(history.points.length <= 100);
  assert.ok(history.points.length >= 50);
  assert.deepEqual(history.points[0], { x: 0, y: 0 });
  const gaps = new Set(history.points.slice(1).map((p, i) => p.x - history.points[i].x));
  assert.equal(gaps.size, 1, 'one spacing throughout');
  assert.ok(history.points.at(-1)!.x > 9_000);
});

test('non-finite values are not plotted', () => {
  const history = new History();
  history.push(0, Number.NaN);
  history.push(1, 1);
  assert.deepEqual(history.points, [{ x: 1, y: 1 }]);
});
