import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EvalMetrics, StepMetrics } from '../../src-main/shared/contract';
import { clampIndex, evalsBefore, mergeEvals, mergeMetrics, progressOf, totalTime } from './training';

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

const score = (step: number, swd: number): EvalMetrics => ({
  step,
  imagesSeen: step * 32,
  eval: { swd, swdLevels: [{ size: 32, swd }], ndbK: 0.5, bins: 50, memorised: 0.4, n: 1000, real: 1000, size: 32, seconds: 12 },
});

test('the scores of a resumed run replace those of the steps it trains again', () => {
  const history = [score(100, 90), score(200, 70), score(300, 60)];
  assert.deepEqual(mergeEvals(history, score(400, 50)).map((e) => e.step), [100, 200, 300, 400]);
  // Resumed from the checkpoint at 200 after a crash: the score of 300 is redone.
  assert.deepEqual(mergeEvals(history, score(300, 65)).map((e) => e.eval.swd), [90, 70, 65]);
  // Steps re-logged from 201 on: the old score of 300 is stale until the new one comes.
  assert.deepEqual(evalsBefore(history, 201).map((e) => e.step), [100, 200]);
  assert.equal(evalsBefore(history, 301), history, 'nothing stale: the same array, no redraw');
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
