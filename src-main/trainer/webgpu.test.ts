/**
 * The WebGPU backend (tfjs-backend-webgpu on Dawn). On machines without a GPU it runs on Mesa's
 * llvmpipe through Dawn's OpenGL backend (libegl-mesa0 and libgl1-mesa-dri; .ci/run installs them):
 * slow, but the same kernels and the same read-back path as on a GPU.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend } from './backend';
import { adapterReport, isSoftwareAdapter } from './webgpu';
import { createGan, disposeGan } from '../engine/gan';
import { ganLosses } from '../engine/losses';
import { nearestNeighbours } from '../engine/metrics/distances';
import { decodeCheckpoint } from '../engine/checkpoint';
import { Rng } from '../engine/rng';
import { ARCH, defaultRunConfig, LOSS } from '../shared/schema';
import { writePatternPngs } from '../data/test-fixtures';
import { CLI_ENTRY, runCommand } from '../cli/test-cli';
import { relError } from '../engine/rel-error';

// Mesa's EGL needs a platform without a display; set before Dawn loads (the backend sets it too).
process.env.EGL_PLATFORM ||= 'surfaceless';

test('software adapters are recognised by name, whatever Dawn says of them', () => {
  assert.equal(isSoftwareAdapter({ device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL version 4.5 (Core Profile) Mesa 22.3.6' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'google', device: 'SwiftShader Device (Subzero)' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'mesa', description: 'lavapipe (LLVM 15.0.6, 256 bits)' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'nvidia', device: 'NVIDIA GeForce RTX 4070', isFallbackAdapter: true }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ada', device: 'NVIDIA GeForce RTX 4070', description: 'NVIDIA: 550.54' }), false);
  assert.equal(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', description: 'Apple M1 Max' }), false);
  assert.deepEqual(adapterReport({ vendor: 'amd', device: 'AMD Radeon RX 7800 XT', description: 'radv' }, 'default'), {
    name: 'AMD Radeon RX 7800 XT',
    vendor: 'amd',
    description: 'radv',
    type: 'hardware',
    api: 'default',
  });
});

function randomValues(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

describe('on the webgpu backend', () => {
  before(async () => {
    const report = await chooseBackend('webgpu');
    assert.equal(report.backend, 'webgpu');
    assert.ok(report.adapter, 'the report names the adapter');
    if (report.adapter.type === 'software') assert.match(report.warning ?? '', /software adapter/);
  });

  it('gives the gradients of G and D the cpu backend gives (dcgan-ref, 32 px, width 8, batch 4)', async () => {
    const config = defaultRunConfig({ arch: ARCH['dcgan-ref'], size: 32, width: 8, latent: 16, batch: 4, loss: LOSS.ns, ema: 0, replay: 0, augment: [], seed: 4 });
    const realValues = randomValues(4 * 32 * 32 * 3, 1);
    const zValues = randomValues(4 * config.latent, 2);
    /** Every trainable variable's gradient, G's then D's, on the current backend. */
    const gradients = async (backend: string): Promise<Map<string, Float32Array>> => {
      assert.ok(await tf.setBackend(backend));
      const state = createGan(config);
      const loss = ganLosses[config.loss];
      const vars = (model: tf.LayersModel) => model.trainableWeights.map((w) => w.read() as tf.Variable);
      const real = tf.tensor4d(realValues, [4, 32, 32, 3]);
      const z = tf.tensor2d(zValues, [4, config.latent]);
      const G = (x: tf.Tensor) => state.generator.apply(x, { training: true }) as tf.Tensor4D;
      const D = (x: tf.Tensor) => state.discriminator.apply(x, { training: true }) as tf.Tensor;
      const gVars = vars(state.generator);
      const dVars = vars(state.discriminator);
      const g = tf.variableGrads(() => loss.generator(D(G(z))), gVars);
      const d = tf.variableGrads(() => loss.discriminator(D(real), D(G(z))), dVars);
      const out = new Map<string, Float32Array>();
      // Keyed by position and shape: layer names count up with every model built in the process.
      for (const [prefix, { grads, value }, list] of [['G', g, gVars], ['D', d, dVars]] as const) {
        out.set(`${prefix} loss`, (await value.data()) as Float32Array);
        for (const [i, v] of list.entries()) out.set(`${prefix} ${i} [${v.shape.join(', ')}]`, (await grads[v.name].data()) as Float32Array);
        tf.dispose([value, ...Object.values(grads)]);
      }
      tf.dispose([real, z]);
      disposeGan(state);
      return out;
    };
    const expected = await gradients('cpu');
    const actual = await gradients('webgpu');
    assert.deepEqual([...actual.keys()], [...expected.keys()]);
    assert.ok([...expected.keys()].filter((k) => k.startsWith('G ')).length > 4 && [...expected.keys()].filter((k) => k.startsWith('D ')).length > 4);
    for (const [name, values] of expected) {
      const error = relError(actual.get(name)!, values);
      assert.ok(error < 1e-4, `${name}: relative error ${error.toExponential(2)} against the cpu backend`);
    }
  });

  it('scores with the metrics (which read synchronously) as on the cpu backend', async () => {
    assert.ok(await tf.setBackend('webgpu'));
    const dim = 37;
    const queries = randomValues(50 * dim, 5);
    const references = randomValues(70 * dim, 6);
    const onGpu = nearestNeighbours(queries, 50, references, 70, dim);
    assert.ok(await tf.setBackend('cpu'));
    const onCpu = nearestNeighbours(queries, 50, references, 70, dim);
    assert.deepEqual(onGpu.index, onCpu.index);
    assert.deepEqual(onGpu.distance, onCpu.distance);
  });
});

