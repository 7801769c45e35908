import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepMetrics } from '../shared/contract';
import { defaultRunConfig, RESUMABLE_OPTIONS, type RunConfig } from '../shared/schema';
import { DivergenceWatch } from './divergence';
import {
  HealthMonitor,
  describeChanges,
  detectDWon,
  detectModeCollapse,
  detectOverfitting,
  divergenceFinding,
  imageDiversity,
  stretchLength,
  type GridDiversity,
} from './health';
import { Rng } from './rng';

const config = (overrides: Partial<RunConfig> = {}): RunConfig => defaultRunConfig(overrides);

/** A metric trace of `n` steps; `at(step)` gives the values that differ from a healthy run's. */
function trace(n: number, at: (step: number, rng: Rng) => Partial<StepMetrics> = () => ({})): StepMetrics[] {
  const rng = new Rng(7);
  return Array.from({ length: n }, (_, i) => {
    const step = i + 1;
    // A healthy DCGAN: D(x) around 0.7, D(G(z)) around 0.3, r_t around 0.4, with noise.
    const noise = () => (rng.next() - 0.5) * 0.2;
    return { step, dLoss: 1.2, gLoss: 1.1, dReal: 0.7 + noise(), dFake: 0.3 + noise(), v: -1.2, jsd: 0.1, rt: 0.4 + noise(), imgPerSec: 100, time: step, ...at(step, rng) };
  });
}

/** The last `bad` steps of `n` show D winning outright. */
const dWinning = (n: number, bad: number) => trace(n, (step) => (step > n - bad ? { dReal: 0.99, dFake: 0.01, rt: 1 } : {}));

test('the stretch is the last tenth of the steps, at least 50 and at most 1000 logged steps', () => {
  assert.equal(stretchLength(10), 50);
  assert.equal(stretchLength(800), 80);
  assert.equal(stretchLength(1_000_000), 1000);
});

test('"D has won" fires on a trace where D(x) > 0.95 and D(G(z)) < 0.05 over the stretch, with a resumable remedy', () => {
  const found = detectDWon(dWinning(300, 60), config({ k: 5, lrD: 0.01, lrG: 1e-5 }));
  assert.ok(found);
  assert.equal(found.kind, 'd-won');
  assert.equal(found.severity, 'warning');
  assert.equal(found.step, 300);
  assert.match(found.message, /^D has won: over the last 50 steps it scored real images 0\.99 and generated ones 0\.01/);
  assert.ok(!found.message.includes('\n'));
  assert.deepEqual(found.remedy.changes, { k: 1, lrD: 1e-5 });
  assert.equal(found.remedy.resumable, true);
  assert.equal(found.remedy.label, 'Resume with k 5 → 1, Learning rate D 0.01 → 1e-5');
  // With k = 1 and D no faster than G, D's rate is halved.
  assert.deepEqual(detectDWon(dWinning(300, 60), config({ k: 1, lrD: 2e-4, lrG: 2e-4 }))?.remedy.changes, { lrD: 1e-4 });
});

test('"D has won" stays quiet on a healthy trace, a short bad patch, too few steps, and for hinge and least squares', () => {
  assert.equal(detectDWon(trace(300), config()), null);
  assert.equal(detectDWon(dWinning(300, 20), config()), null, 'the last 20 steps are not the stretch of 50');
  assert.equal(detectDWon(dWinning(40, 40), config()), null, 'fewer steps than the stretch');
  assert.equal(detectDWon(dWinning(300, 60), config({ loss: 'hinge' })), null, 'not applicable to hinge');
  assert.equal(detectDWon(dWinning(300, 60), config({ loss: 'ls' })), null, 'not applicable to least squares');
  assert.ok(detectDWon(dWinning(300, 60), config({ loss: 'mm' })));
  // Once reported, it stays while D(x) is above 0.9 (no flapping around the threshold).
  const borderline = trace(300, () => ({ dReal: 0.93, dFake: 0.03 }));
  assert.equal(detectDWon(borderline, config()), null);
  assert.ok(detectDWon(borderline, config(), true));
});

