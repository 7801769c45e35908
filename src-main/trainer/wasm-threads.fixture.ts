/**
 * A child process for wasm-threads.test.ts (the backend initialises once per process, so each
 * thread count needs its own): starts wasm with --threads N, trains a small seeded dcgan-ref for
 * --steps iterations with the engine's trainIteration, prints one JSON line
 * { threads, skipped, losses: [[dLoss, gLoss, dReal, dFake], ...] } and returns, leaving the process
 * to exit by itself. With --main-script, threads start from that file (a broken one tests the
 * fallback to one thread).
 *   node --import tsx src-main/trainer/wasm-threads.fixture.ts --threads 2 [--steps 20] [--main-script F]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { createGan, disposeGan, trainIteration } from '../engine/gan';
import { registerWasmTrainingKernels } from '../engine/wasm-kernels';
import { ARCH, defaultRunConfig, LOSS } from '../shared/schema';
import { chooseBackend } from './backend';
import { startWasm } from './wasm-threads';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    steps: { type: 'string', default: '20' },
    'main-script': { type: 'string' },
  },
});
const threads = Number(values.threads);
let started: { threads: number; skipped: Array<{ backend: string; reason: string }> };
if (values['main-script']) {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  const start = await startWasm({ threads, mainScript: values['main-script'] });
  started = { threads: start.threads, skipped: start.threadsSkipped ? [{ backend: 'wasm threads', reason: start.threadsSkipped }] : [] };
} else {
  started = await chooseBackend('wasm', { threads });
}

// Big enough that XNNPACK splits the convolutions between threads, small enough for a test.
const config = defaultRunConfig({ arch: ARCH['dcgan-ref'], size: 32, width: 16, latent: 16, batch: 8, ema: 0, k: 1, loss: LOSS.ns, seed: 3 });
const state = createGan(config);
const real = tf.randomUniform([config.batch, config.size, config.size, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
const losses: number[][] = [];
for (let i = 0; i < Number(values.steps); i++) {
  const m = await trainIteration(state, () => real.clone());
  losses.push([m.dLoss, m.gLoss, m.dReal, m.dFake]);
}
real.dispose();
disposeGan(state);
process.stdout.write(`${JSON.stringify({ threads: started.threads, skipped: started.skipped, losses })}\n`);
