import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ganLosses, jsdFromValue, meanLogD, meanLogOneMinusD, valueEstimate } from './losses';
import { samplePrior } from './prior';

before(async () => {
  await tf.setBackend('cpu');
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

test('discriminator cross-entropy is -V on hand-computed logits', () => {
  const real = tf.tensor1d([0, 2]);
  const fake = tf.tensor1d([-1, 1]);
  const expectedV =
    (Math.log(sigmoid(0)) + Math.log(sigmoid(2))) / 2 + (Math.log(1 - sigmoid(-1)) + Math.log(1 - sigmoid(1))) / 2;
  close(value(valueEstimate(real, fake)), expectedV);
  close(value(ganLosses.ns.discriminator(real, fake)), -expectedV);
  close(value(ganLosses.mm.discriminator(real, fake)), -expectedV);
  // At D = 1/2 everywhere, V = -2 log 2 (THEORY.md §3): the JSD estimate is 0.
  close(value(valueEstimate(tf.zeros([4]), tf.zeros([4]))), -2 * Math.LN2);
  tf.dispose([real, fake]);
});

test('generator losses: mm = mean log(1 - D), ns = -mean log D, hinge and ls', () => {
  const fake = tf.tensor1d([-3, 0.5]);
  const d = [sigmoid(-3), sigmoid(0.5)];
  close(value(ganLosses.mm.generator(fake)), (Math.log(1 - d[0]) + Math.log(1 - d[1])) / 2);
  close(value(ganLosses.ns.generator(fake)), -(Math.log(d[0]) + Math.log(d[1])) / 2);
  close(value(ganLosses.hinge.generator(fake)), -(-3 + 0.5) / 2);
  close(value(ganLosses.ls.generator(fake)), 0.5 * ((-3 - 1) ** 2 + (0.5 - 1) ** 2) / 2);
  const real = tf.tensor1d([2, -0.5]);
  close(value(ganLosses.hinge.discriminator(real, fake)), (Math.max(0, 1 - 2) + Math.max(0, 1 + 0.5)) / 2 + (Math.max(0, 1 - 3) + Math.max(0, 1 + 0.5)) / 2);
  close(value(ganLosses.ls.discriminator(real, fake)), 0.5 * (((2 - 1) ** 2 + (-0.5 - 1) ** 2) / 2 + (9 + 0.25) / 2));
  tf.dispose([fake, real]);
});

test('the stable forms stay finite where the sigmoid rounds to 0 or 1', () => {
  const logits = tf.tensor1d([-200, 200]);
  close(value(meanLogD(logits)), -100, 1e-3);
  close(value(meanLogOneMinusD(logits)), -100, 1e-3);
  logits.dispose();
});

test('jsdFromValue clamps to [0, log 2]', () => {
  close(jsdFromValue(-2 * Math.LN2), 0);
  close(jsdFromValue(-0.712633), 0.336831, 1e-6);
  assert.equal(jsdFromValue(-5), 0);
  assert.equal(jsdFromValue(1), Math.LN2);
});

test('prior statistics: normal has mean 0 and variance 1, uniform covers [-1, 1] with variance 1/3', () => {
  const normal = samplePrior('normal', 4000, 16, 7);
  const uniform = samplePrior('uniform', 4000, 16, 7);
  const n = tf.moments(normal);
  const u = tf.moments(uniform);
  close(n.mean.dataSync()[0], 0, 0.02);
  close(n.variance.dataSync()[0], 1, 0.03);
  close(u.mean.dataSync()[0], 0, 0.01);
  close(u.variance.dataSync()[0], 1 / 3, 0.01);
  assert.ok(uniform.min().dataSync()[0] >= -1 && uniform.max().dataSync()[0] <= 1);
  assert.deepEqual(normal.shape, [4000, 16]);
  // The same seed draws the same z: the sample grids rely on it.
  const again = samplePrior('normal', 4000, 16, 7);
  assert.deepEqual(again.dataSync(), normal.dataSync());
  tf.dispose([normal, uniform, n.mean, n.variance, u.mean, u.variance, again]);
});
