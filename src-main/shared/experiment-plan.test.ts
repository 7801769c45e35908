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

test('the lecture preset: the baseline and one variant per question, each one option away from it', () => {
  const grid = experimentGrid(base, { preset: 'lecture' });
  assert.deepEqual(grid.variants.map((v) => v.id), ['baseline', 'prior=uniform', `loss=${LOSS.mm}`, 'k=5', 'replay=0.5']);
  assert.equal(grid.baseline, 'baseline');
  assert.deepEqual(grid.variants[0].overrides, {});
  for (const variant of grid.variants.slice(1)) {
    const config = { ...base, ...variant.overrides };
    const differs = (Object.keys(base) as Array<keyof typeof base>).filter((key) => JSON.stringify(config[key]) !== JSON.stringify(base[key]));
    assert.equal(differs.length, 1, `${variant.id} differs from the baseline in ${differs.join(', ')}`);
  }
  // a base that already has a question's changed value: that variant takes the other value
  const changed = { ...base, prior: PRIOR.uniform, k: 5 };
  assert.deepEqual(experimentGrid(changed, { preset: 'lecture' }).variants.map((v) => v.id), ['baseline', 'prior=normal', `loss=${LOSS.mm}`, 'k=1', 'replay=0.5']);
  // a loss outside the question (hinge): the variant is MMGAN, still one option away
  assert.deepEqual(experimentGrid({ ...base, loss: LOSS.hinge }, { preset: 'lecture' }).variants[2].overrides, { loss: LOSS.mm });
  // five variants, not the eight of the four presets run one by one, nor a cross product
  assert.throws(() => experimentGrid(base, { preset: 'lecture', vary: [parseVaryText('lr-d=1e-4,2e-4')] }), (error: unknown) => error instanceof ExperimentPlanError && /^--preset lecture varies four options already/.test(error.message));
});

test('the lecture preset at equal images seen: k = 5 takes a fifth of the steps, all scored at the same images seen', () => {
  const grid = experimentGrid(base, { preset: 'lecture' });
  // images per step: batch 8, and 40 for k = 5; lcm 40; 10,000 images is 250 × 40
  const lengths = experimentLengths(base, grid.variants, 10_000);
  assert.equal(lengths.images, 10_000);
  assert.equal(lengths.scoreImages, 50 * 40);
  assert.deepEqual(grid.variants.map((v) => lengths.byVariant[v.id].steps), [1250, 1250, 1250, 250, 1250]);
  assert.deepEqual(grid.variants.map((v) => lengths.byVariant[v.id].evalEvery), [250, 250, 250, 50, 250]);
  for (const variant of grid.variants) {
    const length = lengths.byVariant[variant.id];
    assert.equal(length.steps * length.imagesPerStep, lengths.images, variant.id);
    assert.equal(length.evalEvery * length.imagesPerStep, lengths.scoreImages, variant.id);
  }
});
