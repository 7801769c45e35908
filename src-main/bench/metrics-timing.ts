/**
 * How long the quality scores (engine/metrics) take, part by part, on synthetic image sets of the
 * sizes a training run would score. Not a test (timings depend on the machine and its load):
 *   node --import tsx src-main/bench/metrics-timing.ts [--real 1000] [--fake 1000] [--size 32] [--backend wasm]
 * Prints wall and CPU milliseconds (CPU time is steadier when other processes share the cores) for
 * the reference (K-means bins, training nearest neighbours), SWD, NDB/K and the memorisation share.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { Rng } from '../engine/rng';
import { fitNdbBins, memorisationReference, memorisationShare, scoreNdb, slicedWasserstein } from '../engine/metrics';
import { shapesSet, sliceSet } from '../engine/metrics/test-sets';
import { chooseBackend } from '../trainer/backend';
import type { BackendPreference } from '../shared/contract';

const { values } = parseArgs({
  options: {
    real: { type: 'string', default: '1000' },
    fake: { type: 'string', default: '1000' },
    size: { type: 'string', default: '32' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const realCount = Number(values.real);
const fakeCount = Number(values.fake);
const size = Number(values.size);
await chooseBackend(values.backend as BackendPreference);

const all = shapesSet(realCount + fakeCount, size, 1);
const real = sliceSet(all, 0, realCount);
const fake = sliceSet(all, realCount, fakeCount);

function time<T>(name: string, f: () => T): T {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = f();
  const used = process.cpuUsage(cpu);
  console.log(`${name.padEnd(28)} wall ${(performance.now() - wall).toFixed(0).padStart(6)} ms   cpu ${((used.user + used.system) / 1000).toFixed(0).padStart(6)} ms`);
  return result;
}

console.log(`${realCount} real against ${fakeCount} generated images at ${size} px, tfjs backend ${tf.getBackend()}`);
const bins = time('NDB bins (K-means, K=50)', () => fitNdbBins(real, new Rng(1)));
const reference = time('memorisation reference', () => memorisationReference(real));
const swd = time('SWD', () => slicedWasserstein(real, fake, { patchesA: new Rng(2), patchesB: new Rng(2), directions: new Rng(3) }));
const ndb = time('NDB/K score', () => scoreNdb(bins, fake));
const memorised = time('memorisation share', () => memorisationShare(reference, fake));
console.log(`K-means iterations ${bins.iterations}; SWD ${swd.swd.toFixed(2)} (${swd.levels.map((l) => `${l.size} px ${l.swd.toFixed(2)}`).join(', ')}); NDB/K ${ndb.ndbK}; memorised ${memorised.memorised}`);
