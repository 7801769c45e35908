/**
 * Damaged and contested run folders (issue 11, kinds 5, 6, 7 and 12): what training, resuming and
 * generating do with a truncated or poisoned checkpoint, a half-written metrics line, temp files of
 * a killed write, a diverging model and a second writer. Real files, real training on the CPU.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../engine/checkpoint';
import type { RunConfig } from '../shared/schema';
import type { ImageSet } from '../data/types';
import { generateImages, loadRun } from './generation';
import { readMetrics, readRunConfig } from '../disk/run-folder';
import { tinyRunConfig } from '../data/test-fixtures';
import { runTraining } from './session';

let root: string;

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-faults-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

function tinyImages(): ImageSet {
  const size = 32;
  const count = 8;
  const pixels = new Uint8Array(count * size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + (i >> 10) * 31) & 255;
  return { size, count, pixels };
}

const tinyConfig = (overrides: Partial<RunConfig> = {}): RunConfig => tinyRunConfig({ seed: 3, ...overrides });

const images = tinyImages();
const ckpt = (runDir: string, step: number) => join(runDir, 'checkpoints', `step-${String(step).padStart(6, '0')}.ckpt`);

/** A finished 4-step run with checkpoints at steps 2 and 4, copied fresh for each test. */
let template: string;
async function trainedRun(name: string): Promise<string> {
  if (!template) {
    template = join(root, 'template');
    await runTraining({ runDir: template, config: tinyConfig(), resume: false, cacheDir: '', images });
  }
  const dir = join(root, name);
  await copyTree(template, dir);
  return dir;
}

async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isDirectory()) await copyTree(join(from, entry.name), join(to, entry.name));
    else await copyFile(join(from, entry.name), join(to, entry.name));
  }
}

/** Rewrites a checkpoint file after `edit`, as a version-1 file (no checksum: as an old or a tampered file). */
async function editCheckpoint(path: string, edit: (checkpoint: Checkpoint) => void): Promise<void> {
  const checkpoint = decodeCheckpoint(new Uint8Array(await readFile(path)));
  edit(checkpoint);
  checkpoint.json = { ...checkpoint.json, version: 1 };
  delete checkpoint.json.checksum;
  await writeFile(path, encodeCheckpoint(checkpoint));
}

function tensor(checkpoint: Checkpoint, name: string): Float32Array {
  const entry = checkpoint.json.tensors.find((t) => t.name === name)!;
  return checkpoint.binary.subarray(entry.offset, entry.offset + entry.length);
}

test('a truncated newest checkpoint is reported by name; resume and generate use the intact older one', async () => {
  const runDir = await trainedRun('truncated');
  const newest = ckpt(runDir, 4);
  const { size } = await import('node:fs/promises').then((fs) => fs.stat(newest));
  await truncate(newest, size - 10);

  const warnings: string[] = [];
  const run = await loadRun(runDir, { onWarning: (m) => warnings.push(m) } as Parameters<typeof loadRun>[1]);
  assert.equal(run.step, 2);
  run.dispose();
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /step-000004\.ckpt.*truncated.*using step 2/);

  const logs: string[] = [];
  const resumed = await runTraining({
    runDir,
    config: tinyConfig({ steps: 6 }),
    resume: true,
    cacheDir: '',
    images,
    hooks: { onLog: (m) => logs.push(m) },
  });
  assert.equal(resumed.step, 6);
  assert.ok(logs.some((m) => /step-000004\.ckpt.*truncated.*resuming from step 2/.test(m)), logs.join('\n'));
  assert.deepEqual((await readMetrics(runDir)).map((m) => m.step), [1, 2, 3, 4, 5, 6]);
  const names = await readdir(join(runDir, 'checkpoints'));
  assert.ok(names.includes('step-000004.ckpt.damaged'), names.join(' '));
  assert.ok(names.includes('step-000006.ckpt'), names.join(' '));
});

