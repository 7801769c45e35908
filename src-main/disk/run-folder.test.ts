import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isEvalMetrics, parseMetrics, parseMetricsRecords, readMetrics, readMetricsFile } from './run-folder';

const step = (n: number) => ({ step: n, dLoss: 1.3, gLoss: 0.7, dReal: 0.5, dFake: 0.5, v: -1.38, jsd: 0.01, rt: 0.1, imgPerSec: 50, time: n });
const score = (n: number) => ({
  step: n,
  imagesSeen: n * 32,
  eval: { swd: 41.5, swdLevels: [{ size: 32, swd: 50 }, { size: 16, swd: 33 }], ndbK: 0.62, bins: 50, memorised: 0.31, n: 1000, real: 800, size: 32, seconds: 12.5 },
});

test('metrics.jsonl holds logged steps and quality scores; each reader gets its kind, in file order', async () => {
  const text = [step(1), step(2), score(2), step(3), step(4), score(4)].map((r) => JSON.stringify(r)).join('\n') + '\n{"step":5,"dLo';
  const records = parseMetricsRecords(text);
  assert.deepEqual(records.map((r) => `${r.step}${isEvalMetrics(r) ? 'q' : ''}`), ['1', '2', '2q', '3', '4', '4q']);
  assert.deepEqual(parseMetrics(text), [step(1), step(2), step(3), step(4)]);

  const dir = await mkdtemp(join(tmpdir(), 'gan-metrics-'));
  try {
    await writeFile(join(dir, 'metrics.jsonl'), text);
    assert.deepEqual(await readMetricsFile(dir), { metrics: [step(1), step(2), step(3), step(4)], evals: [score(2), score(4)] });
    assert.deepEqual((await readMetrics(dir)).map((m) => m.step), [1, 2, 3, 4]);
    // A run without a metrics file yet (just created): nothing of either kind.
    assert.deepEqual(await readMetricsFile(join(dir, 'missing')), { metrics: [], evals: [] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // A step line is never taken for a score, whatever else it holds.
  assert.equal(isEvalMetrics({ ...step(1), eval: null } as never), false);
});
