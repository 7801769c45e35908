import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOSS, LOSS_NAMES } from '../../src-main/shared/schema';
import { dScoreExplanation, dScoreLabel, formatProbability, sigmoid } from './d-score';

test('σ turns a logit into a probability, stable at the extremes', () => {
  assert.equal(sigmoid(0), 0.5);
  assert.ok(Math.abs(sigmoid(-0.8441) - 0.3007) < 1e-4);
  assert.ok(Math.abs(sigmoid(2) + sigmoid(-2) - 1) < 1e-12);
  assert.equal(sigmoid(-1000), 0);
  assert.equal(sigmoid(1000), 1);
  assert.deepEqual([0.3007, 0.001, 0.999, 0.5].map(formatProbability), ['0.30', '<0.01', '>0.99', '0.50']);
});

test('MMGAN and NSGAN runs show D’s probability; hinge and least squares the rank and the raw score', () => {
  // Issue 14's "−0.8441 with no explanation": for an NSGAN run it reads as a probability.
  assert.equal(dScoreLabel(LOSS.ns, -0.8441, 1).label, '0.30');
  assert.equal(dScoreLabel(LOSS.mm, 3, 2).label, '0.95');
  assert.match(dScoreLabel(LOSS.ns, -0.8441, 1).title, /probability 0\.30/);
  assert.equal(dScoreLabel(LOSS.hinge, -0.8441, 3).label, '#3 · -0.8441');
  assert.equal(dScoreLabel(LOSS.ls, 0.62, 1).label, '#1 · 0.62');
  assert.match(dScoreExplanation(LOSS.ns), /probability σ\(logit\)/);
  assert.match(dScoreExplanation(LOSS.hinge), /raw score, not a probability.*\+1/);
  assert.match(dScoreExplanation(LOSS.ls), /raw score, not a probability.*1 for real images and 0 for fakes/);
  for (const loss of LOSS_NAMES) assert.equal(dScoreExplanation(loss).includes('\n'), false, 'one line');
});
