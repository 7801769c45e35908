import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DIVERGENCE_LIMITS, DivergenceWatch, type DivergenceVerdict } from './divergence';

function feed(watch: DivergenceWatch, losses: Array<[number, number]>, from = 1): DivergenceVerdict[] {
  return losses.map(([dLoss, gLoss], i) => watch.observe({ step: from + i, dLoss, gLoss }));
}

test('healthy losses, spikes included, never warn', () => {
  const watch = new DivergenceWatch();
  const losses: Array<[number, number]> = Array.from({ length: 2000 }, (_, i) => [0.5 + (i % 7) * 0.1, 1 + (i % 13) * 0.8]);
  for (let i = 0; i < losses.length; i += 97) losses[i] = [3, 250]; // a lone spike now and then
  assert.ok(feed(watch, losses).every((v) => v.kind === 'ok'));
  assert.equal(watch.exploding, false);
});

test('losses past the stop level (the issue: ~1e5 at learning rates of 0.999) stop the run', () => {
  const watch = new DivergenceWatch();
  const verdicts = feed(watch, [
    ...Array.from({ length: 20 }, (): [number, number] => [0.7, 1.2]),
    ...Array.from({ length: 40 }, (_, i): [number, number] => [i % 2 ? 1e-20 : 3e5, i % 2 ? 2e5 : 1e-30]),
  ]);
  const warn = verdicts.findIndex((v) => v.kind === 'warn');
  const stop = verdicts.findIndex((v) => v.kind === 'stop');
  assert.ok(warn > 20 && stop > warn, `warn at ${warn}, stop at ${stop}`);
  assert.match((verdicts[stop] as { message: string }).message, /^training diverged at step \d+: the losses exploded \(typical \|loss\| 2\.0e\+5/);
  assert.match((verdicts[warn] as { message: string }).message, /losses are exploding at step \d+/);
});

test('a sustained explosion below the stop level stops after the patience; settling in between resets it', () => {
  const { patience } = DEFAULT_DIVERGENCE_LIMITS;
  const watch = new DivergenceWatch();
  // The pattern of a real run at learning rates of 0.999: alternating ~1e2–1e3 and ~1e-20.
  const exploding = (n: number) => Array.from({ length: n }, (_, i): [number, number] => (i % 2 ? [4e2, 1e-20] : [1e-18, 3e2]));
  let verdicts = feed(watch, exploding(100));
  assert.equal(verdicts.filter((v) => v.kind === 'warn').length, 1);
  assert.ok(watch.exploding);
  verdicts = feed(watch, Array.from({ length: 40 }, (): [number, number] => [0.7, 1.5]), 101);
  assert.equal(watch.exploding, false, 'settled losses end the episode');
  verdicts = feed(watch, exploding(patience + 40), 141);
  assert.equal(verdicts.filter((v) => v.kind === 'warn').length, 1, 'a new episode warns again');
  const stop = verdicts.findIndex((v) => v.kind === 'stop');
  const warn = verdicts.findIndex((v) => v.kind === 'warn');
  assert.equal(stop - warn, patience);
  assert.match((verdicts[stop] as { message: string }).message, /^training diverged: the losses have been exploding since step \d+/);
});

test('a short window judges as soon as it is full', () => {
  const watch = new DivergenceWatch({ window: 2, warnLevel: 1, stopLevel: 10 });
  assert.deepEqual(feed(watch, [[5, 5]]).map((v) => v.kind), ['ok']);
  // The median of an even window is its upper middle value.
  assert.deepEqual(feed(watch, [[5, 5], [50, 50]], 2).map((v) => v.kind), ['warn', 'stop']);
});
