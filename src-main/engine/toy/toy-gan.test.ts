import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { chooseBackend } from '../../trainer/backend';
import { bimodal1d, gaussian1d, ring8 } from './distributions';
import { trainToy } from './experiment';
import { discriminatorGap } from './metrics';
import { ToyGan } from './toy-gan';

const tiny = {
  generatorWidth: 32,
  discriminatorWidth: 32,
  generatorDepth: 2,
  discriminatorDepth: 2,
  batch: 64,
  lrD: 2e-3,
  lrG: 2e-3,
};

before(async () => {
  // the pure-JS cpu backend is ~10x slower than wasm for these MLPs
  await chooseBackend('wasm');
});

test('a short run on ring8 (σ widened to 0.1) captures more modes than the untrained generator', () => {
  const distribution = ring8(0.1);
  const untrained = trainToy({ distribution, steps: 0, config: { ...tiny, seed: 3 } });
  const trained = trainToy({ distribution, steps: 600, config: { ...tiny, seed: 3 } });
  assert.ok(trained.modesCaptured > untrained.modesCaptured, `${untrained.modesCaptured} → ${trained.modesCaptured}`);
  assert.ok(trained.modesCaptured >= 6, `${trained.modesCaptured}`);
  assert.ok(trained.highQuality > untrained.highQuality + 0.2, `${untrained.highQuality} → ${trained.highQuality}`);
});

test('steps allocate no tensors that outlive them', () => {
  const start = tf.memory().numTensors;
  const gan = new ToyGan(ring8(), { ...tiny, replay: 0.5, loss: 'hinge', instanceNoise: 0.1, ema: 0.9, pack: 2, seed: 1 });
  gan.iteration();
  gan.discriminatorGrid(8);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    gan.dStep();
    gan.gStep();
    gan.iteration();
    gan.discriminatorGrid(8);
    gan.generatorArrows(10);
    gan.manifold(5);
    gan.evaluate(100);
  }
  assert.equal(tf.memory().numTensors, before);
  gan.dispose();
  assert.equal(tf.memory().numTensors, start);
  // what is left belongs to the backend, not to the GAN: its variables and optimiser slots are gone
  const variables = tf.engine().state.registeredVariables;
  assert.ok(!Object.keys(variables).some((name) => name.startsWith('toyG') || name.startsWith('toyD')));
});

test('two GANs alive at once train independently: same seed, same samples', () => {
  const first = new ToyGan(ring8(), { ...tiny, seed: 5 });
  const second = new ToyGan(ring8(), { ...tiny, seed: 5 });
  for (let i = 0; i < 5; i++) {
    first.iteration();
    second.iteration();
  }
  assert.deepEqual(Array.from(second.sample(20)), Array.from(first.sample(20)));
  first.dispose();
  second.dispose();
});

test('step API: counters, losses, V and its JSD bound', () => {
  const gan = new ToyGan(ring8(), { ...tiny, k: 3, seed: 2 });
  const result = gan.iteration();
  assert.equal(gan.dSteps, 3);
  assert.equal(gan.gSteps, 1);
  assert.equal(gan.iterations, 1);
  assert.ok(Number.isFinite(result.dLoss) && Number.isFinite(result.gLoss));
  // cross-entropy D loss is exactly −V
  assert.ok(Math.abs(result.value + result.dLoss) < 1e-6);
  assert.ok(result.jsdEstimate >= 0 && result.jsdEstimate <= Math.LN2);
  gan.dispose();
});

test('read-outs have the shapes the view draws', () => {
  const gan = new ToyGan(ring8(), { ...tiny, noiseDim: 3, seed: 4 });
  const grid = gan.discriminatorGrid(16);
  assert.equal(grid.values.length, 256);
  assert.ok(grid.values.every((v) => v > 0 && v < 1));
  const arrows = gan.generatorArrows(20);
  assert.equal(arrows.points.length, 40);
  assert.equal(arrows.directions.length, 40);
  const manifold = gan.manifold(7);
  assert.equal(manifold.points.length, 7 * 7 * 2);
  const evaluation = gan.evaluate(500);
  assert.equal(evaluation.generated.length, 1000);
  assert.equal(evaluation.modes!.totalModes, 8);
  assert.ok(evaluation.dFlatness >= 0);
  // looking at the model must not change how it trains
  const a = new ToyGan(ring8(), { ...tiny, seed: 5 });
  const b = new ToyGan(ring8(), { ...tiny, seed: 5 });
  a.evaluate(100);
  a.generatorArrows(10);
  assert.deepEqual(a.iteration(), b.iteration());
  const probe = Float32Array.from([0.1, 0.2, -0.5, 0.7]);
  assert.deepEqual(a.discriminate(probe), b.discriminate(probe));
  for (const g of [gan, a, b]) g.dispose();
});

test('the arrows point where the generator loss decreases', () => {
  const gan = new ToyGan(ring8(), { ...tiny, seed: 6 });
  for (let i = 0; i < 20; i++) gan.iteration();
  const { points, directions } = gan.generatorArrows(50);
  const moved = points.map((p, i) => p + 1e-3 * directions[i]);
  // NS generator loss per sample is −log D(x): a small step along the arrow raises D
  const before = gan.discriminate(points);
  const after = gan.discriminate(moved);
  let raised = 0;
  before.forEach((d, i) => (raised += after[i] >= d ? 1 : 0));
  assert.ok(raised >= 48, `${raised}/50`);
  gan.dispose();
});

