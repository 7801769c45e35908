import assert from 'node:assert/strict';
import { test } from 'node:test';
import { experimentGrid, experimentLengths, experimentRunConfig, experimentSeeds, ExperimentPlanError, parseVaryText } from './experiment-plan';
import { defaultRunConfig, LOSS, PRIOR } from './schema';

const base = defaultRunConfig({ size: 32, batch: 8, data: { folders: [], settings: { size: 32, mode: 'crop', background: '#ffffff' }, demo: true } });

test('each preset is one option over two values, and the base config is its baseline variant', () => {
  const prior = experimentGrid(base, { preset: 'prior' });
  assert.deepEqual(prior.variants.map((v) => v.id), ['prior=normal', 'prior=uniform']);
  assert.deepEqual(prior.variants[1].overrides, { prior: PRIOR.uniform });
  assert.equal(prior.baseline, 'prior=normal');
  assert.equal(experimentGrid(base, { preset: 'loss' }).baseline, `loss=${LOSS.ns}`);
  assert.equal(experimentGrid(base, { preset: 'k' }).baseline, 'k=1');
  assert.equal(experimentGrid(base, { preset: 'replay' }).baseline, 'replay=0');
  // the four baselines are the same run config: the base one
  for (const preset of ['prior', 'loss', 'k', 'replay'] as const) {
    const grid = experimentGrid(base, { preset });
    const baseline = grid.variants.find((v) => v.id === grid.baseline)!;
    assert.deepEqual({ ...base, ...baseline.overrides }, base, preset);
  }
});

test('--vary takes CLI flag names, parses values by the schema, and two of them make the cross product', () => {
  const grid = experimentGrid(base, { vary: [parseVaryText('lr-d=1e-4,2e-4'), parseVaryText('k=1,2,5')] });
  assert.deepEqual(grid.variants.map((v) => v.id), ['lr-d=0.0001 k=1', 'lr-d=0.0001 k=2', 'lr-d=0.0001 k=5', 'lr-d=0.0002 k=1', 'lr-d=0.0002 k=2', 'lr-d=0.0002 k=5']);
  assert.deepEqual(grid.variants[2].overrides, { lrD: 1e-4, k: 5 });
  assert.equal(grid.baseline, 'lr-d=0.0002 k=1');
  // a preset and a --vary cross too
  assert.equal(experimentGrid(base, { preset: 'k', vary: [parseVaryText('prior=normal,uniform')] }).variants.length, 4);
});

test('bad --vary requests are one line naming the flag', () => {
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof ExperimentPlanError, String(error));
      assert.ok(!error.message.includes('\n'));
      return error.message;
    }
    assert.fail('no error');
  };
  assert.match(message(() => experimentGrid(base, { vary: [parseVaryText('k=1,0')] })), /^--vary k: /);
  assert.match(message(() => experimentGrid(base, { vary: [parseVaryText('nope=1,2')] })), /^--vary nope: not a run option/);
  assert.match(message(() => experimentGrid(base, { vary: [parseVaryText('loss=ns,xx')] })), /^--vary loss: /);
  assert.match(message(() => experimentGrid(base, { vary: [parseVaryText('steps=1,2')] })), /^--vary steps: /);
  assert.match(message(() => parseVaryText('k')), /^--vary k: write OPTION=A,B/);
  assert.match(message(() => experimentGrid(base, { vary: [parseVaryText('k=2')] })), /at least two values/);
  assert.match(message(() => experimentGrid(base, { vary: [parseVaryText('size=32,40')] })), /^--vary size=40: .*cannot make 40 px/);
  assert.match(message(() => experimentGrid(base, {})), /--preset or --vary/);
});

test('every variant sees the same images and is scored at the same images seen', () => {
  const grid = experimentGrid(base, { vary: [parseVaryText('k=1,5'), parseVaryText('batch=8,12')] });
  const lengths = experimentLengths(base, grid.variants, 10_000);
  // images per step 8, 12, 40, 60: lcm 120; 10,000 rounds to 83 × 120
  assert.equal(lengths.images, 9960);
  for (const variant of grid.variants) {
    const length = lengths.byVariant[variant.id];
    assert.equal(length.steps * length.imagesPerStep, lengths.images, variant.id);
    assert.equal(length.evalEvery * length.imagesPerStep, lengths.scoreImages, variant.id);
    assert.ok(length.evalEvery >= 1 && length.evalEvery <= length.steps);
  }
  assert.equal(lengths.byVariant['k=1 batch=8'].steps, 1245);
  assert.equal(lengths.byVariant['k=5 batch=12'].steps, 166);
  assert.equal(lengths.scoreImages, 17 * 120);
  // too few images for one step of the slowest variant: one step of it
  assert.equal(experimentLengths(base, grid.variants, 5).images, 120);
  const config = experimentRunConfig(base, grid.variants[3], 7, lengths.byVariant[grid.variants[3].id]);
  assert.deepEqual([config.k, config.batch, config.seed, config.steps, config.evalEvery], [5, 12, 7, 166, 34]);
  assert.deepEqual(experimentSeeds({ seed: 3 }, 3), [3, 4, 5]);
});
