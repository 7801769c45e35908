/**
 * The command line against damaged, contested and full run folders (issue 11, kinds 6, 7, 11, 12),
 * as real child processes. The disk-full cases mount a small tmpfs in a user namespace
 * (`unshare -rm`); where that is not allowed they are skipped, saying why.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { writePatternPngs } from '../../data/test-fixtures';
import { CLI_ENTRY, runCommand, type CommandResult } from '../test-cli';
import { decodeCheckpoint, encodeCheckpoint } from '../../engine/checkpoint';

let root: string;
let data: string;

type Result = CommandResult;
const run = (command: string, args: string[], env: NodeJS.ProcessEnv = {}, onStdout?: (stdout: string) => void): Promise<Result> =>
  runCommand(command, args, { GAN_STUDIO_HOME: join(root, 'home'), ...env }, onStdout);

const cli = (args: string[], env?: NodeJS.ProcessEnv, onStdout?: (stdout: string) => void) => run(process.execPath, [CLI_ENTRY, ...args], env, onStdout);

/** The gan-studio: line(s) of stderr, without tfjs's banner and the progress notes. */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('gan-studio:'));
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const tiny = ['--size', '32', '--width', '4', '--latent', '8', '--batch', '4', '--backend', 'cpu'];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-cli-faults-'));
  data = join(root, 'pngs');
  await writePatternPngs(data);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('two train commands into one --out: the second is refused at once, the first run stays whole', async () => {
  const out = join(root, 'two');
  let second: Promise<Result> | null = null;
  let firstPid = 0;
  const first = new Promise<Result>((done, fail) => {
    const child = spawn(process.execPath, [CLI_ENTRY, 'train', '--data', data, '--out', out, ...tiny, '--steps', '300', '--checkpoint-every', '1000', '--json'], {
      env: { ...process.env, GAN_STUDIO_HOME: join(root, 'home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    firstPid = child.pid!;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (!second && stdout.includes('\n')) {
        second = cli(['train', '--data', data, '--out', out, ...tiny, '--steps', '3', '--seed', '7', '--json']);
        void second.finally(() => child.kill('SIGTERM'));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
  const firstResult = await first;
  const secondResult = await second!;
  assert.equal(secondResult.code, 1, secondResult.stderr);
  assert.equal(secondResult.stdout, '');
  const lines = errorLines(secondResult.stderr);
  assert.equal(lines.length, 1, secondResult.stderr);
  assert.match(
    lines[0],
    new RegExp(`^gan-studio: ${escape(out)} is in use: another GAN Studio process \\(pid ${firstPid}\\) has been writing it since \\S+\\. Wait for it to finish or stop it$`),
  );
  assert.ok(!/backend:/.test(secondResult.stderr), 'the refusal came only after a backend started');
  assert.equal(firstResult.code, 143, firstResult.stderr);
  const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
  assert.equal(config.seed, 1, "the second command replaced the first's config");
  const steps = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).step);
  assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i + 1), 'metrics.jsonl interleaves two runs');
  assert.ok(!(await readdir(out)).includes('run.lock'), 'the lock outlived the command');
});

test('a truncated config.json: generate and train --resume say so in one line naming the file', async () => {
  const out = join(root, 'cut');
  const first = await cli(['train', '--data', data, '--out', out, ...tiny, '--steps', '1', '--sample-every', '100']);
  assert.equal(first.code, 0, first.stderr);
  const path = join(out, 'config.json');
  const text = await readFile(path, 'utf8');
  await writeFile(path, text.slice(0, 40));
  const expected = `gan-studio: ${path} is damaged (not valid JSON; it may have been cut short): restore it from a backup, or delete the run`;
  for (const args of [
    ['generate', '--run', out, '--out', join(root, 'cut-gen'), '--backend', 'cpu'],
    ['train', '--out', out, '--resume', '--steps', '3', '--backend', 'cpu'],
  ]) {
    const result = await cli(args);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(errorLines(result.stderr), [expected]);
    assert.ok(!/Unexpected|JSON input|at .*\.ts:/.test(result.stderr), result.stderr);
  }
});

test('a model gone non-finite (batch-norm statistics) ends train with exit 1 and one line; the good checkpoint stays', async () => {
  const out = join(root, 'bn');
  const first = await cli(['train', '--data', data, '--out', out, ...tiny, '--steps', '2', '--checkpoint-every', '2', '--sample-every', '100']);
  assert.equal(first.code, 0, first.stderr);
  const path = join(out, 'checkpoints', 'step-000002.ckpt');
  const checkpoint = decodeCheckpoint(new Uint8Array(await readFile(path)));
  const entry = checkpoint.json.tensors.find((t) => t.name === 'D/0')!;
  // Finite weights, finite losses, but D's batch-norm variance overflows on the next step.
  for (let i = entry.offset; i < entry.offset + entry.length; i++) checkpoint.binary[i] *= 1e25;
  checkpoint.json = { ...checkpoint.json, version: 1 };
  delete checkpoint.json.checksum;
  await writeFile(path, encodeCheckpoint(checkpoint));
  const resumed = await cli(['train', '--out', out, '--resume', '--steps', '6', '--sample-every', '2', '--backend', 'cpu', '--json']);
  assert.equal(resumed.code, 1, resumed.stderr);
  const lines = errorLines(resumed.stderr);
  assert.equal(lines.length, 1, resumed.stderr);
  assert.match(lines[0], /^gan-studio: training diverged at step 4: NaN or infinite values in D batch-norm statistics .*The last good checkpoint \(step 2\) is kept\.$/);
  assert.deepEqual(await readdir(join(out, 'checkpoints')), ['step-000002.ckpt']);
});

function userNamespaces(): string | null {
  const probe = spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs "${tmpdir()}" && echo ok`], { encoding: 'utf8' });
  return probe.stdout.trim() === 'ok' ? null : `needs unshare -rm to mount a small tmpfs (${(probe.stderr || String(probe.error)).trim()})`;
}

/**
 * Runs the CLI with `mountPoint` on a tmpfs of `bytes`, in its own mount namespace, then copies
 * what the command left there to `snapshot` (the tmpfs vanishes with the namespace).
 */
function cliOnSmallDisk(mountPoint: string, bytes: number, snapshot: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Result> {
  const quoted = [process.execPath, CLI_ENTRY, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `mount -t tmpfs -o size=${bytes} tmpfs '${mountPoint}' || exit 99; ${quoted}; rc=$?; cp -a '${mountPoint}/.' '${snapshot}/'; exit $rc`;
  return run('unshare', ['-rm', 'sh', '-c', script], env);
}

const pages = (bytes: number) => Math.ceil(bytes / 4096) * 4096;

test('a full --out disk: the message names the file, the intact checkpoint by step, and how to resume', async (t) => {
  const why = userNamespaces();
  if (why) return t.skip(why);
  // The sizes of a run's files, from the same run on a roomy disk.
  const reference = join(root, 'full-reference');
  const args = (out: string) => ['train', '--data', data, '--out', out, ...tiny, '--steps', '6', '--checkpoint-every', '2', '--sample-every', '100'];
  const roomy = await cli(['train', '--data', data, '--out', reference, ...tiny, '--steps', '2', '--checkpoint-every', '2', '--sample-every', '100']);
  assert.equal(roomy.code, 0, roomy.stderr);
  const checkpointBytes = (await stat(join(reference, 'checkpoints', 'step-000002.ckpt'))).size;
  const used =
    pages((await stat(join(reference, 'config.json'))).size) +
    pages((await stat(join(reference, 'samples', 'step-000000.png'))).size) +
    pages((await stat(join(reference, 'metrics.jsonl'))).size) +
    pages(checkpointBytes) +
    pages(200); // run.lock
  // Room for everything up to the step-2 checkpoint, and half of the next one.
  const disk = join(root, 'small-out');
  const snapshot = join(root, 'small-out-after');
  await mkdir(disk);
  await mkdir(snapshot);
  const out = join(disk, 'run');
  const full = await cliOnSmallDisk(disk, used + pages(checkpointBytes / 2), snapshot, args(out));
  assert.equal(full.code, 1, full.stderr);
  assert.deepEqual(errorLines(full.stderr), [
    `gan-studio: training stopped: the disk is full (writing ${out}/checkpoints/step-000004.ckpt). ` +
      `The last checkpoint (step 2, ${out}/checkpoints/step-000002.ckpt) is intact: free space on that disk, ` +
      `then continue with: gan-studio train --resume --out ${out}.`,
  ]);
  const kept = join(snapshot, 'run');
  assert.deepEqual(await readdir(join(kept, 'checkpoints')), ['step-000002.ckpt'], 'a temp file or a broken checkpoint was left');
  assert.deepEqual(decodeCheckpoint(new Uint8Array(await readFile(join(kept, 'checkpoints', 'step-000002.ckpt')))).json.step, 2);
});

test('a full app data folder reads differently from a full --out: it names the folder and GAN_STUDIO_HOME', async (t) => {
  const why = userNamespaces();
  if (why) return t.skip(why);
  const home = join(root, 'small-home');
  const snapshot = join(root, 'small-home-after');
  await mkdir(home);
  await mkdir(snapshot);
  const out = join(root, 'home-full-run');
  // 8 KiB: the dataset cache (24 KiB of pixels) does not fit.
  const result = await cliOnSmallDisk(home, 8192, snapshot, ['train', '--data', data, '--out', out, ...tiny, '--steps', '2'], { GAN_STUDIO_HOME: home });
  assert.equal(result.code, 1, result.stderr);
  const lines = errorLines(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(
    lines[0],
    new RegExp(
      `^gan-studio: training stopped: the GAN Studio data folder ${escape(home)} is full \\(writing ${escape(home)}/cache/datasets/[0-9a-f]+/pixels\\.bin\\)\\. ` +
        `No checkpoint was written yet: free space there \\(or move the folder with GAN_STUDIO_HOME\\), then start the run again\\.$`,
    ),
  );
});

test('writes outside training on a full disk: generate into a full --out, an upload into a full app data folder', async (t) => {
  const why = userNamespaces();
  if (why) return t.skip(why);
  const runDir = join(root, 'gen-source');
  const trained = await cli(['train', '--data', data, '--out', runDir, ...tiny, '--steps', '1', '--sample-every', '100']);
  assert.equal(trained.code, 0, trained.stderr);
  const disk = join(root, 'small-gen');
  const snapshot = join(root, 'small-gen-after');
  await mkdir(disk);
  await mkdir(snapshot);
  const generated = await cliOnSmallDisk(disk, 8192, snapshot, ['generate', '--run', runDir, '--n', '40', '--out', join(disk, 'images'), '--seed', '1', '--backend', 'cpu']);
  assert.equal(generated.code, 1, generated.stderr);
  assert.deepEqual(errorLines(generated.stderr).length, 1, generated.stderr);
  assert.match(
    errorLines(generated.stderr)[0],
    new RegExp(`^gan-studio: the disk is full \\(writing ${escape(disk)}/images/image-\\d{4}\\.png\\): free space on that disk, then try again$`),
  );
  assert.ok(!(await readdir(join(snapshot, 'images'))).some((name) => name.endsWith('.tmp')), 'a temp file was left');

  // The host (browser mode, Electron) answers the same way: an upload into a full app data folder.
  const home = join(root, 'small-upload-home');
  await mkdir(home);
  const script = join(root, 'upload-probe.mjs');
  await writeFile(
    script,
    `const { createHost } = await import(${JSON.stringify(resolve(import.meta.dirname, '../../host/services.ts'))});
const { TrainerClient } = await import(${JSON.stringify(resolve(import.meta.dirname, '../../host/trainer-client.ts'))});
const { appPaths } = await import(${JSON.stringify(resolve(import.meta.dirname, '../../disk/app-paths.ts'))});
const trainer = new TrainerClient(() => { throw new Error('no trainer in this test'); });
const host = createHost({ paths: appPaths(${JSON.stringify(home)}), trainer, mode: 'browser', version: '0' });
const bytes = Buffer.alloc(64 * 1024, 7);
await host.handlers['datasets.upload']({ name: 'big' })
  .then(({ uploadId }) => host.receiveUpload(uploadId, 'a.png', (async function* () { yield bytes; })(), bytes.length))
  .then(() => console.log('uploaded'), (e) => console.log(e.constructor.name + ': ' + e.message));
`,
  );
  const upload = await run('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=16k tmpfs '${home}' && exec '${process.execPath}' --import tsx '${script}'`]);
  assert.match(
    upload.stdout.trim(),
    new RegExp(
      `^HostError: the GAN Studio data folder ${escape(home)} is full \\(writing ${escape(home)}/uploads/[\\w.-]+/a\\.png\\): ` +
        'free space there \\(or move the folder with GAN_STUDIO_HOME\\), then try again$',
    ),
    upload.stderr,
  );
});
