import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseBackend, explainLoadFailure } from './backend';

test('auto picks the best backend that loads and says why each better one was not used', async () => {
  const report = await chooseBackend('auto');
  // WebGPU comes second, on a hardware adapter only: here (llvmpipe at best) it is skipped with its reason.
  const order = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'];
  const betterOnes = order.slice(0, order.indexOf(report.label));
  assert.deepEqual(
    report.skipped.map((s) => s.backend),
    betterOnes,
  );
  for (const skipped of report.skipped) assert.match(skipped.reason, /\S/);
});

test('an asked-for backend is used, and the better ones are listed as not requested', async () => {
  const report = await chooseBackend('cpu');
  assert.equal(report.backend, 'cpu');
  assert.equal(report.threads, 1);
  assert.ok(report.skipped.some((s) => s.backend === 'wasm' && /not requested/.test(s.reason)));
});

test('load failures become one actionable line', () => {
  const notInstalled = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node-gpu' imported from /x.js"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
  assert.equal(explainLoadFailure('@tensorflow/tfjs-node-gpu', notInstalled), 'not installed');
  const noCuda = new Error(
    'libcudart.so.11.0: cannot open shared object file: No such file or directory\n    at Module._extensions..node',
  );
  assert.equal(explainLoadFailure('@tensorflow/tfjs-node-gpu', noCuda), 'libcudart.so.11.0 not found');
  assert.equal(explainLoadFailure('x', new Error('first line\nsecond line')), 'first line');
});
