import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { formatKernelProfile, kernelFlops, profileKernels } from './kernel-profile';

before(async () => {
  await tf.setBackend('cpu');
});

test('kernelFlops counts 2 per multiply-add for each convolution kernel and matrix product', () => {
  // conv 4×4, 3 → 5 channels, stride 2: [2, 8, 8, 3] → [2, 4, 4, 5]; 2·(2·4·4·5)·(4·4·3) for each pass.
  const conv = 2 * (2 * 4 * 4 * 5) * (4 * 4 * 3);
  assert.equal(kernelFlops('Conv2D', [[2, 8, 8, 3], [4, 4, 3, 5]], [[2, 4, 4, 5]]), conv);
  assert.equal(kernelFlops('FusedConv2D', [[2, 8, 8, 3], [4, 4, 3, 5], [5], null], [[2, 4, 4, 5]]), conv);
  assert.equal(kernelFlops('Conv2DBackpropInput', [[2, 4, 4, 5], [4, 4, 3, 5]], [[2, 8, 8, 3]]), conv);
  assert.equal(kernelFlops('Conv2DBackpropFilter', [[2, 8, 8, 3], [2, 4, 4, 5]], [[4, 4, 3, 5]]), conv);
  // [1, 6, 7] × [1, 7, 9] and the same with a stored transposed, [1, 7, 6].
  assert.equal(kernelFlops('BatchMatMul', [[1, 6, 7], [1, 7, 9]], [[1, 6, 9]]), 2 * 6 * 9 * 7);
  assert.equal(kernelFlops('_FusedMatMul', [[1, 7, 6], [1, 7, 9], null, null], [[1, 6, 9]]), 2 * 6 * 9 * 7);
  assert.equal(kernelFlops('Add', [[2, 3], [2, 3]], [[2, 3]]), null);
});

test('profileKernels sums each kernel per iteration, with shares and rates', async () => {
  const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
  const w = tf.randomNormal([4, 4, 3, 5]) as tf.Tensor4D;
  const profile = await profileKernels(() => {
    tf.tidy(() => tf.add(tf.conv2d(x, w, 2, 'same'), 1).dataSync());
  }, 3);
  assert.equal(profile.iterations, 3);
  const conv = profile.kernels.find((k) => k.kernel === 'Conv2D');
  assert.ok(conv, profile.kernels.map((k) => k.kernel).join(', '));
  assert.equal(conv.calls, 1);
  assert.equal(conv.flops, 2 * (2 * 4 * 4 * 5) * (4 * 4 * 3));
  assert.ok(conv.ms > 0 && conv.gflops !== null && Math.abs(conv.gflops - conv.flops! / conv.ms / 1e6) < 1e-9);
  assert.equal(profile.kernels.find((k) => k.kernel === 'Add')?.gflops, null);
  assert.ok(Math.abs(profile.kernels.reduce((a, k) => a + k.share, 0) - 1) < 1e-9);
  assert.ok(Math.abs(profile.kernels.reduce((a, k) => a + k.ms, 0) - profile.kernelMs) < 1e-9);
  assert.deepEqual(profile.shapes.map((s) => `${s.kernel} ${s.shapes}`), ['Conv2D [2,8,8,3] [4,4,3,5] → [2,4,4,5]']);
  const text = formatKernelProfile(profile).join('\n');
  assert.match(text, /^ {2}Conv2D +\d+\.\d\d ms +1 calls +\d+\.\d% +\d+\.\d GFLOP\/s/m);
  tf.dispose([x, w]);
});
