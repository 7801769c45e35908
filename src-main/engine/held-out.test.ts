import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawTrainingIndices, heldOutCount, HELD_OUT_SEED, splitHeldOut } from './held-out';
import { Rng } from './rng';

test('the held-out split is deterministic, disjoint from the training images and covers the set', () => {
  const a = splitHeldOut(1000, 0.1);
  const b = splitHeldOut(1000, 0.1, HELD_OUT_SEED);
  assert.deepEqual(a, b, 'the same count, share and seed give the same split');
  assert.equal(a.heldOut.length, 100);
  assert.equal(a.train.length, 900);
  const held = new Set(a.heldOut);
  assert.ok(a.train.every((i) => !held.has(i)), 'a training image is also held out');
  assert.deepEqual([...a.train, ...a.heldOut].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  // A random set, not a block: both halves of the set are held out.
  assert.ok(a.heldOut.some((i) => i < 500) && a.heldOut.some((i) => i >= 500));
  assert.notDeepEqual(splitHeldOut(1000, 0.1, 7).heldOut, a.heldOut, 'another seed draws another split');
});

test('the held-out count is ⌊share · count⌋, keeps one image to train on, and share 0 trains on every image in order', () => {
  assert.equal(heldOutCount(7, 0.1), 0);
  assert.equal(heldOutCount(16, 0.1), 1);
  assert.equal(heldOutCount(10, 0.3), 3);
  assert.equal(heldOutCount(1, 0.5), 0);
  assert.equal(heldOutCount(2, 0.5), 1);
  assert.throws(() => heldOutCount(10, 0.6), /share must be in \[0, 0\.5\]/);
  const none = splitHeldOut(5, 0);
  assert.deepEqual([...none.train], [0, 1, 2, 3, 4]);
  assert.equal(none.heldOut.length, 0);
});

test('training batches draw only training images; with nothing held out they draw as before the split existed', () => {
  const { train, heldOut } = splitHeldOut(40, 0.5);
  const rng = new Rng(3);
  const drawn = new Set<number>();
  for (let i = 0; i < 200; i++) for (const index of drawTrainingIndices(train, 8, rng)) drawn.add(index);
  assert.ok(heldOut.every((i) => !drawn.has(i)), 'a batch held a held-out image');
  assert.equal(drawn.size, train.length, 'every training image is drawn');
  const before = new Rng(11);
  const old = Array.from({ length: 16 }, () => before.int(40));
  assert.deepEqual([...drawTrainingIndices(splitHeldOut(40, 0).train, 16, new Rng(11))], old);
});
