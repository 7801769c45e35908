import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { clearWasmKernelCaches, registerWasmTrainingKernels, replacedWasmKernels, wasmKernelTuning } from './wasm-kernels';
import { createGan, disposeGan, modelVariables, trainIteration, type GanState } from './gan';
import { decodeCheckpoint, encodeCheckpoint, restoreGan, serializeGan } from './checkpoint';
import { defaultRunConfig } from '../shared/schema';
import { Rng } from './rng';
import { relError } from './rel-error';
import { Adam } from './adam';
import { ACTIVATION_GRAD, ADAM_UPDATE } from './wasm-kernels';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Shape4 = [number, number, number, number];
type Stride = number | [number, number];

/** Seeded, so a failure can be replayed. */
function rng(seed: number): () => number {
  const source = new Rng(seed);
  return () => source.next();
}

function randomArray(n: number, next: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = next() * 2 - 1;
  return out;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Output size of a conv, from tfjs's own shape logic so the test cannot share a mistake with it. */
function convOutShape(x: Shape4, k: number, o: number, s: Stride, pad: Pad): Shape4 {
  return tf.backend_util.computeConv2DInfo(x, [k, k, x[3], o], s, 1, pad).outShape as Shape4;
}

interface Case {
  x: Shape4;
  k: number;
  o: number;
  s: Stride;
  pad: Pad;
}

/** Gradients of Σ r ⊙ conv2d(x, w) w.r.t. x and w, plus the forward value, on the current backend. */
function conv2dGrads(c: Case, x: Float32Array, w: Float32Array, r: Float32Array, rShape: Shape4): Float32Array[] {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.x);
    const wt = tf.tensor4d(w, [c.k, c.k, c.x[3], c.o]);
    const rt = tf.tensor4d(r, rShape);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), rt));
    const [dx, dw] = tf.grads(f)([xt, wt]);
    const y = tf.conv2d(xt, wt, c.s, c.pad);
    return [y, dx, dw].map((t) => t.dataSync() as Float32Array).map((a) => Float32Array.from(a));
  });
}

/**
 * conv2dTranspose maps an input of conv's output shape (dy) back to conv's input shape: its forward
 * is Conv2DBackpropInput, its gradients are Conv2D (w.r.t. dy) and Conv2DBackpropFilter (w.r.t. w).
 */
function transposeGrads(c: Case, dy: Float32Array, w: Float32Array, r: Float32Array, dyShape: Shape4): Float32Array[] {
  return tf.tidy(() => {
    const dyt = tf.tensor4d(dy, dyShape);
    const wt = tf.tensor4d(w, [c.k, c.k, c.x[3], c.o]);
    const rt = tf.tensor4d(r, c.x);
    const pad = c.pad as 'same' | 'valid' | number;
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, c.x, c.s, pad), rt));
    const [ddy, dw] = tf.grads(f)([dyt, wt]);
    const y = tf.conv2dTranspose(dyt, wt, c.x, c.s, pad);
    return [y, ddy, dw].map((t) => Float32Array.from(t.dataSync() as Float32Array));
  });
}

async function compare(c: Case, seed: number): Promise<void> {
  const next = rng(seed);
  const yShape = convOutShape(c.x, c.k, c.o, c.s, c.pad);
  const x = randomArray(size(c.x), next);
  const w = randomArray(c.k * c.k * c.x[3] * c.o, next);
  const r = randomArray(size(yShape), next);
  const dy = randomArray(size(yShape), next);
  const rx = randomArray(size(c.x), next);

  await tf.setBackend('cpu');
  const cpuConv = conv2dGrads(c, x, w, r, yShape);
  const transposable = typeof c.pad !== 'object';
  const cpuT = transposable ? transposeGrads(c, dy, w, rx, yShape) : [];
  await tf.setBackend('wasm');
  const wasmConv = conv2dGrads(c, x, w, r, yShape);
  const wasmT = transposable ? transposeGrads(c, dy, w, rx, yShape) : [];

  const label = `x=${c.x} k=${c.k} o=${c.o} s=${c.s} pad=${JSON.stringify(c.pad)}`;
  const names = ['conv2d', 'conv2d dx', 'conv2d dw', 'conv2dTranspose', 'conv2dTranspose d(dy)', 'conv2dTranspose dw'];
  [...cpuConv, ...cpuT].forEach((expected, i) => {
    const actual = [...wasmConv, ...wasmT][i];
    const e = relError(actual, expected);
    assert.ok(e < 1e-4, `${names[i]} ${label}: relative error ${e}`);
  });
}

