import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../rng';
import { drawnPoints, grid25, ring8, toyDistribution, twoMoons } from './distributions';

test('ring8 and grid25 are the REFERENCE.md definitions', () => {
  const ring = ring8();
  assert.equal(ring.sigma, 0.01);
  assert.equal(ring.modes!.length, 8);
  ring.modes!.forEach(([x, y], k) => {
    assert.ok(Math.abs(x - Math.cos((2 * Math.PI * k) / 8)) < 1e-12 && Math.abs(y - Math.sin((2 * Math.PI * k) / 8)) < 1e-12);
  });
  const grid = grid25();
  assert.equal(grid.sigma, 0.05);
  assert.equal(grid.modes!.length, 25);
  assert.deepEqual(
    [...new Set(grid.modes!.map((m) => m[0]))].sort((a, b) => a - b),
    [-4, -2, 0, 2, 4],
  );
});

test('samplers are seeded and have the stated spread', () => {
  const ring = ring8();
  assert.deepEqual(ring.sample(50, new Rng(3)), ring.sample(50, new Rng(3)));
  const samples = ring.sample(20_000, new Rng(4));
  let squared = 0;
  for (let i = 0; i < 20_000; i++) {
    const [x, y] = [samples[2 * i], samples[2 * i + 1]];
    const nearest = ring.modes!.reduce((best, m) => Math.min(best, (x - m[0]) ** 2 + (y - m[1]) ** 2), Infinity);
    squared += nearest;
  }
  // mean squared distance to the mode in 2-D is 2σ²
  assert.ok(Math.abs(Math.sqrt(squared / 20_000 / 2) - 0.01) < 0.0005);
});

test('every named distribution samples the right shape inside its bounds', () => {
  for (const name of ['ring8', 'grid25', 'gaussian', 'moons', 'spiral', 'gaussian1d', 'bimodal1d'] as const) {
    const distribution = toyDistribution(name);
    const samples = distribution.sample(1000, new Rng(1));
    assert.equal(samples.length, 1000 * distribution.dim);
    let inside = 0;
    for (let i = 0; i < 1000; i++) {
      let ok = true;
      for (let d = 0; d < distribution.dim; d++) {
        const v = samples[i * distribution.dim + d];
        ok &&= v >= distribution.bounds.min[d] && v <= distribution.bounds.max[d];
      }
      if (ok) inside++;
    }
    assert.ok(inside >= 990, `${name}: ${inside}`);
  }
  assert.equal(twoMoons().modes, undefined);
});

test('a drawn distribution samples around the drawn points', () => {
  const drawn = drawnPoints([[0.5, 0.5], [-1, 0]], 0.02);
  const samples = drawn.sample(1000, new Rng(2));
  for (let i = 0; i < 1000; i++) {
    const near = Math.min(Math.hypot(samples[2 * i] - 0.5, samples[2 * i + 1] - 0.5), Math.hypot(samples[2 * i] + 1, samples[2 * i + 1]));
    assert.ok(near < 0.15);
  }
  assert.throws(() => drawnPoints([]));
});
