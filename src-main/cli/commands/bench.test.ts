import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { registerBench, runBench } from './bench';
import { UsageError } from '../usage-error';

/** `gan-studio bench` end to end on the wasm backend: the training kernels inside a real step. */
describe('bench on wasm', () => {
  it('times the engine training step of a small dcgan-ref', async () => {
    const settings = { arch: 'dcgan-ref' as const, size: 16, width: 4, latent: 8, batch: 2, steps: 1, reuseFakes: true };
    const { report, result } = await runBench(settings, 'wasm');
    assert.equal(report.backend, 'wasm');
    assert.equal(result.backend, 'wasm');
    assert.equal(result.size, 16);
    assert.ok(result.msPerIter > 0 && Number.isFinite(result.msPerIter));
    // img/s counts the batch of generated images per iteration, as torch_dcgan.py does.
    assert.ok(Math.abs(result.imgPerSec - (2 * 1000) / result.msPerIter) / result.imgPerSec < 0.01);
    // The process's CPU time over the timed iterations, all threads together: at most every core busy.
    assert.ok(result.cpuPerWall > 0 && result.cpuPerWall <= availableParallelism() * 1.1, String(result.cpuPerWall));
    // The loop `train` runs (new z for G) works too.
    const fresh = await runBench({ ...settings, reuseFakes: false }, 'wasm');
    assert.equal(fresh.result.reuseFakes, false);
  });

  it('profiles the kernels of the step with --profile', async () => {
    const settings = { arch: 'dcgan-ref' as const, size: 16, width: 4, latent: 8, batch: 2, steps: 2, reuseFakes: true };
    const { result } = await runBench(settings, 'wasm', { profile: true });
    const profile = result.profile!;
    assert.equal(profile.iterations, 2);
    // Every convolution pass of training is there, with its rate.
    for (const kernel of ['Conv2DBackpropFilter', 'Conv2DBackpropInput']) {
      const row = profile.kernels.find((k) => k.kernel === kernel);
      assert.ok(row && row.calls > 0 && row.gflops !== null && row.gflops > 0, kernel);
    }
    assert.ok(profile.shapes.length > 0);
    assert.equal((await runBench(settings, 'wasm')).result.profile, undefined);
  });

  it('times the step with spectral norm of D and the R1 penalty on', async () => {
    const settings = { arch: 'dcgan' as const, size: 16, width: 4, latent: 8, batch: 2, steps: 2, reuseFakes: false, spectralNorm: true, r1: 10, r1Every: 1 };
    const { result } = await runBench(settings, 'wasm');
    assert.equal(result.spectralNorm, true);
    assert.equal(result.r1, 10);
    assert.ok(result.msPerIter > 0 && Number.isFinite(result.msPerIter));
  });

  it('rejects bad options with a usage error', async () => {
    for (const args of [['--size', '3x'], ['--backend', 'gpu'], ['--arch', 'vgg'], ['--size', '48'], ['--batch', '0'], ['--threads', '0'], ['--r1', '-1'], ['--r1-every', '0']]) {
      const program = new Command('gan-studio').exitOverride();
      registerBench(program);
      await assert.rejects(program.parseAsync(['node', 'gan-studio', 'bench', ...args]), UsageError, args.join(' '));
    }
  });
});