describe('wasm training kernels', () => {
  before(async () => {
    registerWasmTrainingKernels();
    assert.ok(await tf.setBackend('wasm'));
  });

  it('registers its kernels idempotently', () => {
    registerWasmTrainingKernels();
    const first = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const adam = tf.getKernel(ADAM_UPDATE, 'wasm');
    const replaced = ['Conv2DBackpropInput', 'Tile', 'BatchMatMul', 'Identity'].map((name) => tf.getKernel(name, 'wasm'));
    registerWasmTrainingKernels();
    assert.ok(first);
    assert.ok(adam);
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), first);
    assert.equal(tf.getKernel(ADAM_UPDATE, 'wasm'), adam);
    assert.deepEqual(['Conv2DBackpropInput', 'Tile', 'BatchMatMul', 'Identity'].map((name) => tf.getKernel(name, 'wasm')), replaced);
  });

  it('matches the cpu backend on DCGAN-shaped layers (4×4, stride 2, same)', async () => {
    await compare({ x: [2, 8, 8, 16], k: 4, o: 8, s: 2, pad: 'same' }, 1);
    await compare({ x: [3, 16, 16, 3], k: 4, o: 8, s: 2, pad: 'same' }, 2);
    await compare({ x: [2, 4, 4, 32], k: 4, o: 16, s: 2, pad: 'same' }, 3);
  });

  // Conv2DBackpropInput has two strategies, picked by channel count; every case runs through both.
  const strategies = [
    { name: 'fused', fusedBelowChannels: Infinity },
    { name: 'per-phase', fusedBelowChannels: 0 },
  ];
  const withStrategy = async (strategy: { fusedBelowChannels: number }, body: () => Promise<void>) => {
    const saved = wasmKernelTuning.fusedBelowChannels;
    wasmKernelTuning.fusedBelowChannels = strategy.fusedBelowChannels;
    try {
      await body();
    } finally {
      wasmKernelTuning.fusedBelowChannels = saved;
    }
  };

  for (const strategy of strategies) {
    it(`matches the cpu backend on random shapes, strides, paddings and kernel sizes (${strategy.name})`, () =>
      withStrategy(strategy, async () => {
        const next = rng(42);
        const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
        const pads: Pad[] = ['same', 'valid', 0, 1, 2];
        let n = 0;
        for (const s of [1, 2, 3]) {
          for (const k of [1, 2, 3, 4, 5]) {
            for (const pad of pads) {
              const h = k + Math.floor(next() * 9);
              const w = k + Math.floor(next() * 9);
              const c: Case = { x: [pick([1, 2, 3]), h, w, pick([1, 2, 3, 5, 8])], k, o: pick([1, 2, 4, 7]), s, pad };
              await compare(c, 1000 + n++);
            }
          }
        }
      }),
    );

    it(`covers odd input sizes and explicit asymmetric padding (${strategy.name})`, () =>
      withStrategy(strategy, async () => {
        await compare({ x: [2, 7, 9, 3], k: 3, o: 5, s: 2, pad: 'same' }, 7);
        await compare({ x: [2, 9, 7, 4], k: 4, o: 3, s: 2, pad: 'same' }, 8);
        await compare({ x: [1, 11, 11, 2], k: 4, o: 3, s: 3, pad: 'valid' }, 9);
        await compare({ x: [2, 8, 9, 3], k: 3, o: 2, s: 2, pad: [[0, 0], [0, 2], [1, 0], [0, 0]] }, 10);
        await compare({ x: [2, 9, 8, 3], k: 4, o: 2, s: [2, 1], pad: 'same' }, 12);
        await compare({ x: [1, 8, 10, 2], k: 3, o: 4, s: [1, 3], pad: 'valid' }, 13);
        // Padding wider than the kernel takes the stock Conv2DBackpropInput fallback.
        await compare({ x: [1, 6, 6, 2], k: 3, o: 2, s: 1, pad: [[0, 0], [4, 3], [3, 4], [0, 0]] }, 11);
        // Inputs smaller than the stride leave some phases without rows.
        await compare({ x: [2, 2, 5, 3], k: 2, o: 2, s: 3, pad: 'same' }, 14);
        await compare({ x: [1, 4, 4, 40], k: 4, o: 33, s: 2, pad: 'same' }, 15);
      }),
    );
  }

  it('tiles like the cpu backend (float32, int32, bool; ranks 1-5)', async () => {
    const next = rng(7);
    const dtypes = ['float32', 'int32', 'bool'] as const;
    for (let n = 0; n < 60; n++) {
      const rank = 1 + (n % 5);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(next() * 4));
      const reps = Array.from({ length: rank }, () => 1 + Math.floor(next() * 3));
      if (n % 7 === 0) shape[rank - 1] = 40; // long rows take the typed-array copy
      if (n % 11 === 0) shape[rank - 1] = 1;
      const dtype = dtypes[n % 3];
      const values = Array.from({ length: size(shape) }, () => Math.floor(next() * 200) - 100);
      const data = dtype === 'bool' ? values.map((v) => (v > 0 ? 1 : 0)) : values;
      const result = async (backend: string) => {
        await tf.setBackend(backend);
        const t = tf.tensor(data, shape, dtype);
        const tiled = tf.tile(t, reps);
        const out = Array.from(tiled.dataSync());
        tf.dispose([t, tiled]);
        return out;
      };
      const expected = await result('cpu');
      assert.deepEqual(await result('wasm'), expected, `tile ${dtype} [${shape}] by [${reps}]`);
    }
    // Batch norm's gradient: a channel vector to the activation shape.
    const expected = await (async () => {
      await tf.setBackend('cpu');
      return tf.tidy(() => Array.from(tf.tile(tf.range(0, 64).reshape([1, 1, 1, 64]), [4, 8, 8, 1]).dataSync()));
    })();
    await tf.setBackend('wasm');
    assert.deepEqual(tf.tidy(() => Array.from(tf.tile(tf.range(0, 64).reshape([1, 1, 1, 64]), [4, 8, 8, 1]).dataSync())), expected);
  });

  it('multiplies transposed matrices like the cpu backend', async () => {
    const next = rng(9);
    for (let n = 0; n < 24; n++) {
      const [m, k, p] = [1 + Math.floor(next() * 40), 1 + Math.floor(next() * 40), 1 + Math.floor(next() * 40)];
      const transposeA = n % 2 === 1;
      const transposeB = n % 4 >= 2;
      // Batch shapes: none, equal, and broadcast from 1.
      const batchA = [[], [3], [2, 3], [1]][n % 4];
      const batchB = [[], [3], [2, 3], [4]][n % 4];
      const aShape = [...batchA, ...(transposeA ? [k, m] : [m, k])];
      const bShape = [...batchB, ...(transposeB ? [p, k] : [k, p])];
      const a = randomArray(size(aShape), next);
      const b = randomArray(size(bShape), next);
      const result = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => Float32Array.from(tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), transposeA, transposeB).dataSync()));
      };
      const expected = await result('cpu');
      const e = relError(await result('wasm'), expected);
      assert.ok(e < 1e-5, `matMul [${aShape}]${transposeA ? 'ᵀ' : ''} × [${bShape}]${transposeB ? 'ᵀ' : ''}: relative error ${e}`);
    }
  });

  it('updates with Adam in one kernel, bit for bit the ops on wasm and on cpu', async () => {
    const shapes = [[3, 5], [7], [4, 4, 2, 3], [1]];
    // Large and tiny gradients and zeros: the sqrt, the epsilon and float32's subnormals all matter.
    const spread = (a: Float32Array) => a.map((x, i) => (i % 5 === 0 ? 0 : i % 5 === 1 ? x * 1e-20 : i % 5 === 2 ? x * 1e3 : x));
    const run = async (backend: string, fused: boolean) => {
      const next = rng(51);
      await tf.setBackend(backend);
      const saved = tf.getKernel(ADAM_UPDATE, 'wasm');
      if (!fused && saved) tf.unregisterKernel(ADAM_UPDATE, 'wasm');
      try {
        const vars = shapes.map((s) => tf.variable(tf.tensor(randomArray(size(s), next), s)));
        const adam = new Adam(vars, { lr: 2e-4, beta1: 0.5, beta2: 0.999 });
        for (let step = 0; step < 4; step++) {
          const grads = shapes.map((s) => tf.tensor(spread(randomArray(size(s), next)), s));
          adam.apply(grads);
          tf.dispose(grads);
        }
        const out = [...vars, ...adam.m, ...adam.v].map((t) => Float32Array.from(t.dataSync() as Float32Array));
        adam.dispose();
        tf.dispose(vars);
        return out;
      } finally {
        if (!fused && saved) tf.registerKernel(saved);
      }
    };
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer));
    const ops = await run('wasm', false);
    const fused = await run('wasm', true);
    const cpu = await run('cpu', false);
    fused.forEach((a, i) => {
      assert.deepEqual(bits(a), bits(ops[i]), `tensor ${i}: the fused kernel differs from the ops on wasm`);
      assert.ok(relError(a, cpu[i]) < 1e-4, `tensor ${i}: relative error ${relError(a, cpu[i])} against cpu`);
    });
  });

  it('differentiates ReLU and leaky ReLU in one pass, bit for bit the ops, to second order', async () => {
    const next = rng(61);
    const n = 2 * 5 * 5 * 7;
    // Zeros and both signs: the mask's edge; ±0 gradients keep their sign as the ops give it.
    const x = randomArray(n, next).map((v, i) => (i % 9 === 0 ? 0 : i % 9 === 1 ? -0 : v));
    const r = randomArray(n, next).map((v, i) => (i % 11 === 0 ? 0 : v));
    const s = randomArray(n, next);
    const shape = [2, 5, 5, 7];
    const grads = async (backend: string, fused: boolean) => {
      await tf.setBackend(backend);
      const saved = tf.getKernel(ACTIVATION_GRAD, 'wasm');
      if (!fused && saved) tf.unregisterKernel(ACTIVATION_GRAD, 'wasm');
      try {
        return tf.tidy(() => {
          const xt = tf.tensor(x, shape);
          const st = tf.tensor(s, shape);
          const out: Float32Array[] = [];
          for (const act of [(t: tf.Tensor) => tf.leakyRelu(t, 0.2), (t: tf.Tensor) => tf.relu(t)]) {
            const first = (rt: tf.Tensor) => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(rt, act(a))))(xt);
            // Second order: the gradient of ⟨s, ∂/∂x Σ r ⊙ act(x)⟩ with respect to r.
            const second = tf.grad((rt: tf.Tensor) => tf.sum(tf.mul(st, first(rt))))(tf.tensor(r, shape));
            out.push(Float32Array.from(first(tf.tensor(r, shape)).dataSync()), Float32Array.from(second.dataSync()));
          }
          return out;
        });
      } finally {
        if (!fused && saved) tf.registerKernel(saved);
      }
    };
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer));
    const ops = await grads('wasm', false);
    const fused = await grads('wasm', true);
    const cpu = await grads('cpu', false);
    await tf.setBackend('wasm');
    const xt = tf.tensor(x, shape);
    const used = await tf.profile(() => tf.grad((a: tf.Tensor) => tf.sum(tf.leakyRelu(a, 0.2)))(xt));
    xt.dispose();
    used.result instanceof tf.Tensor && used.result.dispose();
    assert.ok(used.kernels.some((k) => k.name === ACTIVATION_GRAD), 'the gradient did not use the one-pass kernel');
    assert.ok(!used.kernels.some((k) => k.name === 'Select'), 'the gradient still selected with a mask');
    const names = ['leakyRelu dx', 'leakyRelu d²', 'relu dx', 'relu d²'];
    fused.forEach((a, i) => {
      assert.deepEqual(bits(a), bits(ops[i]), `${names[i]}: the one-pass kernel differs from the ops on wasm`);
      assert.ok(relError(a, cpu[i]) < 1e-4, `${names[i]}: relative error ${relError(a, cpu[i])} against cpu`);
    });
  });

  it("broadcasts Mean's and Sum's gradients by tiling, bit for bit the ops", async () => {
    const next = rng(71);
    const shape = [3, 4, 5, 6];
    const x = randomArray(size(shape), next);
    const cases: { axis: number | number[]; keepDims: boolean }[] = [
      { axis: [0, 1, 2], keepDims: false },
      { axis: [0, 1, 2], keepDims: true },
      { axis: 1, keepDims: false },
      { axis: [0, 3], keepDims: false },
      { axis: [0, 1, 2, 3], keepDims: false },
    ];
    const grads = async (backend: string, ours: boolean) => {
      await tf.setBackend(backend);
      const mine = tf.getKernel('Tile', 'wasm')!;
      const stockTile = replacedWasmKernels().find((k) => k.kernelName === 'Tile')!;
      if (!ours) {
        tf.unregisterKernel('Tile', 'wasm');
        tf.registerKernel(stockTile);
      }
      try {
        return tf.tidy(() => {
          const xt = tf.tensor(x, shape);
          const out: Float32Array[] = [];
          for (const c of cases) {
            for (const reduce of [tf.mean, tf.sum]) {
              // A non-constant dy, so a wrong broadcast shows.
              const f = (a: tf.Tensor) => tf.sum(tf.sin(reduce(tf.mul(a, a), c.axis, c.keepDims)));
              out.push(Float32Array.from(tf.grad(f)(xt).dataSync()));
            }
          }
          return out;
        });
      } finally {
        if (!ours) {
          tf.unregisterKernel('Tile', 'wasm');
          tf.registerKernel(mine);
        }
      }
    };
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer));
    const ops = await grads('wasm', false);
    const tiled = await grads('wasm', true);
    const cpu = await grads('cpu', true);
    tiled.forEach((a, i) => {
      const label = `${i % 2 ? 'sum' : 'mean'} over ${JSON.stringify(cases[i >> 1])}`;
      assert.deepEqual(bits(a), bits(ops[i]), `${label}: tiled gradient differs from the ops on wasm`);
      assert.ok(relError(a, cpu[i]) < 1e-4, `${label}: relative error ${relError(a, cpu[i])} against cpu`);
    });
    await tf.setBackend('wasm');
    const xt = tf.tensor(x, shape);
    const used = await tf.profile(() => tf.grad((a: tf.Tensor) => tf.mean(a, [0, 1, 2]))(xt));
    xt.dispose();
    assert.ok(used.kernels.some((k) => k.name === 'Tile') && !used.kernels.some((k) => k.name === 'Multiply'), JSON.stringify(used.kernels.map((k) => k.name)));
  });

  it('clones by sharing the buffer, which outlives its source', async () => {
    await tf.setBackend('wasm');
    const buffers = tf.engine().backend.numDataIds();
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x);
    assert.equal(tf.engine().backend.numDataIds(), buffers + 1);
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
    y.dispose();
    assert.equal(tf.engine().backend.numDataIds(), buffers);
    const s = tf.tensor(['a', 'b']);
    const sc = tf.clone(s);
    s.dispose();
    assert.deepEqual(sc.dataSync(), ['a', 'b']);
    sc.dispose();
  });

  it('never reuses rearranged filters after their weights change', async () => {
    const next = rng(21);
    const dyShape: Shape4 = [2, 4, 4, 40];
    const filterShape: Shape4 = [4, 4, 36, 40];
    const dy = randomArray(size(dyShape), next);
    const weights = [0, 1, 2].map(() => randomArray(size(filterShape), next));
    const outShape: Shape4 = [2, 8, 8, 36];
    // Each version twice: the second call is served from the cache.
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const v = tf.variable(tf.tensor4d(weights[0], filterShape));
      const dyt = tf.tensor4d(dy, dyShape);
      const out: Float32Array[] = [];
      for (const w of weights) {
        v.assign(tf.tensor4d(w, filterShape));
        for (let i = 0; i < 2; i++) {
          out.push(tf.tidy(() => Float32Array.from(tf.conv2dTranspose(dyt, v as tf.Tensor4D, outShape, 2, 'same').dataSync())));
        }
      }
      tf.dispose([v, dyt]);
      return out;
    };
    const expected = await run('cpu');
    const actual = await run('wasm');
    expected.forEach((e, i) => assert.ok(relError(actual[i], e) < 1e-4, `call ${i}: relative error ${relError(actual[i], e)}`));

    // A reshape shares its source's buffer: same data, another filter.
    const viaReshape = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const w = tf.tensor4d(weights[0], [4, 4, 40, 36]);
        const a = tf.conv2dTranspose(tf.tensor4d(dy.subarray(0, 2 * 4 * 4 * 36), [2, 4, 4, 36]), w, [2, 8, 8, 40], 2, 'same');
        const b = tf.conv2dTranspose(tf.tensor4d(dy, dyShape), tf.reshape(w, filterShape) as tf.Tensor4D, outShape, 2, 'same');
        return [a, b].map((t) => Float32Array.from(t.dataSync()));
      });
    };
    const cpuViews = await viaReshape('cpu');
    const wasmViews = await viaReshape('wasm');
    cpuViews.forEach((e, i) => assert.ok(relError(wasmViews[i], e) < 1e-4, `reshaped filter ${i}: relative error ${relError(wasmViews[i], e)}`));
  });

  it('trains a small dcgan-ref like the cpu backend (every replaced kernel in a real step)', async () => {
    const next = rng(33);
    const config = defaultRunConfig({ arch: 'dcgan-ref', size: 16, width: 4, latent: 8, batch: 3, ema: 0, seed: 5 });
    const real = randomArray(3 * 16 * 16 * 3, next);
    const metrics = async (backend: string) => {
      await tf.setBackend(backend);
      const state = createGan(config);
      const out = [];
      for (let i = 0; i < 3; i++) out.push(await trainIteration(state, () => tf.tensor4d(real, [3, 16, 16, 3])));
      disposeGan(state);
      return out;
    };
    const expected = await metrics('cpu');
    const actual = await metrics('wasm');
    expected.forEach((m, i) => {
      for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake'] as const) {
        const e = Math.abs(actual[i][key] - m[key]) / Math.max(Math.abs(m[key]), 1e-6);
        assert.ok(e < 1e-3, `iteration ${i + 1} ${key}: wasm ${actual[i][key]}, cpu ${m[key]}`);
      }
    });
  });

  it('resumes bit-identically and holds tensors and wasm buffers steady across iterations (reuseFakes)', async () => {
    await tf.setBackend('wasm');
    const next = rng(81);
    const config = defaultRunConfig({ arch: 'dcgan-ref', size: 16, width: 4, latent: 8, batch: 3, ema: 0.9, replay: 0.5, seed: 9 });
    const real = randomArray(3 * 16 * 16 * 3, next);
    const batch = () => tf.tensor4d(real, [3, 16, 16, 3]);
    const weights = (s: GanState) =>
      [...modelVariables(s.generator), ...modelVariables(s.discriminator), ...modelVariables(s.ema!), ...s.optG.m, ...s.optG.v, ...s.optD.m, ...s.optD.v].map((v) =>
        Array.from(new Uint32Array(Float32Array.from(v.dataSync() as Float32Array).buffer)),
      );
    const straight = createGan(config, { reuseFakes: true });
    await trainIteration(straight, batch);
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) await trainIteration(straight, batch);
    // The rearranged-filter cache keeps one entry per live weight tensor, replaced as weights change.
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.engine().backend.numDataIds(), buffers);

    const first = createGan(config, { reuseFakes: true });
    for (let i = 0; i < 2; i++) await trainIteration(first, batch);
    const bytes = encodeCheckpoint(await serializeGan(first));
    disposeGan(first);
    const resumed = restoreGan(config, decodeCheckpoint(bytes), { reuseFakes: true });
    for (let i = 0; i < 2; i++) await trainIteration(resumed, batch);
    assert.deepEqual(weights(resumed), weights(straight));
    disposeGan(straight);
    disposeGan(resumed);
  });

  it('leaks neither tensors nor wasm buffers', async () => {
    await tf.setBackend('wasm');
    clearWasmKernelCaches();
    const start = tf.engine().backend.numDataIds();
    const step = () =>
      tf.tidy(() => {
        const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 5) as tf.Tensor4D;
        const w = tf.randomNormal([4, 4, 4, 6], 0, 1, 'float32', 6) as tf.Tensor4D;
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.conv2dTranspose(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), b as tf.Tensor4D, [2, 8, 8, 4], 2, 'same')),
        )([x, w]);
        const m = tf.matMul(tf.reshape(dw, [16, 24]), tf.reshape(dw, [16, 24]), true, false);
        return tf.add(tf.add(tf.sum(dx), tf.sum(dw)), tf.add(tf.sum(tf.tile(dw, [2, 1, 1, 3])), tf.sum(m)));
      });
    step().dispose();
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) step().dispose();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.engine().backend.numDataIds(), buffers);
    // What stays between calls is the filter cache, and clearing it frees everything.
    clearWasmKernelCaches();
    assert.equal(tf.engine().backend.numDataIds(), start);
  });
});