test('overfitting of D fires when r_t stays above 0.9, and turns adaptive augmentation on', () => {
  const overfit = trace(500, (step) => (step > 400 ? { rt: 0.96 } : {}));
  // Adaptive augmentation is on by default: the detector is for runs that turned it off.
  const off = { ada: 0 };
  const found = detectOverfitting(overfit, config(off));
  assert.ok(found);
  assert.equal(found.kind, 'd-overfit');
  assert.match(found.message, /called 98% of them real \(r_t 0\.96, above 0\.9\)/);
  assert.deepEqual(found.remedy.changes, { ada: 0.6 });
  assert.equal(found.remedy.resumable, true);
  assert.equal(found.remedy.label, 'Resume with Adaptive augmentation 0 → 0.6');
  // Augmentations listed already: ADA steers them, with the small-set operations that are missing added.
  assert.deepEqual(detectOverfitting(overfit, config({ ...off, augment: ['flip'] }))?.remedy.changes, { ada: 0.6, augment: ['flip', 'translation', 'cutout', 'color'] });
  assert.deepEqual(detectOverfitting(overfit, config({ ...off, augment: ['translation', 'cutout', 'color'] }))?.remedy.changes, { ada: 0.6 });
  // It applies to hinge too: r_t reads only the sign of D's raw output.
  assert.ok(detectOverfitting(overfit, config({ ...off, loss: 'hinge' })));
  // With adaptive augmentation on, r_t is steered by it: no finding.
  assert.equal(detectOverfitting(overfit, config({ ada: 0.6 })), null);
});

test('overfitting of D stays quiet on a healthy trace and on runs logged before r_t existed', () => {
  assert.equal(detectOverfitting(trace(500), config({ ada: 0 })), null);
  const old = trace(500, () => ({ rt: 0.99 })).map(({ rt: _, ...rest }) => rest);
  assert.equal(detectOverfitting(old, config({ ada: 0 })), null);
});

/** count images of side `size`, each filled by `pixel(image, x, y, channel)`. */
function images(count: number, size: number, pixel: (i: number, x: number, y: number, c: number) => number): Uint8Array {
  const out = new Uint8Array(count * size * size * 3);
  for (let i = 0; i < count; i++) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) out[((i * size + y) * size + x) * 3 + c] = pixel(i, x, y, c);
  return out;
}

/** A 6-image "grid" of distinct blobs, or of near copies of one (`spread` 0: identical). */
const blobs = (spread: number) => images(6, 32, (i, x, y, c) => ((x - 6 - i * 4 * spread) ** 2 + (y - 16) ** 2 < 36 ? [230, 120, 40][c] : 20));

test('image diversity: 0 for identical images, 1 for black against white, in between for distinct shapes', () => {
  assert.equal(imageDiversity(images(4, 32, () => 90), 4, 32), 0);
  assert.equal(imageDiversity(images(2, 32, (i) => (i === 0 ? 0 : 255)), 2, 32), 1);
  const d = imageDiversity(blobs(1), 6, 32);
  assert.ok(d > 0.1 && d < 0.5, `diversity ${d}`);
  assert.equal(imageDiversity(blobs(1), 1, 32), 0);
  assert.throws(() => imageDiversity(new Uint8Array(10), 2, 32), /fewer than 2 images of 32 px/);
});

test('mode collapse fires when the grid becomes near-identical after having been varied', () => {
  const data = imageDiversity(blobs(1), 6, 32);
  const grids: GridDiversity[] = [
    { step: 0, diversity: 0.02 },
    { step: 100, diversity: 0.8 * data },
    { step: 200, diversity: imageDiversity(blobs(0.05), 6, 32) },
  ];
  const found = detectModeCollapse(grids, data, config({ replay: 0 }));
  assert.ok(found);
  assert.equal(found.kind, 'mode-collapse');
  assert.equal(found.step, 200);
  assert.equal(found.message, 'The samples look alike (mode collapse): the fixed-z images vary 15% as much as the training images do, down from 80%.');
  // Replay changes what the checkpoint holds: a new run, not a resume.
  assert.deepEqual(found.remedy.changes, { replay: 0.25 });
  assert.equal(found.remedy.resumable, false);
  assert.equal(found.remedy.label, 'New run with Replay fraction 0 → 0.25');
  assert.deepEqual(detectModeCollapse(grids, data, config({ replay: 0.25, lrD: 2e-4, lrG: 2e-4 }))?.remedy, {
    label: 'Resume with Learning rate D 2e-4 → 1e-4, Learning rate G 2e-4 → 1e-4',
    changes: { lrD: 1e-4, lrG: 1e-4 },
    resumable: true,
  });
});