test('a newest checkpoint with NaN in its EMA weights is passed over: generate never writes black images', async () => {
  const runDir = await trainedRun('nan-ema');
  await editCheckpoint(ckpt(runDir, 4), (c) => tensor(c, 'EMA/0').fill(NaN));
  const warnings: string[] = [];
  const written = await generateImages({ runDir, outDir: join(root, 'nan-ema-out'), n: 2, seed: 1, rankByD: false, onWarning: (m: string) => warnings.push(m) } as Parameters<typeof generateImages>[0]);
  assert.match(warnings.join('\n'), /step-000004\.ckpt.*NaN or infinite values \(EMA\/0\)/);
  const { data } = await sharp(written[0].path).raw().toBuffer({ resolveWithObject: true });
  assert.ok(data.some((v) => v !== 0), 'the generated image is black');
});

test('a payload that does not match its checksum is damaged (format version 2)', async () => {
  const runDir = await trainedRun('checksum');
  const bytes = await readFile(ckpt(runDir, 4));
  assert.equal(decodeCheckpoint(new Uint8Array(bytes)).json.version, 2);
  bytes[bytes.length - 3] ^= 0x40; // one bit of one weight
  await writeFile(ckpt(runDir, 4), bytes);
  const warnings: string[] = [];
  const run = await loadRun(runDir, { onWarning: (m: string) => warnings.push(m) } as Parameters<typeof loadRun>[1]);
  assert.equal(run.step, 2);
  run.dispose();
  assert.match(warnings.join('\n'), /step-000004\.ckpt.*checksum/);

  // Version 1 files (before the checksum) are still read, unchecked.
  const v1 = await trainedRun('version-1');
  await editCheckpoint(ckpt(v1, 4), () => undefined);
  const old = await loadRun(v1, { onWarning: (m: string) => warnings.push(`v1: ${m}`) } as Parameters<typeof loadRun>[1]);
  assert.equal(old.step, 4);
  old.dispose();
  assert.ok(!warnings.some((m) => m.startsWith('v1:')), warnings.join('\n'));
});

test('a checkpoint whose header is not JSON is reported by name, without the parser message', async () => {
  const runDir = await trainedRun('header');
  const bytes = await readFile(ckpt(runDir, 4));
  const text = bytes.toString('latin1').replace('"tensors":[', '"tensors":{');
  await writeFile(ckpt(runDir, 4), Buffer.from(text, 'latin1'));
  const warnings: string[] = [];
  const run = await loadRun(runDir, { onWarning: (m: string) => warnings.push(m) } as Parameters<typeof loadRun>[1]);
  assert.equal(run.step, 2);
  run.dispose();
  assert.deepEqual(warnings, [
    `checkpoint ${ckpt(runDir, 4)} cannot be used: its header is damaged (not valid JSON); using step 2 (${ckpt(runDir, 2)}) instead`,
  ]);
});

