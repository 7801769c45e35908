import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COSTLESS_OPTIONS, describeRunEstimate, formatApproxDuration, formatCount, imagesPerStep, runEstimate, speedKey } from './estimate';
import { PRESET_NAMES, RUN_OPTIONS, defaultRunConfig, presetLength, type AnyOption, type RunOptionKey, type RunOptions } from './schema';

const compute = { backend: 'wasm', threads: 2, tfjsVersion: '4.22.0' };
const base = (): RunOptions => {
  const { schemaVersion: _v, data: _d, compute: _c, ...options } = defaultRunConfig();
  return options;
};

/** Another valid value of an option: the key must tell the two apart if the option costs time. */
function otherValue(option: AnyOption, value: unknown): unknown {
  switch (option.kind) {
    case 'integer':
    case 'number': {
      const v = value as number;
      // EMA: on ↔ off (its decay alone costs nothing); others: a step inside the bounds.
      if (v === 0 || option.label.startsWith('EMA')) return v > 0 ? 0 : Math.min(option.max, 0.5);
      const up = option.kind === 'integer' ? v + 1 : v / 2;
      return up <= option.max ? up : v - 1;
    }
    case 'choice':
      return option.values.find((x) => x !== value);
    case 'list':
      return (value as string[]).length > 0 ? [] : [option.values[0]];
    case 'boolean':
      return !value;
    case 'text':
      return `${value as string}x`;
  }
}

test('the speed cache key changes with every option that costs time, and with the compute', () => {
  const options = base();
  const key = speedKey(options, compute);
  const costly = (Object.keys(RUN_OPTIONS) as RunOptionKey[]).filter((k) => !COSTLESS_OPTIONS.includes(k));
  // The run's networks, batch, k, EMA, augmentation and replay (issue 14's decision) are all in it.
  for (const named of ['arch', 'size', 'width', 'latent', 'batch', 'k', 'ema', 'augment', 'replay'] as RunOptionKey[]) assert.ok(costly.includes(named), named);
  for (const name of Object.keys(RUN_OPTIONS) as RunOptionKey[]) {
    const option = RUN_OPTIONS[name] as AnyOption;
    const changed = { ...options, [name]: otherValue(option, options[name]) } as RunOptions;
    assert.notDeepEqual(changed[name], options[name], name);
    if (COSTLESS_OPTIONS.includes(name)) assert.equal(speedKey(changed, compute), key, `${name} does not change the cost`);
    else assert.notEqual(speedKey(changed, compute), key, `${name} changes the cost`);
  }
  assert.notEqual(speedKey(options, { ...compute, backend: 'cpu' }), key);
  assert.notEqual(speedKey(options, { ...compute, threads: 1 }), key);
  assert.notEqual(speedKey(options, { ...compute, tfjsVersion: '4.23.0' }), key);
});

test('settings that cost the same share a key: the EMA decay, the order of augmentations', () => {
  const options = base();
  assert.equal(speedKey({ ...options, ema: 0.99 }, compute), speedKey({ ...options, ema: 0.999 }, compute));
  assert.equal(
    speedKey({ ...options, augment: ['flip', 'color'] }, compute),
    speedKey({ ...options, augment: ['color', 'flip'] }, compute),
  );
});

test('a run estimate: time from seconds per step, images seen from k and batch', () => {
  assert.equal(imagesPerStep({ k: 2, batch: 16 }), 32);
  assert.deepEqual(runEstimate(1000, { k: 1, batch: 32 }, { secondsPerStep: 0.72 }), { seconds: 720, imagesSeen: 32_000 });
  assert.equal(describeRunEstimate(1250, { k: 1, batch: 32 }, { secondsPerStep: 0.576 }), '≈ 12 min · 40k images seen');
  assert.equal(formatApproxDuration(12), '≈ 10 s');
  assert.equal(formatApproxDuration(3 * 3600 + 5 * 60 + 20), '≈ 3 h 05 min');
  assert.equal(formatApproxDuration(3600 + 20), '≈ 1 h');
  assert.equal(formatApproxDuration(Number.NaN), '—');
  assert.deepEqual([850, 2400, 40_000, 1_234_567].map(formatCount), ['850', '2.4k', '40k', '1.2M']);
});

test('no field a preset sizes from the measured speed changes the speed key', () => {
  // Otherwise the form, resized from a measurement, asks for another and falls back: it flipped for good
  // between the measured length and the unmeasured one (the score schedule was in the key).
  for (const name of PRESET_NAMES) {
    for (const key of Object.keys(presetLength(name, 40, 1)) as RunOptionKey[]) assert.ok(COSTLESS_OPTIONS.includes(key), `${name}: ${key}`);
  }
});
