import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESET_CHOICES, PRESET_NAMES, presetLength, presetOptions, presetRecipe } from './presets';

test('measured speed sets each preset’s steps to its time: Quick ≈ 10 min, Balanced ≈ 1 h, Quality longer', () => {
  // 600 images (issue 14's folder), at speeds like this machine's: 0.5 s, 3.6 s and 12 s per step.
  assert.deepEqual(presetLength('quick', 600, 0.5), { steps: 1200, sampleEvery: 60, checkpointEvery: 300, evalEvery: 1200, evalSamples: 500 });
  assert.deepEqual(presetLength('balanced', 600, 3.6), { steps: 1000, sampleEvery: 25, checkpointEvery: 100, evalEvery: 200, evalSamples: 1000 });
  assert.equal(presetLength('quality', 600, 12).steps, 900);
  for (const name of PRESET_NAMES) {
    const secondsPerStep = 0.37;
    const { steps } = presetLength(name, 100_000, secondsPerStep);
    const minutes = (steps * secondsPerStep) / 60;
    // Two significant digits of rounding: within 5% of the preset's time.
    assert.ok(Math.abs(minutes / PRESET_CHOICES[name].minutes - 1) < 0.05, `${name}: ${minutes} min`);
  }
  assert.ok(PRESET_CHOICES.quality.minutes > PRESET_CHOICES.balanced.minutes && PRESET_CHOICES.balanced.minutes > PRESET_CHOICES.quick.minutes);
});

test('the dataset bounds a measured preset: no more than its passes over a tiny folder, no fewer than its minimum steps', () => {
  // 40 images, batch 16: 500 passes are 1,250 steps, whatever a fast machine could do in 10 minutes.
  assert.equal(presetLength('quick', 40, 0.01).steps, 1250);
  // A very slow machine still trains the preset's minimum.
  assert.equal(presetLength('balanced', 600, 1000).steps, PRESET_CHOICES.balanced.minSteps);
});

test('until the speed is measured the length follows passes over the data; the recipe never depends on the speed', () => {
  assert.equal(presetLength('balanced', 600).steps, 1000);
  assert.equal(presetLength('balanced', 600, null).steps, 1000);
  assert.equal(presetLength('quick', 600, Number.NaN).steps, 400);
  for (const name of PRESET_NAMES) {
    const recipe = presetRecipe(name, 600);
    assert.deepEqual({ ...presetOptions(name, 600, 2), ...recipe }, presetOptions(name, 600, 2));
    assert.equal('steps' in recipe, false);
  }
});

test('the recipe follows the dataset size: lite networks for few-shot sets, always-on augmentations below 2,000 images, adaptive augmentation at every size', async () => {
  const { defaultRunConfig, validateRunConfig } = await import('./run');
  const { FEW_SHOT_IMAGES, SMALL_SET_IMAGES } = await import('./presets');
  assert.deepEqual([presetRecipe('balanced', 100).arch, presetRecipe('quality', FEW_SHOT_IMAGES - 1).arch], ['lite', 'lite']);
  assert.deepEqual([presetRecipe('balanced', FEW_SHOT_IMAGES).arch, presetRecipe('quick', 100).arch], ['dcgan', 'dcgan']);
  assert.deepEqual([presetRecipe('balanced', SMALL_SET_IMAGES - 1).ada, presetRecipe('balanced', SMALL_SET_IMAGES).ada, presetRecipe('quick', 100_000).ada], [0.6, 0.6, 0.6]);
  assert.deepEqual([presetRecipe('balanced', SMALL_SET_IMAGES - 1).augment, presetRecipe('balanced', SMALL_SET_IMAGES).augment], [['flip', 'translation', 'color'], ['flip']]);
  const keys = (name: (typeof PRESET_NAMES)[number], n: number) => Object.keys(presetRecipe(name, n)).sort().join();
  for (const n of [40, 100, 600, 1999, 5000, 100_000]) {
    for (const name of PRESET_NAMES) {
      // Same keys everywhere: switching presets leaves nothing of the last one behind.
      assert.equal(keys(name, n), keys('balanced', 1000), `${name} at ${n} images`);
      const config = defaultRunConfig({ ...presetOptions(name, n, 1), data: { folders: ['/x'], settings: { size: 64, mode: 'crop', background: '#ffffff' } } });
      const checked = validateRunConfig(config);
      assert.ok(checked.ok, `${name} at ${n} images: ${JSON.stringify(!checked.ok && checked.errors)}`);
    }
  }
});