test('a checkpoint of another format version is refused by name, by generate and by resume alike', async () => {
  const runDir = await trainedRun('version');
  const bytes = await readFile(ckpt(runDir, 4));
  const text = bytes.toString('latin1').replace('"version":2', '"version":3');
  await writeFile(ckpt(runDir, 4), Buffer.from(text, 'latin1'));
  const refused = /step-000004\.ckpt.*newer GAN Studio \(checkpoint format version 3/;
  await assert.rejects(generateImages({ runDir, outDir: join(root, 'version-out'), n: 1, seed: 1, rankByD: false }), refused);
  await assert.rejects(runTraining({ runDir, config: tinyConfig({ steps: 6 }), resume: true, cacheDir: '', images }), refused);
});

test('resume drops a half-written last metrics line instead of gluing the next record onto it', async () => {
  const runDir = await trainedRun('metrics');
  const stepsBefore = (await readMetrics(runDir)).map((m) => m.step);
  assert.deepEqual(stepsBefore, [1, 2, 3, 4]);
  // A crash in the middle of appending step 5's line.
  await appendFile(join(runDir, 'metrics.jsonl'), '{"step":5,"dLoss":1.38');
  const resumed = await runTraining({ runDir, config: tinyConfig({ steps: 6 }), resume: true, cacheDir: '', images });
  assert.equal(resumed.step, 6);
  assert.deepEqual((await readMetrics(runDir)).map((m) => m.step), [1, 2, 3, 4, 5, 6]);
  const lines = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8')).trimEnd().split('\n');
  assert.equal(lines.length, 6);
});

test('temp files left by a killed write are removed when the run is resumed', async () => {
  const runDir = await trainedRun('temps');
  const leftovers = [
    join(runDir, 'config.json.0123456789ab.tmp'),
    join(runDir, 'metrics.jsonl.a1b2c3d4e5f6.tmp'),
    join(runDir, 'checkpoints', 'step-000006.ckpt.00aa11bb22cc.tmp'),
    join(runDir, 'samples', 'step-000006.png.ffeeddccbbaa.tmp'),
  ];
  for (const path of leftovers) await writeFile(path, 'half a file');
  const mine = join(runDir, 'notes.tmp');
  await writeFile(mine, 'not ours');
  await runTraining({ runDir, config: tinyConfig({ steps: 6 }), resume: true, cacheDir: '', images });
  const all = [...(await readdir(runDir)), ...(await readdir(join(runDir, 'checkpoints'))), ...(await readdir(join(runDir, 'samples')))];
  assert.deepEqual(all.filter((n) => n.endsWith('.tmp')), ['notes.tmp']);
});

test('non-finite batch-norm statistics stop the run (finite losses notwithstanding) and keep the last good checkpoint', async () => {
  const runDir = await trainedRun('bn');
  // Weights this large are finite and keep the losses finite, but D's batch-norm variance overflows.
  await editCheckpoint(ckpt(runDir, 4), (c) => {
    const w = tensor(c, 'D/0');
    for (let i = 0; i < w.length; i++) w[i] *= 1e25;
  });
  const metrics: number[] = [];
  await assert.rejects(
    runTraining({ runDir, config: tinyConfig({ steps: 8 }), resume: true, cacheDir: '', images, hooks: { onMetrics: (m) => metrics.push(m.dLoss) } }),
    (error: Error) => {
      assert.match(error.message, /^training diverged at step 6: NaN or infinite values in D batch-norm statistics \(.*moving_variance\)/);
      assert.match(error.message, /The last good checkpoint \(step 4\) is kept\.$/);
      assert.ok(!error.message.includes('\n'));
      return true;
    },
  );
  assert.ok(metrics.every(Number.isFinite), 'the losses were finite');
  assert.deepEqual(await readdir(join(runDir, 'checkpoints')), ['step-000002.ckpt', 'step-000004.ckpt']);
});

test('exploding losses warn, then stop the run; the checkpoint from before the explosion is kept', async () => {
  const runDir = join(root, 'explode');
  const logs: string[] = [];
  // Learning rates of 0.999 send the losses past 1e2 within a few steps; the limits are scaled
  // down so that a few CPU steps show the whole course (the defaults: DEFAULT_DIVERGENCE_LIMITS).
  await assert.rejects(
    runTraining({
      runDir,
      config: tinyConfig({ steps: 40, lrD: 0.999, lrG: 0.999, checkpointEvery: 1, sampleEvery: 100, ema: 0 }),
      resume: false,
      cacheDir: '',
      images,
      divergence: { window: 3, warnLevel: 5, stopLevel: 1e9, patience: 4 },
      hooks: { onLog: (m) => logs.push(m) },
    } as Parameters<typeof runTraining>[0]),
    (error: Error) => {
      assert.match(error.message, /^training diverged: the losses have been exploding since step \d+ .*The last good checkpoint \(step \d+\) is kept\.$/);
      return true;
    },
  );
  const warning = logs.find((m) => /losses are exploding at step (\d+)/.test(m));
  assert.ok(warning, logs.join('\n'));
  const warnedAt = Number(/exploding at step (\d+)/.exec(warning)![1]);
  const steps = (await readdir(join(runDir, 'checkpoints'))).map((n) => Number(/step-(\d+)/.exec(n)![1]));
  assert.ok(steps.length > 0 && steps.every((s) => s < warnedAt), `checkpoints ${steps} were written after the warning at ${warnedAt}`);
});

test('two writers, one run: a second training of the same folder is refused while the first runs', async () => {
  const runDir = join(root, 'two-writers');
  const controller = new AbortController();
  let second: Promise<unknown> | null = null;
  const first = runTraining({
    runDir,
    config: tinyConfig({ steps: 50, checkpointEvery: 100 }),
    resume: false,
    cacheDir: '',
    images,
    signal: controller.signal,
    hooks: {
      onMetrics: (m) => {
        if (m.step !== 1) return;
        second = runTraining({ runDir, config: tinyConfig({ steps: 3, seed: 9 }), resume: false, cacheDir: '', images });
        void second.catch(() => undefined).finally(() => controller.abort());
      },
    },
  });
  const result = await first;
  assert.equal(result.state, 'stopped');
  await assert.rejects(second!, new RegExp(`is in use: another GAN Studio process \\(pid ${process.pid}\\)`));
  assert.equal((await readRunConfig(runDir)).seed, 3, "the second writer replaced the first's config");
  const steps = (await readMetrics(runDir)).map((m) => m.step);
  assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i + 1), 'metrics.jsonl interleaves two runs');
  // Released at the end: the folder can be resumed.
  await runTraining({ runDir, config: tinyConfig({ steps: result.step + 1 }), resume: true, cacheDir: '', images });
});

