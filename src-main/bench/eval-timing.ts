/**
 * What a quality score during training costs (engine/quality-eval.ts), and what real images score against
 * each other, on the demo avatars. Not a test (timings depend on the machine and its load):
 *   node --import tsx src-main/bench/eval-timing.ts [--size 64] [--n 1000] [--backend wasm] [--dir /tmp/gan-eval-bench]
 * Prints, for an untrained DCGAN of the run's size (default settings otherwise): the first evaluation (it
 * builds the real side: subset, K-means bins, nearest neighbours) and a second one, wall and CPU seconds;
 * then the scores of one half of the real images against the other half, at the size the run is scored at.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDemoDataset } from '../data/demo-avatars';
import { importDataset } from '../data/import';
import { createGan, disposeGan, samplingGenerator } from '../engine/gan';
import { evaluate, selectImages, shuffledIndices } from '../engine/metrics';
import { downscaleBatch, evalImageSize, QualityEvaluator } from '../engine/quality-eval';
import { Rng } from '../engine/rng';
import { defaultRunConfig } from '../shared/schema';
import type { BackendPreference } from '../shared/contract';
import { chooseBackend } from '../trainer/backend';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '64' },
    n: { type: 'string', default: '1000' },
    backend: { type: 'string', default: 'wasm' },
    dir: { type: 'string', default: join(tmpdir(), 'gan-eval-bench') },
  },
});
const size = Number(values.size);
const n = Number(values.n);
await chooseBackend(values.backend as BackendPreference);
await mkdir(values.dir, { recursive: true });

const folder = await ensureDemoDataset(join(values.dir, 'demo'));
const { images } = await importDataset([folder], { size, mode: 'crop', background: '#ffffff' }, { cacheDir: join(values.dir, 'cache') });
const config = defaultRunConfig({ size, evalSamples: n, augment: [] });
console.log(`${images.count} demo avatars at ${size} px, scored at ${evalImageSize(size)} px; ${n} generated images; tfjs backend ${tf.getBackend()}`);

async function timed<T>(name: string, f: () => Promise<T>): Promise<T> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = await f();
  const used = process.cpuUsage(cpu);
  console.log(`${name.padEnd(34)} wall ${((performance.now() - wall) / 1000).toFixed(1).padStart(6)} s   cpu ${((used.user + used.system) / 1e6).toFixed(1).padStart(6)} s`);
  return result;
}

const state = createGan(config);
try {
  const evaluator = new QualityEvaluator(config, images);
  const first = await timed('first evaluation (builds real side)', () => evaluator.evaluate(samplingGenerator(state), 1000));
  await timed('a later evaluation', () => evaluator.evaluate(samplingGenerator(state), 2000));
  const s = first!.scores;
  console.log(`untrained generator: SWD ×10³ ${s.swd.toFixed(2)}, NDB/K ${s.ndbK.toFixed(3)}, memorised ${s.memorised.toFixed(3)} (${s.counts.fake} against ${s.counts.real})`);
} finally {
  disposeGan(state);
}

// The yardstick: one half of the real images against the other, as many of each as an evaluation takes.
const order = shuffledIndices(images.count, new Rng(1));
const half = Math.min(n, Math.floor(images.count / 2));
const side = evalImageSize(size);
const a = downscaleBatch(selectImages(images, order.subarray(0, half)), side);
const b = downscaleBatch(selectImages(images, order.subarray(half, 2 * half)), side);
const held = await timed('held-out half against the other', async () => evaluate(a, b, { seed: 1 }));
console.log(`real half against real half: SWD ×10³ ${held.swd.toFixed(2)} (${held.swdLevels.map((l) => `${l.size} px ${l.swd.toFixed(2)}`).join(', ')}), NDB/K ${held.ndbK.toFixed(3)}, memorised ${held.memorised.toFixed(3)} (${half} against ${half})`);
