import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepMetrics } from '../../src-main/shared/contract';
import { clampIndex, mergeMetrics, progressOf, totalTime } from './training';

const row = (step: number, time: number): StepMetrics => ({ step, time, dLoss: 1, gLoss: 1, dReal: 0.5, dFake: 0.5, v: -1.3, jsd: 0.05, imgPerSec: 16 });

test('progress reports step, rate, elapsed and ETA', () => {
  const metrics = Array.from({ length: 10 }, (_, i) => row(i + 1, (i + 1) * 0.5));
  const p = progressOf(metrics, 10, 110);
  assert.equal(p.step, 10);
  assert.ok(Math.abs(p.fraction - 10 / 110) < 1e-9);
  assert.equal(p.imgPerSec, '16');
  assert.equal(p.elapsed, '5 s');
  // 2 steps per second, 100 steps left.
  assert.equal(p.eta, '50 s');
});

test('ETA is unknown before two steps and done at the end', () => {
  assert.equal(progressOf([], 0, 100).eta, '—');
  assert.equal(progressOf([row(1, 1)], 1, 100).eta, '—');
  assert.equal(progressOf([row(1, 1), row(100, 5)], 100, 100).eta, 'done');
});

test('the rate ignores steps from before a resumption', () => {
  // First session: slow (1 step/s); after resuming, time restarts and steps go 10/s.
  const metrics = [...Array.from({ length: 20 }, (_, i) => row(i + 1, i + 1)), ...Array.from({ length: 10 }, (_, i) => row(21 + i, (i + 1) * 0.1))];
  assert.equal(progressOf(metrics, 30, 130).eta, '10 s');
});

test('merging replaces steps re-logged after a resume', () => {
  const history = [row(1, 1), row(2, 2), row(3, 3)];
  assert.deepEqual(mergeMetrics(history, [row(4, 4)]).map((m) => m.step), [1, 2, 3, 4]);
  assert.deepEqual(mergeMetrics(history, [row(2, 0.1), row(3, 0.2)]).map((m) => m.time), [1, 0.1, 0.2]);
});

test('timeline index is clamped', () => {
  assert.equal(clampIndex(5, 0), null);
  assert.equal(clampIndex(-1, 3), 0);
  assert.equal(clampIndex(9, 3), 2);
});

test('elapsed time adds up the sessions of a resumed run', () => {
  const metrics = [row(1, 1), row(2, 2), row(3, 0.5), row(4, 1.5)];
  assert.equal(totalTime(metrics), 3.5);
  assert.equal(totalTime([]), 0);
  assert.equal(progressOf(metrics, 4, 10).elapsed, '4 s');
});
