import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { Command } from 'commander';
import sharp from 'sharp';
import type { ImageBatch } from '../../engine/metrics';
import { shapesSet, sliceSet, uniformNoiseSet } from '../../engine/metrics/test-sets';
import { UsageError } from '../usage-error';
import { registerScore } from './score';
import type { QualityScores } from '../../engine/metrics';

const CLI = resolve(import.meta.dirname, '../gan-studio.mjs');
let root: string;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, GAN_STUDIO_HOME: join(root, 'home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Writes each image of the batch as a PNG (lossless, so the import reads back the same pixels). */
async function writeFolder(dir: string, batch: ImageBatch): Promise<string> {
  await mkdir(dir, { recursive: true });
  const px = batch.size * batch.size * 3;
  for (let i = 0; i < batch.count; i++) {
    const raw = Buffer.from(batch.pixels.subarray(i * px, (i + 1) * px));
    await sharp(raw, { raw: { width: batch.size, height: batch.size, channels: 3 } }).png().toFile(join(dir, `image-${String(i).padStart(3, '0')}.png`));
  }
  return dir;
}

/** What `score --json` prints: the engine's scores and the seed they were drawn with. */
type ScoreJson = QualityScores & { seed: number };

let real: string;
let heldOut: string;
let noise: string;
let notes: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-score-'));
  // One background for all: 40 images then sample the set well enough for the held-out half to score low.
  const shapes = shapesSet(80, 32, 1, { background: true });
  real = await writeFolder(join(root, 'real'), sliceSet(shapes, 0, 40));
  heldOut = await writeFolder(join(root, 'held-out'), sliceSet(shapes, 40, 40));
  noise = await writeFolder(join(root, 'noise'), uniformNoiseSet(40, 32, 2));
  notes = join(root, 'notes');
  await mkdir(notes);
  await writeFile(join(notes, 'notes.txt'), 'no pictures here\n');
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('score --json rates a held-out half of a folder far better than noise', async () => {
  const held = await cli(['score', '--real', real, '--fake', heldOut, '--size', '32', '--bins', '8', '--json']);
  assert.equal(held.code, 0, held.stderr);
  assert.equal(held.stderr, '', 'nothing but JSON with --json');
  const scores = JSON.parse(held.stdout) as ScoreJson;
  for (const key of ['swd', 'swdLevels', 'ndbK', 'ndbJs', 'memorised', 'counts']) assert.ok(key in scores, key);
  assert.deepEqual(scores.counts, { real: 40, fake: 40 });
  assert.deepEqual(scores.swdLevels.map((l) => l.size), [32, 16]);
  assert.equal(scores.bins, 8);
  assert.equal(scores.seed, 0);

  const text = await cli(['score', '--real', real, '--fake', noise, '--size', '32', '--bins', '8']);
  assert.equal(text.code, 0, text.stderr);
  const swd = Number(/^SWD ×10³: ([\d.]+) \(32 px [\d.]+, 16 px [\d.]+; lower is better\)$/m.exec(text.stdout)?.[1]);
  assert.ok(swd > 4 * scores.swd, `noise ${swd} against held-out ${scores.swd}`);
  assert.match(text.stdout, /^NDB\/K: [\d.]+ \(\d+ of 8 bins differ at p < 0\.05\), JS [\d.]+$/m);
  assert.match(text.stdout, /^memorised: 0\.000 /m);
  assert.match(text.stdout, /^scored 40 real against 40 generated images at 32 px, seed 0$/m);
});

test('score --run draws the same images as generate --seed; bad input is a one-line usage error (exit code 2)', async () => {
  const run = join(root, 'run');
  const tiny = ['--size', '32', '--width', '4', '--latent', '8', '--batch', '4', '--backend', 'cpu'];
  const trained = await cli(['train', '--data', real, '--out', run, ...tiny, '--steps', '2', '--json']);
  assert.equal(trained.code, 0, trained.stderr);

  const fromRun = await cli(['score', '--real', real, '--run', run, '--n', '12', '--seed', '3', '--bins', '4', '--json']);
  assert.equal(fromRun.code, 0, fromRun.stderr);
  const generated = await cli(['generate', '--run', run, '--n', '12', '--seed', '3', '--out', join(root, 'generated'), '--backend', 'cpu']);
  assert.equal(generated.code, 0, generated.stderr);
  const fromFolder = await cli(['score', '--real', real, '--fake', join(root, 'generated'), '--size', '32', '--n', '12', '--seed', '3', '--bins', '4', '--json']);
  assert.equal(fromFolder.code, 0, fromFolder.stderr);
  assert.deepEqual(JSON.parse(fromRun.stdout), JSON.parse(fromFolder.stdout));
  assert.deepEqual((JSON.parse(fromRun.stdout) as ScoreJson).counts, { real: 12, fake: 12 });

  const bad: Array<[string[], RegExp]> = [
    [['--fake', heldOut], /^--real DIR is required$/],
    [['--real', real], /^give either --fake DIR or --run RUN \(one of them\)$/],
    [['--real', real, '--fake', heldOut, '--run', run], /^give either --fake DIR or --run RUN/],
    [['--real', real, '--fake', heldOut, '--size', '12'], /^--size must be an integer of at least 16, got "12"$/],
    [['--real', real, '--fake', heldOut, '--size', '36'], /^--size must be a multiple of 8 from 16 to 1024, got "36"$/],
    [['--real', real, '--run', run, '--size', '64'], /^--size: the run makes 32 px images/],
    [['--real', real, '--fake', join(root, 'missing')], /^--fake: Folder not found: .*missing$/],
    [['--real', notes, '--fake', heldOut], /^--real: No usable image in .*notes: 1 file skipped \(1 not image\)\.$/],
    [['--real', real, '--fake', heldOut, '--n', '1'], /^--n must be an integer of at least 2, got "1"$/],
  ];
  // In this process (each child process costs a second of start-up): the usage error's one line.
  process.env.GAN_STUDIO_HOME = join(root, 'home');
  for (const [args, message] of bad) {
    const program = new Command('gan-studio').exitOverride();
    registerScore(program);
    await assert.rejects(
      program.parseAsync(['node', 'gan-studio', 'score', ...args]),
      (error: unknown) => error instanceof UsageError && message.test(error.message) && !error.message.includes('\n'),
      args.join(' '),
    );
  }
  // And once through the real command line: that line on stderr, exit code 2.
  const result = await cli(['score', '--real', real, '--fake', join(root, 'missing')]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^gan-studio: --fake: Folder not found: .*missing\n$/);
});