test('mode collapse fires when the grid never became varied by a quarter of the run; a G faster than D is slowed', () => {
  const grids = (last: number): GridDiversity[] => [0, 100, 200, last].map((step) => ({ step, diversity: 0.015 }));
  const found = detectModeCollapse(grids(250), 0.25, config({ steps: 1000, lrG: 5e-3, lrD: 1e-4 }));
  assert.ok(found);
  assert.equal(found.message, 'The samples look alike (mode collapse): after 250 steps the fixed-z images vary only 6% as much as the training images do.');
  assert.deepEqual(found.remedy, { label: 'Resume with Learning rate G 0.005 → 1e-4', changes: { lrG: 1e-4 }, resumable: true });
  assert.equal(detectModeCollapse(grids(240), 0.25, config({ steps: 1000 })), null, 'before a quarter of the run');
  assert.equal(detectModeCollapse(grids(150), 0.25, config({ steps: 160 })), null, 'before step 200');
  assert.equal(detectModeCollapse(grids(250), 0.15, config({ steps: 1000 })), null, '10% of a less varied set is not "alike"');
});

test('mode collapse stays quiet on a varied grid and on an untrained generator whose images were never varied', () => {
  const data = 0.3;
  assert.equal(detectModeCollapse([{ step: 0, diversity: 0.05 }, { step: 100, diversity: 0.2 }, { step: 200, diversity: 0.25 }], data, config()), null);
  assert.equal(detectModeCollapse([{ step: 0, diversity: 0.01 }, { step: 100, diversity: 0.012 }], data, config()), null);
  assert.equal(detectModeCollapse([{ step: 0, diversity: 0.001 }], data, config()), null);
  assert.equal(detectModeCollapse([{ step: 0, diversity: 0.2 }, { step: 100, diversity: 0.001 }], null, config()), null, 'no data to compare with');
});

test('divergence hands off to the guard: its warning, with both learning rates halved', () => {
  const watch = new DivergenceWatch({ window: 5 });
  let warning = '';
  for (let step = 1; step <= 10; step++) {
    const verdict = watch.observe({ step, dLoss: 1e3, gLoss: 1 });
    if (verdict.kind === 'warn') warning = verdict.message;
  }
  const found = divergenceFinding(5, warning, config({ lrD: 2e-4, lrG: 1e-4 }));
  assert.equal(found.kind, 'divergence');
  assert.match(found.message, /^the losses are exploding at step 5/);
  assert.deepEqual(found.remedy, { label: 'Resume with Learning rate D 2e-4 → 1e-4, Learning rate G 1e-4 → 5e-5', changes: { lrD: 1e-4, lrG: 5e-5 }, resumable: true });
});

test('the monitor reports a finding when it appears or clears, not again while it stays', () => {
  const monitor = new HealthMonitor(config({ k: 3, lrD: 1e-3, lrG: 1e-4 }), 0.3);
  const run = dWinning(400, 200);
  for (const m of run.slice(0, 200)) monitor.observe(m);
  assert.equal(monitor.evaluate(200), null, 'healthy so far');
  for (const m of run.slice(200, 300)) monitor.observe(m);
  const first = monitor.evaluate(300);
  assert.ok(first);
  assert.deepEqual(first.added.map((f) => f.kind), ['d-won'], 'r_t is near 1 too, but "D has won" says more');
  assert.deepEqual(first.findings, first.added);
  for (const m of run.slice(300)) monitor.observe(m);
  assert.equal(monitor.evaluate(400), null, 'the same finding is not reported twice');
  assert.equal(monitor.findings[0].step, 300, 'it keeps the step it was first found at');
  monitor.setDivergence(401, 'warning: the losses are exploding at step 401 (…)');
  assert.deepEqual(monitor.evaluate(401)?.added.map((f) => f.kind), ['divergence']);
  monitor.setDivergence(402, null);
  for (let step = 401; step <= 600; step++) monitor.observe({ ...trace(1)[0], step });
  const cleared = monitor.evaluate(600);
  assert.ok(cleared);
  assert.deepEqual(cleared.findings, []);
  assert.deepEqual(cleared.added, []);
});

test('remedies are resumable exactly when every option they change may change on resume', () => {
  assert.ok(RESUMABLE_OPTIONS.includes('k') && RESUMABLE_OPTIONS.includes('augment'));
  assert.equal(describeChanges({ augment: [] }, { augment: ['color'] }), 'Augmentation none → color');
});

test('the monitor finds mode collapse from the sample grids it is shown', () => {
  const monitor = new HealthMonitor(config({ replay: 0 }), imageDiversity(blobs(1), 6, 32));
  monitor.observeGrid(0, images(6, 32, (i) => 120 + i), 6, 32);
  monitor.observeGrid(100, blobs(0.9), 6, 32);
  assert.equal(monitor.evaluate(100), null);
  monitor.observeGrid(200, blobs(0), 6, 32);
  const update = monitor.evaluate(200);
  assert.deepEqual(update?.added.map((f) => [f.kind, f.step, f.remedy.resumable]), [['mode-collapse', 200, false]]);
});
