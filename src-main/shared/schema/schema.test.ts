import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_TOY_CONFIG,
  PRESET_NAMES,
  RESUMABLE_OPTIONS,
  RUN_OPTIONS,
  RUN_SCHEMA_VERSION,
  applyResumeChanges,
  defaultRunConfig,
  parseOptionText,
  presetOptions,
  supportedSizes,
  upgradeRunConfig,
  validateRunConfig,
  type RunConfig,
} from './index';

const data = { folders: ['/images'], settings: { size: 64, mode: 'crop' as const, background: '#ffffff' } };
const valid = (overrides: Partial<RunConfig> = {}) => defaultRunConfig({ data, ...overrides });
const errorsOf = (value: unknown) => {
  const result = validateRunConfig(value);
  return result.ok ? [] : result.errors;
};

test('the defaults (the CLI defaults) are a valid run', () => {
  const config = valid();
  assert.deepEqual(errorsOf(config), []);
  assert.equal(config.schemaVersion, RUN_SCHEMA_VERSION);
  assert.equal(config.loss, 'ns');
  assert.equal(config.steps, 5000);
  assert.equal(config.ema, 0.999);
});

test('every bad field gets its own message naming it; nothing is coerced', () => {
  const errors = errorsOf({ ...valid(), batch: 0, lrD: 0, k: 1.5, steps: '100', augment: ['flip', 'blur'] });
  const byField = Object.fromEntries(errors.map((e) => [e.field, e.message]));
  assert.match(byField.batch, /^Batch size must be at least 1, got 0$/);
  assert.match(byField.lrD, /Learning rate D must be in \(0, 1\)/);
  assert.match(byField.k, /whole number/);
  assert.match(byField.steps, /Steps must be .*got "100"/);
  assert.match(byField.augment, /unknown value "blur"/);
});

test('an unknown prior or loss is an error, never a fallback', () => {
  assert.match(errorsOf({ ...valid(), prior: 'cauchy' })[0].message, /Latent prior must be one of normal, uniform, got "cauchy"/);
  assert.match(errorsOf({ ...valid(), loss: 'wgan' })[0].message, /Generator loss must be one of mm, ns, hinge, ls/);
});

test('a size the architecture cannot make is reported beside the other mistakes', () => {
  const errors = errorsOf({ ...valid(), size: 48, arch: 'dcgan-ref', batch: -1 });
  assert.deepEqual(errors.map((e) => e.field).sort(), ['batch', 'size']);
  assert.deepEqual(supportedSizes('dcgan'), [32, 48, 64, 96, 128]);
  assert.deepEqual(supportedSizes('dcgan-ref'), [32, 64, 128]);
  assert.deepEqual(supportedSizes('lite', 16, 512), [32, 64, 128, 256]);
  assert.match(errorsOf({ ...valid(), arch: 'lite', size: 16 })[0].message, /Lite \(few-shot\) cannot make 16 px images: choose 32, 64, 128, 256 px/);
});

test('null, arrays and missing data are refused with one line each', () => {
  assert.match(errorsOf(null)[0].message, /must be an object/);
  assert.match(errorsOf([])[0].message, /must be an object/);
  const { data: _data, ...noData } = valid();
  assert.deepEqual(errorsOf(noData).map((e) => e.field), ['data']);
  assert.match(errorsOf({ ...valid(), data: { folders: [], settings: data.settings } })[0].message, /no dataset folder/);
});

test('config.json of version 1 (no schemaVersion) is upgraded; a newer one is refused', () => {
  const { schemaVersion: _v, ...v1 } = valid();
  const upgraded = upgradeRunConfig(v1);
  assert.ok(upgraded.ok);
  assert.equal(upgraded.value.schemaVersion, RUN_SCHEMA_VERSION);
  const newer = upgradeRunConfig({ ...valid(), schemaVersion: RUN_SCHEMA_VERSION + 1 });
  assert.ok(!newer.ok && /newer GAN Studio/.test(newer.errors[0].message));
  const broken = upgradeRunConfig({ ...v1, k: 0 });
  assert.ok(!broken.ok && broken.errors[0].field === 'k');
});

test('a version-2 config.json is not scored during training, as before; new runs are, five times in a default-length run', () => {
  const { evalEvery: _every, evalSamples: _samples, ...v2 } = { ...valid(), schemaVersion: 2 };
  const upgraded = upgradeRunConfig(v2);
  assert.ok(upgraded.ok);
  assert.deepEqual([upgraded.value.evalEvery, upgraded.value.evalSamples], [0, 1000]);
  const fresh = defaultRunConfig();
  assert.equal(fresh.steps / fresh.evalEvery, 5);
});