test('a stale lock (its process is gone) is taken over; a live one on another host is refused by name', async () => {
  const runDir = await trainedRun('stale');
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(gone.stdout);
  const lock = (owner: object) => writeFile(join(runDir, 'run.lock'), JSON.stringify(owner));
  await lock({ pid: deadPid, hostname: (await import('node:os')).hostname(), startedAt: '2024-01-01T00:00:00.000Z', token: 'dead' });
  const resumed = await runTraining({ runDir, config: tinyConfig({ steps: 5 }), resume: true, cacheDir: '', images });
  assert.equal(resumed.step, 5);
  assert.ok(!(await readdir(runDir)).includes('run.lock'), 'the lock outlived the run');
  // A lock file cut short (a crash while it was created where hard links are missing) is nobody's.
  await writeFile(join(runDir, 'run.lock'), '{"pid":12');
  assert.equal((await runTraining({ runDir, config: tinyConfig({ steps: 6 }), resume: true, cacheDir: '', images })).step, 6);

  await lock({ pid: 1, hostname: 'other-machine', startedAt: '2024-01-01T00:00:00.000Z', token: 'far' });
  await assert.rejects(
    runTraining({ runDir, config: tinyConfig({ steps: 7 }), resume: true, cacheDir: '', images }),
    /in use: another GAN Studio process \(pid 1 on other-machine\) .*if it no longer runs, delete .*run\.lock/,
  );
});

test('a damaged config.json gives one line naming the file, never the parser message', async () => {
  const runDir = await trainedRun('config');
  const path = join(runDir, 'config.json');
  const text = await readFile(path, 'utf8');
  await writeFile(path, text.slice(0, text.length / 2));
  for (const attempt of [
    () => readRunConfig(runDir),
    () => loadRun(runDir),
    () => runTraining({ runDir, config: tinyConfig({ steps: 6 }), resume: true, cacheDir: '', images }),
  ]) {
    await assert.rejects(attempt(), (error: Error) => {
      assert.equal(error.message, `${path} is damaged (not valid JSON; it may have been cut short): restore it from a backup, or delete the run`);
      return true;
    });
  }
  await writeFile(path, 'null');
  await assert.rejects(readRunConfig(runDir), (error: Error) => {
    assert.equal(error.message, `${path} does not hold a run configuration (it holds null): restore it from a backup, or delete the run`);
    return true;
  });
  // A config without its data key (kind 12: it read "Cannot read properties of undefined (reading 'folders')").
  const { data: _data, ...noData } = tinyConfig();
  await writeFile(path, JSON.stringify(noData));
  await assert.rejects(readRunConfig(runDir), (error: Error) => {
    assert.equal(error.message, `${path}: it lacks the settings data: restore it from a backup, or delete the run`);
    return true;
  });
});
