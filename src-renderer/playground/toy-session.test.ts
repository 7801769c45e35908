import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { DEFAULT_TOY_CONFIG, type ToyGanConfig } from '../../src-main/shared/schema';
import { chooseBackend } from '../../src-main/trainer/backend';
import type { Layers, ToMain } from './protocol';
import { ToySession } from './toy-session';

// The worker's session, driven as the page drives it, with the worker's timer replaced by a queue.
const tiny: ToyGanConfig = { ...DEFAULT_TOY_CONFIG, generatorWidth: 16, discriminatorWidth: 16, generatorDepth: 1, discriminatorDepth: 1, batch: 32 };
const layers: Layers = { real: true, generated: true, heatmap: true, arrows: true, manifold: false };

before(async () => {
  await chooseBackend('wasm');
});

function harness() {
  const sent: Array<{ message: ToMain; transfer: ArrayBufferLike[] }> = [];
  const queue: Array<() => void> = [];
  const session = new ToySession((message, transfer = []) => sent.push({ message, transfer }), (run) => queue.push(run));
  const take = <T extends ToMain['type']>(type: T) => sent.filter((s) => s.message.type === type).map((s) => s.message as Extract<ToMain, { type: T }>);
  return { session, sent, queue, take };
}

test('reset answers with the session and a first frame; playing trains only after each frame is drawn', () => {
  const { session, sent, queue, take } = harness();
  session.handle({ type: 'reset', distribution: 'ring8', drawn: [], config: tiny, layers });
  const [info] = take('session');
  assert.equal(info.error, null);
  assert.equal(info.session.hasGan, true);
  assert.equal(info.session.hasModes, true);
  assert.equal(info.session.realPoints!.length, 2000);
  const [first] = take('frame');
  assert.equal(first.view.grid!.values.length, 48 * 48);
  assert.equal(first.view.generated!.length, 1200);
  assert.equal(first.view.arrows!.directions.length, 300);
  assert.equal(first.readouts!.modes!.totalModes, 8);
  assert.equal(first.counters.iterations, 0);
  // its arrays' buffers are transferred, each once
  const transfer = sent.find((s) => s.message.type === 'frame')!.transfer;
  assert.ok(transfer.includes(first.view.grid!.values.buffer));
  assert.equal(new Set(transfer).size, transfer.length);

  session.handle({ type: 'play', playing: true, speed: 3 });
  assert.equal(queue.length, 0, 'the first frame is not drawn yet');
  session.handle({ type: 'frame-drawn' });
  assert.equal(queue.length, 1);
  queue.shift()!();
  const frames = take('frame');
  assert.equal(frames.length, 2);
  assert.equal(frames[1].counters.iterations, 3);
  // (step, D loss, G loss) for each of the 3 iterations
  assert.equal(frames[1].losses.length, 9);
  assert.deepEqual([frames[1].losses[0], frames[1].losses[3], frames[1].losses[6]], [2, 4, 6]);
  assert.equal(frames[1].readouts, null, 'read-outs come every few frames while playing');
  assert.equal(queue.length, 0, 'no further training before this frame is drawn');
  // a pause is answered by a frame with read-outs for where it stopped, then `paused`; nothing trains after
  session.handle({ type: 'frame-drawn' });
  session.handle({ type: 'play', playing: false, speed: 3 });
  assert.equal(sent.at(-1)!.message.type, 'paused');
  const stopped = take('frame').at(-1)!;
  assert.equal(stopped.counters.iterations, 3);
  assert.ok(stopped.readouts);
  queue.shift()?.();
  assert.equal(take('frame').length, 3, 'paused: nothing more');
});

test('live settings are applied or refused with a message; a single step pauses and sends read-outs', () => {
  const { session, take } = harness();
  session.handle({ type: 'reset', distribution: 'ring8', drawn: [], config: tiny, layers });
  session.handle({ type: 'settings', changes: { loss: 'mm', lrD: 0.01 } });
  assert.equal(take('applied')[0].config.loss, 'mm');
  assert.equal(take('applied')[0].config.lrD, 0.01);
  session.handle({ type: 'settings', changes: { generatorWidth: 8 } });
  assert.match(take('settings-refused')[0].message, /needs new networks/);
  session.handle({ type: 'settings', changes: { lrG: -1 } });
  assert.match(take('settings-refused')[1].message, /lr G/);
  session.handle({ type: 'step', kind: 'd' });
  const last = take('frame').at(-1)!;
  assert.equal(last.counters.dSteps, 1);
  assert.equal(last.counters.gSteps, 0);
  assert.ok(last.readouts);
});

test('1-D sessions send curves and the KS distance, no modes; a drawn distribution without points has no GAN', () => {
  const { session, take } = harness();
  session.handle({ type: 'reset', distribution: 'gaussian1d', drawn: [], config: tiny, layers });
  assert.equal(take('session')[0].session.dim, 1);
  assert.equal(take('session')[0].session.hasModes, false);
  const [frame] = take('frame');
  assert.equal(frame.view.curves!.xs.length, 200);
  assert.equal(frame.view.grid, undefined);
  assert.equal(frame.readouts!.modes, undefined);
  assert.ok(frame.readouts!.ks! >= 0 && frame.readouts!.ks! <= 1);

  session.handle({ type: 'reset', distribution: 'drawn', drawn: [], config: tiny, layers });
  assert.equal(take('session')[1].session.hasGan, false);
  assert.equal(take('frame').length, 1);
  session.handle({ type: 'reset', distribution: 'drawn', drawn: [[0, 0], [1, 1]], config: tiny, layers });
  assert.equal(take('session')[2].session.hasGan, true);
  assert.equal(take('session')[2].session.drawnCount, 2);
});

test('the EM baseline fits in the session: samples, mode metrics and the log density over the view', () => {
  const { session, take } = harness();
  session.handle({ type: 'reset', distribution: 'ring8', drawn: [], config: tiny, layers });
  session.handle({ type: 'fit-gmm', components: 8 });
  const [{ result, error }] = take('gmm');
  assert.equal(error, null);
  assert.equal(result!.samples.length, 5000);
  assert.equal(result!.logDensity.length, result!.size ** 2);
  assert.ok(result!.metrics!.modesCaptured >= 6);
});
