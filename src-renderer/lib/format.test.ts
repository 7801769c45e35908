import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseName, datasetLabel, errorMessage, formatDuration, formatEta, formatLearningRate, formatMetric, formatRate, plural } from './format';

test('durations read as seconds, minutes or hours', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(42.4), '42 s');
  assert.equal(formatDuration(185), '3 min 05 s');
  assert.equal(formatDuration(3720), '1 h 02 min');
  assert.equal(formatDuration(-1), '—');
  assert.equal(formatDuration(Number.NaN), '—');
});

test('ETA is unknown without a rate and done at the end', () => {
  assert.equal(formatEta(100, 0), '—');
  assert.equal(formatEta(100, Number.POSITIVE_INFINITY), '—');
  assert.equal(formatEta(0, 5), 'done');
  assert.equal(formatEta(100, 2), '50 s');
  assert.equal(formatEta(600, 1), '10 min 00 s');
});

test('rates and metrics keep sensible precision', () => {
  assert.equal(formatRate(0.4213), '0.42');
  assert.equal(formatRate(4.213), '4.2');
  assert.equal(formatRate(421.3), '421');
  assert.equal(formatRate(0), '—');
  assert.equal(formatMetric(0.693147), '0.6931');
  assert.equal(formatMetric(undefined), '—');
  assert.equal(formatMetric(0.00001234), '1.2e-5');
});

test('learning rates use exponent notation when small', () => {
  assert.equal(formatLearningRate(0.0002), '2e-4');
  assert.equal(formatLearningRate(0.5), '0.5');
});

test('base names work for both separators', () => {
  assert.equal(baseName('/home/me/avatars/'), 'avatars');
  assert.equal(baseName('C:\\Users\\me\\faces'), 'faces');
  assert.equal(plural(1, 'image'), '1 image');
  assert.equal(plural(3, 'image'), '3 images');
});

test('IPC error prefixes are stripped', () => {
  assert.equal(errorMessage(new Error("Error invoking remote method 'gan-studio:invoke': Error: no checkpoint")), 'no checkpoint');
  assert.equal(errorMessage('plain'), 'plain');
});

test('datasets are named by folder, the demo set by name', () => {
  assert.equal(datasetLabel(['/home/me/.gan/demo'], '/home/me/.gan'), 'Demo avatars');
  assert.equal(datasetLabel(['/home/me/.gan/demo/'], '/home/me/.gan/'), 'Demo avatars');
  assert.equal(datasetLabel(['/data/demo'], '/home/me/.gan'), 'demo');
  assert.equal(datasetLabel(['/a/cats', '/b/dogs']), 'cats + 1 more');
  assert.equal(datasetLabel([]), 'dataset');
});
