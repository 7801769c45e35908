/**
 * What the kernels in engine/wasm-kernels/ buy on the wasm backend, stock against replaced, in one
 * process with the two interleaved so both see the same background load. Not a test (timings
 * depend on the machine and its load):
 *   node --import tsx src-main/bench/wasm-kernels-profile.ts [--size 64] [--width 64] [--batch 16] [--reps 5] [--threads N]
 * Prints per-layer times of the dcgan-ref convolutions, then whole training iterations
 * (engine/gan.ts trainIteration) and the kernels that dominate one (engine/kernel-profile.ts, as
 * `gan-studio bench --profile` prints them).
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { replacedWasmKernels } from '../engine/wasm-kernels';
import { createGan, disposeGan, trainIteration } from '../engine/gan';
import { formatKernelProfile, profileKernels } from '../engine/kernel-profile';
import { ARCH, defaultRunConfig, LOSS } from '../shared/schema';
import { chooseBackend } from '../trainer/backend';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '64' },
    width: { type: 'string', default: '64' },
    batch: { type: 'string', default: '16' },
    reps: { type: 'string', default: '5' },
    threads: { type: 'string' },
  },
});
const S = Number(values.size);
const W = Number(values.width);
const B = Number(values.batch);
const reps = Number(values.reps);

// Registers the training kernels; wasm threads: one per core unless --threads.
const report = await chooseBackend('wasm', { threads: values.threads === undefined ? undefined : Number(values.threads) });
console.log(`wasm, ${report.threads} thread${report.threads === 1 ? '' : 's'}`);
const ours = replacedWasmKernels().map((k) => tf.getKernel(k.kernelName, 'wasm'));

function install(configs: tf.KernelConfig[]): void {
  for (const config of configs) {
    tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}

/**
 * Median wall times in ms of f with the stock kernels and with ours, interleaved. Each call gets a
 * fresh copy of `weights` (made outside the timing), as training does: weights change every step,
 * so no kernel may count on cached packed weights from the previous call.
 */
async function compare(f: (weights: tf.Tensor4D) => unknown, weights: tf.Tensor4D | null, n = reps): Promise<{ stock: number; ours: number }> {
  const times = { stock: [] as number[], ours: [] as number[] };
  for (let i = 0; i <= n; i++) {
    for (const which of ['stock', 'ours'] as const) {
      install(which === 'stock' ? replacedWasmKernels() : ours);
      const fresh = weights ? (tf.add(weights, 0) as tf.Tensor4D) : (null as unknown as tf.Tensor4D);
      fresh?.dataSync();
      const t0 = performance.now();
      await f(fresh);
      if (i > 0) times[which].push(performance.now() - t0);
      fresh?.dispose();
    }
  }
  install(ours);
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { stock: median(times.stock), ours: median(times.ours) };
}

const sync = (t: tf.Tensor) => {
  t.dataSync();
  t.dispose();
};
const gflops = (flops: number, ms: number) => `${(flops / ms / 1e6).toFixed(1)} GFLOP/s`;

// The dcgan-ref convolutions: conv 4×4 stride 2 'same', [B, s, s, cin] → [B, s/2, s/2, cout].
for (let s = S, cin = 3, cout = W; s > 4; s /= 2, cin = cout, cout *= 2) {
  const x = tf.randomNormal([B, s, s, cin]) as tf.Tensor4D;
  const w = tf.randomNormal([4, 4, cin, cout]) as tf.Tensor4D;
  const dy = tf.randomNormal([B, s / 2, s / 2, cout]) as tf.Tensor4D;
  const flops = 2 * B * (s / 2) * (s / 2) * 16 * cin * cout;
  const fwd = (await compare((wf) => sync(tf.conv2d(x, wf, 2, 'same')), w)).ours;
  const input = await compare((wf) => sync(tf.conv2dTranspose(dy, wf, [B, s, s, cin], 2, 'same')), w);
  const filter = (
    await compare(
      () =>
        sync(tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape }) as tf.Tensor),
      null,
    )
  ).ours;
  console.log(
    `${s}×${s}×${cin} → ${cout}: Conv2D ${fwd.toFixed(1)} ms (${gflops(flops, fwd)}); Conv2DBackpropInput stock ` +
      `${input.stock.toFixed(1)} ms (${gflops(flops, input.stock)}), ours ${input.ours.toFixed(1)} ms ` +
      `(${gflops(flops, input.ours)}, ${(input.stock / input.ours).toFixed(1)}×); Conv2DBackpropFilter ${filter.toFixed(1)} ms (${gflops(flops, filter)})`,
  );
  tf.dispose([x, w, dy]);
}

const config = defaultRunConfig({ arch: ARCH['dcgan-ref'], size: S, width: W, latent: 100, batch: B, ema: 0, k: 1, loss: LOSS.ns });
const state = createGan(config);
const real = tf.randomUniform([B, S, S, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
const step = () => trainIteration(state, () => real.clone());
const iteration = await compare(step, null, Math.max(3, Math.ceil(reps / 2)));
console.log(
  `training iteration (dcgan-ref ${S} px, width ${W}, batch ${B}): stock kernels ${iteration.stock.toFixed(0)} ms, ` +
    `ours ${iteration.ours.toFixed(0)} ms (${(iteration.stock / iteration.ours).toFixed(2)}×)`,
);

console.log(formatKernelProfile(await profileKernels(step)).join('\n'));
real.dispose();
disposeGan(state);
