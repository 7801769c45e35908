import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUN_OPTIONS, parseOptionText } from '../../src-main/shared/schema';
import { ADVANCED, FORM_SECTIONS, HAND_LAID, advancedFields, defaultForm, describeConfig, fieldsOf, fitBatchToDataset, formFromConfig, matchingPreset, presetForm, validateForm, type RunForm } from './run-form';

const dataset = { id: 'abc', used: 40, folders: ['/data/shapes'], settings: { size: 64, mode: 'crop' as const, background: '#ffffff' } };
const valid = (changes: Partial<RunForm> = {}) => validateForm({ ...defaultForm(), batch: '8', ...changes }, { dataset });

test('the default form with a dataset is valid and builds a RunConfig', () => {
  const { errors, config } = valid();
  assert.deepEqual(errors, {});
  assert.ok(config);
  assert.equal(config.batch, 8);
  assert.equal(config.lrD, 2e-4);
  assert.deepEqual(config.data.folders, ['/data/shapes']);
  assert.equal(config.data.settings.size, 64);
  assert.equal(config.arch, 'dcgan');
});

test('the run trains at the chosen size even when the dataset was imported at another', () => {
  const { config } = valid({ size: '32' });
  assert.equal(config?.data.settings.size, 32);
});

test('k = 0 is refused with a reason', () => {
  const { errors, config } = valid({ k: '0' });
  assert.match(errors.k ?? '', /at least 1/);
  assert.equal(config, null);
});

test('a batch larger than the dataset is refused', () => {
  const { errors } = valid({ batch: '64' });
  assert.match(errors.batch ?? '', /larger than the dataset \(40 images\)/);
});

test('non-numbers, empty fields and fractions get their own messages', () => {
  const { errors } = valid({ width: 'abc', latent: '', steps: '10.5', lrD: '0', ema: '1', replay: '1.5', seed: '-1' });
  assert.match(errors.width ?? '', /not a number/);
  assert.equal(errors.latent, 'Latent size is required');
  assert.match(errors.steps ?? '', /whole number/);
  assert.match(errors.lrD ?? '', /\(0, 1\)/);
  assert.match(errors.ema ?? '', /\[0, 1\)/);
  assert.match(errors.replay ?? '', /\[0, 1\]/);
  assert.match(errors.seed ?? '', /at least 0/);
});

test('unsupported sizes are refused', () => {
  assert.match(valid({ size: '40' }).errors.size ?? '', /32, 48, 64, 96, 128/);
  assert.match(valid({ size: '48', arch: 'dcgan-ref' }).errors.size ?? '', /cannot make 48 px/);
});

test('without a dataset the form cannot start', () => {
  const result = validateForm(defaultForm(), { dataset: null });
  assert.ok(result.errors.dataset);
  assert.equal(result.config, null);
});

test('number parsing accepts exponents and refuses hex and junk', () => {
  const parseNumber = (text: string) => parseOptionText(RUN_OPTIONS.lrD, text);
  assert.equal(parseNumber('2e-4').value, 2e-4);
  assert.equal(parseNumber(' .5 ').value, 0.5);
  assert.ok(parseNumber('0x10').error);
  assert.ok(parseNumber('1,5').error);
  assert.ok(parseNumber('Infinity').error);
});

test('presets adapt the batch to small datasets and stay valid', () => {
  for (const name of ['quick', 'balanced', 'quality'] as const) {
    for (const used of [5, 40, 300, 5000, 100_000]) {
      const form = presetForm(name, used);
      const result = validateForm(form, { dataset: { ...dataset, used } });
      assert.deepEqual(result.errors, {}, `${name} with ${used} images: ${JSON.stringify(result.errors)}`);
      assert.ok(Number(form.batch) <= used);
    }
  }
  assert.equal(presetForm('quick', 5).batch, '4');
  assert.ok(presetForm('quick', 40).augment.includes('flip'));
  assert.ok(Number(presetForm('quality', 50_000).steps) > Number(presetForm('quick', 50_000).steps));
});

test('a config round-trips through the form', () => {
  const { config } = valid({ prior: 'uniform', loss: 'mm', k: '2' });
  assert.ok(config);
  const again = validateForm(formFromConfig(config), { dataset });
  assert.deepEqual(again.config, config);
  assert.match(describeConfig(config), /MMGAN · uniform prior · k 2/);
});

test('a run\'s settings plus a remedy\'s changes make the New run form (a change of the networks is a new run)', () => {
  const { config } = valid({ width: '16', replay: '0' });
  assert.ok(config);
  const form = formFromConfig(config, { replay: 0.25 });
  assert.equal(form.replay, '0.25');
  assert.equal(form.width, '16');
  assert.deepEqual(validateForm(form, { dataset }).config, { ...config, replay: 0.25 });
});

test('the form opens on a preset and highlights it until a field changes', () => {
  const form = presetForm('balanced', null);
  assert.equal(matchingPreset(form, null), 'balanced');
  assert.equal(matchingPreset({ ...form, width: '48' }, null), null);
  assert.equal(matchingPreset({ ...form, prior: 'uniform' }, null), 'balanced', 'a preset leaves prior, loss and seed to the user');
  assert.equal(matchingPreset(presetForm('quick', 40), 40), 'quick');
});

test('every loss of the engine can be chosen and is labelled by the schema', () => {
  for (const loss of RUN_OPTIONS.loss.values) {
    const { config } = valid({ loss });
    assert.equal(config?.loss, loss);
  }
  assert.match(describeConfig(valid({ loss: 'hinge' }).config!), /Hinge/);
});

test('the batch shrinks to fit a small dataset and is otherwise left alone', () => {
  assert.equal(fitBatchToDataset('32', 10), '8');
  assert.equal(fitBatchToDataset('32', 40), '32');
  assert.equal(fitBatchToDataset('abc', 10), 'abc');
  assert.equal(fitBatchToDataset('32', 0), '32');
});

test('runs on the demo set say so', () => {
  const { config } = validateForm({ ...defaultForm(), batch: '8' }, { dataset, demo: true });
  assert.equal(config?.data.demo, true);
  assert.equal(valid().config?.data.demo, undefined);
});

test('the New run form shows every run option once: hand-laid, in a section, or under Advanced', () => {
  const shown = [...HAND_LAID, ...FORM_SECTIONS.flatMap(({ group }) => fieldsOf(group).map(({ key }) => key)), ...advancedFields().map(({ key }) => key)];
  assert.deepEqual([...shown].sort(), Object.keys(RUN_OPTIONS).sort());
  // ADA's speed and R1's interval are stabilisers folded into Advanced.
  assert.deepEqual(advancedFields().map(({ key }) => key).sort(), [...ADVANCED].sort());
});