test('a version-2 config.json upgrades to the recipe options off: adaptive augmentation, spectral norm, R1', () => {
  const { ada: _a, adaImages: _ai, spectralNorm: _sn, r1: _r, r1Every: _re, ...rest } = valid();
  const upgraded = upgradeRunConfig({ ...rest, schemaVersion: 2 });
  assert.ok(upgraded.ok, JSON.stringify(!upgraded.ok && upgraded.errors));
  assert.equal(upgraded.value.ada, 0);
  assert.equal(upgraded.value.spectralNorm, false);
  assert.equal(upgraded.value.r1, 0);
  // A version-3 file must carry them.
  assert.ok(!upgradeRunConfig({ ...rest, schemaVersion: 3 }).ok);
});

test('a version-3 config.json upgrades to no held-out images, as before; new runs hold out a tenth', () => {
  const { heldOut: _h, ...v3 } = { ...valid(), schemaVersion: 3 };
  const upgraded = upgradeRunConfig(v3);
  assert.ok(upgraded.ok, JSON.stringify(!upgraded.ok && upgraded.errors));
  assert.equal(upgraded.value.heldOut, 0);
  assert.equal(upgraded.value.schemaVersion, 4);
  assert.equal(defaultRunConfig().heldOut, 0.1);
  // A version-4 file must carry it; the split the trainer records is checked when present.
  assert.ok(!upgradeRunConfig({ ...v3, schemaVersion: 4 }).ok);
  assert.ok(validateRunConfig({ ...valid(), split: { seed: 1, images: 10, heldOut: 1 } }).ok);
  assert.ok(!validateRunConfig({ ...valid(), split: { seed: -1, images: 10, heldOut: 1 } }).ok);
  assert.match(parseOptionText(RUN_OPTIONS.heldOut, '0.6').error ?? '', /Held-out share must be in \[0, 0\.5\]/);
});

test('resume takes only the options the schema marks as changeable', () => {
  assert.deepEqual([...RESUMABLE_OPTIONS].sort(), ['ada', 'adaImages', 'augment', 'checkpointEvery', 'evalEvery', 'evalSamples', 'k', 'lrD', 'lrG', 'r1', 'r1Every', 'sampleEvery', 'steps']);
  const resumed = applyResumeChanges(valid(), { steps: 9000, lrD: 1e-4, k: 1, augment: ['color'], width: 999, loss: 'mm' });
  assert.equal(resumed.steps, 9000);
  assert.equal(resumed.lrD, 1e-4);
  assert.equal(resumed.k, 1);
  assert.deepEqual(resumed.augment, ['color']);
  assert.equal(resumed.width, 32);
  assert.equal(resumed.loss, 'ns');
});

test('options parse from text by their kind and rule', () => {
  assert.equal(parseOptionText(RUN_OPTIONS.lrD, '2e-4').value, 2e-4);
  assert.match(parseOptionText(RUN_OPTIONS.lrD, '0x10').error ?? '', /not a number/);
  assert.match(parseOptionText(RUN_OPTIONS.batch, '').error ?? '', /required/);
  assert.deepEqual(parseOptionText(RUN_OPTIONS.augment, 'flip, color').value, ['flip', 'color']);
  assert.deepEqual(parseOptionText(RUN_OPTIONS.augment, 'none').value, []);
  assert.equal(parseOptionText(RUN_OPTIONS.loss, 'hinge').value, 'hinge');
  assert.match(parseOptionText(RUN_OPTIONS.prior, 'gauss').error ?? '', /one of normal, uniform/);
});

test('every preset is valid for every dataset size, and fits its batch to small sets', () => {
  for (const name of PRESET_NAMES) {
    for (const used of [1, 5, 40, 5000, 100_000]) {
      const config = valid({ ...presetOptions(name, used) });
      config.data = { ...config.data, settings: { ...config.data.settings, size: config.size } };
      assert.deepEqual(errorsOf(config), [], `${name} with ${used} images`);
      assert.ok(config.batch <= used);
    }
  }
});

test('every option has a label, a one-line help and a default within its own rule', () => {
  for (const [key, option] of Object.entries(RUN_OPTIONS)) {
    assert.ok(option.label.length > 0 && option.help.length > 0 && !option.help.includes('\n'), key);
    assert.ok(option.schema.safeParse(option.default).success, `${key}'s default passes its own rule`);
  }
  assert.equal(DEFAULT_TOY_CONFIG.batch, 512);
});

test('spectral norm with the lite architecture is refused by name (lite has no normalised layers)', () => {
  const result = validateRunConfig({ ...valid(), arch: 'lite', spectralNorm: true });
  assert.ok(!result.ok);
  assert.deepEqual(result.errors.map((e) => e.field), ['spectralNorm']);
  assert.ok(validateRunConfig({ ...valid(), arch: 'lite', spectralNorm: false }).ok);
});