test('1-D mode: P_data, P_G, D and D* on one grid', () => {
  const gan = new ToyGan(bimodal1d(), { ...tiny, seed: 7 });
  for (let i = 0; i < 30; i++) gan.iteration();
  const curves = gan.curves1d(50, 1000);
  assert.equal(curves.xs.length, 50);
  for (let i = 0; i < 50; i++) {
    const { pData, pGenerated, dStar } = curves;
    const expected = pData[i] + pGenerated[i] > 0 ? pData[i] / (pData[i] + pGenerated[i]) : 0.5;
    assert.ok(Math.abs(dStar[i] - expected) < 1e-12);
    assert.ok(curves.d[i] > 0 && curves.d[i] < 1);
  }
  assert.equal(curves.gapToOptimal, discriminatorGap(curves.d, curves.dStar, curves.pData, curves.pGenerated));
  assert.ok(curves.gapToOptimal > 0 && curves.gapToOptimal < 1, `${curves.gapToOptimal}`);
  const step = curves.xs[1] - curves.xs[0];
  const mass = curves.pData.reduce((a, b) => a + b, 0) * step;
  assert.ok(Math.abs(mass - 1) < 0.02, `${mass}`);
  assert.throws(() => new ToyGan(ring8(), tiny).curves1d());
  gan.dispose();
});

test('bad configurations are refused', () => {
  assert.throws(() => new ToyGan(ring8(), { k: 0 }), /k \(D steps\) must be at least 1/);
  assert.throws(() => new ToyGan(ring8(), { replay: 1.5 }), /Replay fraction must be in \[0, 1\]/);
});

test('1-D mode: with G held still, D steps close the gap to D* (the optimal-D argument of THEORY.md)', () => {
  const gan = new ToyGan(bimodal1d(), { ...tiny, seed: 3, lrD: 0.01 });
  const start = gan.curves1d(100, 4000).gapToOptimal;
  for (let i = 0; i < 300; i++) gan.dStep();
  const trained = gan.curves1d(100, 4000).gapToOptimal;
  assert.ok(trained < start / 2 && trained < 0.1, `gap ${start.toFixed(3)} → ${trained.toFixed(3)}`);
  gan.dispose();
});

test('1-D evaluation: the KS distance and the histogram JSD, no mode metrics', () => {
  const gan = new ToyGan(gaussian1d(), { ...tiny, seed: 8 });
  const evaluation = gan.evaluate(500);
  assert.equal(evaluation.modes, undefined);
  assert.ok(evaluation.ks! > 0 && evaluation.ks! <= 1, `${evaluation.ks}`);
  assert.ok(evaluation.histogramJsd > 0 && evaluation.histogramJsd <= Math.LN2);
  assert.equal(new ToyGan(ring8(), tiny).evaluate(100).ks, undefined);
  gan.dispose();
});

test('live settings apply at the next step; settings that need new networks are refused', () => {
  const switched = new ToyGan(ring8(), { ...tiny, seed: 9 });
  const kept = new ToyGan(ring8(), { ...tiny, seed: 9 });
  switched.iteration();
  kept.iteration();
  assert.deepEqual(Array.from(switched.sample(20)), Array.from(kept.sample(20)));
  switched.applySettings({ loss: 'mm', k: 2, prior: 'uniform' });
  assert.equal(switched.config.loss, 'mm');
  switched.iteration();
  kept.iteration();
  assert.equal(switched.dSteps, 3);
  assert.equal(switched.iterations, 2);
  assert.notDeepEqual(Array.from(switched.sample(20)), Array.from(kept.sample(20)));
  // learning rates: near zero, a step leaves G where it was (Adam's moments are kept, not reset)
  switched.applySettings({ lrD: 1e-9, lrG: 1e-9 });
  // (G on a fixed z grid: sample() draws fresh z each time)
  const probe = Float32Array.from([0.1, 0.2, -0.5, 0.7]);
  const before = [switched.manifold(5).points, switched.discriminate(probe)];
  switched.iteration();
  const after = [switched.manifold(5).points, switched.discriminate(probe)];
  before.forEach((values, n) => assert.ok(values.every((v, i) => Math.abs(v - after[n][i]) < 1e-5), `${values} → ${after[n]}`));
  // a shape option, or a bad value, changes nothing
  assert.throws(() => switched.applySettings({ generatorWidth: 16 }), /generatorWidth changes the networks: it needs new networks/);
  assert.throws(() => switched.applySettings({ lrG: 0, loss: 'ns' }), /lr G/);
  assert.equal(switched.config.loss, 'mm');
  assert.equal(switched.config.generatorWidth, 32);
  // unchanged shape options may come along with live ones
  switched.applySettings({ ...switched.config, instanceNoise: 0 });
  assert.equal(switched.currentInstanceNoise, 0);
  for (const g of [switched, kept]) g.dispose();
});
