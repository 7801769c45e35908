import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { checkGan1d, checkOptimalDiscriminator, checkSaturation, gaussianJsd } from './theory';

before(async () => {
  await tf.setBackend('cpu');
});

test('numerical JSD reproduces REFERENCE.md', () => {
  assert.ok(Math.abs(gaussianJsd(0, 1, 2, 1) - 0.336831) < 1e-5);
  assert.ok(Math.abs(gaussianJsd(0, 1, 0, 2) - 0.092733) < 1e-5);
  assert.ok(Math.abs(gaussianJsd(4, 0.5, 0, 1) - 0.681872) < 1e-5);
  assert.ok(gaussianJsd(0, 1, 0, 1) < 1e-9);
});

test('theory 1: a trained D approaches D* and V approaches V* = -0.7126 from below', () => {
  const check = checkOptimalDiscriminator();
  assert.ok(check.pass, JSON.stringify(check));
  assert.ok(check.details.maeVsDStar < 0.05);
  assert.ok(Math.abs(check.measured - -0.712633) < 0.05);
});

test('theory 2: the mm gradient is D/(1-D) times the ns gradient (≈ 1/99 at D = 0.01), same sign', () => {
  const check = checkSaturation();
  assert.ok(check.pass, JSON.stringify(check));
  assert.ok(Math.abs(check.details.nsOverMm - 99) < 1);
});

test('theory 3: a 1-D GAN brings its estimated JSD below 0.1 nats', () => {
  const check = checkGan1d();
  assert.ok(check.pass, JSON.stringify(check));
  assert.ok(check.details.initialJsdEstimate > 0.5);
});