describe('the CLI with --backend webgpu', () => {
  let root: string;
  let data: string;
  const cli = (args: string[]) => runCommand(process.execPath, [CLI_ENTRY, ...args], { GAN_STUDIO_HOME: join(root, 'home') });
  // Replay on: its samples are read back (await data()) between updates.
  const tiny = ['--size', '32', '--width', '4', '--latent', '8', '--batch', '4', '--replay', '0.5', '--backend', 'webgpu', '--sample-every', '100'];
  /** The losses of each step in a run's metrics.jsonl (the timings left out). */
  const losses = async (run: string) =>
    (await readFile(join(run, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => {
        const { imgPerSec: _rate, time: _time, ...rest } = JSON.parse(line) as Record<string, number>;
        return rest;
      });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gan-webgpu-'));
    data = join(root, 'pngs');
    await writePatternPngs(data);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('bench trains the reference DCGAN and reports "backend": "webgpu"', async () => {
    const bench = await cli(['bench', '--arch', 'dcgan-ref', '--size', '32', '--width', '8', '--batch', '4', '--steps', '2', '--backend', 'webgpu', '--json']);
    assert.equal(bench.code, 0, bench.stderr);
    const result = JSON.parse(bench.stdout) as { backend: string; msPerIter: number };
    assert.equal(result.backend, 'webgpu');
    assert.ok(result.msPerIter > 0);
    assert.match(bench.stderr, /^backend: (GPU|CPU) · webgpu on /m);
  });

  it('train writes its run folder, and a resumed run repeats an uninterrupted one bit for bit', async () => {
    const straight = join(root, 'straight');
    const first = await cli(['train', '--data', data, '--out', straight, ...tiny, '--steps', '4', '--checkpoint-every', '2']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual((await readdir(straight)).filter((f) => !f.startsWith('.')).sort(), ['checkpoints', 'config.json', 'metrics.jsonl', 'samples']);
    assert.deepEqual(await readdir(join(straight, 'checkpoints')), ['step-000002.ckpt', 'step-000004.ckpt']);
    assert.deepEqual(await readdir(join(straight, 'samples')), ['step-000000.png', 'step-000004.png']);
    assert.equal(JSON.parse(await readFile(join(straight, 'config.json'), 'utf8')).compute.backend, 'webgpu');

    const split = join(root, 'split');
    const half = await cli(['train', '--data', data, '--out', split, ...tiny, '--steps', '2', '--checkpoint-every', '2']);
    assert.equal(half.code, 0, half.stderr);
    const rest = await cli(['train', '--out', split, '--resume', '--steps', '4', '--backend', 'webgpu']);
    assert.equal(rest.code, 0, rest.stderr);
    assert.doesNotMatch(rest.stderr, /rounding may differ/);

    assert.deepEqual(await losses(split), await losses(straight));
    const weights = async (run: string) => decodeCheckpoint(new Uint8Array(await readFile(join(run, 'checkpoints', 'step-000004.ckpt')))).binary;
    assert.deepEqual(new Uint8Array((await weights(split)).buffer), new Uint8Array((await weights(straight)).buffer));
  });
});
