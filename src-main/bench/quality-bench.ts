/**
 * The quality benchmark of issue 12 (not a timed test): trains the product's defaults and the PyTorch
 * DCGAN reference (../shared/bench/torch_train_ref.py) on the same images for the same images seen, and
 * scores both with `gan-studio score` against the held-out half, beside the GMM baseline and the held-out
 * real half itself.
 *
 *   node --import tsx src-main/bench/quality-bench.ts [--dir DIR] [--seeds 3] [--points 16000,64000]
 *        [--long 256000] [--few] [--arms product,torch] [--plan: the plan and the table so far] [-- extra train flags for the product]
 *
 * `--seeds N --first-seed S` runs seeds S … S+N−1.
 * The set: DiceBear lorelei avatars (@dicebear/collection 9), seeds 0–3999, 64 px PNG, made here on first use
 * and split 50/50 by a fixed seed: both arms train on the first half and are scored against the second.
 * The product trains with --held-out 0 (see productFlags). Images seen = real images shown to D (k × batch per generator step). The product's run is trained to each
 * point in turn (`train --resume --steps` continues it); the reference, which cannot resume, runs once per point.
 * Resumable: each finished cell leaves DIR/results/<cell>.json and is skipped next time; an interrupted
 * product run resumes from its checkpoint. The plan (cells, images seen, an estimate of the time) prints first.
 * `--few`: the memorisation case (100 training images at 64 px, 100,000 images seen).
 * Needs /usr/bin/python3 with torch, PIL and numpy (apt-get install python3-torch python3-pil
 * libopenblas0-pthread).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createAvatar } from '@dicebear/core';
import { lorelei } from '@dicebear/collection';
import { Rng } from '../engine/rng';
import { flagOf, RUN_OPTIONS } from '../shared/schema';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'src-main/cli/gan-studio.mjs');
const torchRef = resolve(root, '../shared/bench/torch_train_ref.py');
const python = process.env.PYTHON ?? '/usr/bin/python3';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: 'string', default: join(homedir(), '.cache/gan-studio-bench') },
    seeds: { type: 'string', default: '3' },
    'first-seed': { type: 'string', default: '0' },
    points: { type: 'string', default: '16000,64000' },
    long: { type: 'string', default: '' },
    few: { type: 'boolean', default: false },
    arms: { type: 'string', default: 'product,torch' },
    plan: { type: 'boolean', default: false },
    tag: { type: 'string', default: 'product' },
    n: { type: 'string', default: '1000' },
  },
});
const dir = resolve(values.dir);
// The product holds out none of the training half (its --held-out share): the benchmark brings its own held-out
// half, and both arms must train on the same images. Extra flags after `--` may still set it.
const heldOutFlag = `--${flagOf('heldOut', RUN_OPTIONS.heldOut)}`;
const productFlags = positionals.includes(heldOutFlag) ? positionals : [heldOutFlag, '0', ...positionals];
const scoreN = Number(values.n);
const arms = values.arms.split(',');

/** Runs a command, streaming its stderr; returns stdout. Throws with the command line when it fails. */
function run(cmd: string, args: string[]): string {
  const result = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}`);
  return result.stdout;
}

function lastJsonLine(text: string): Record<string, unknown> {
  const lines = text.trim().split('\n').filter((l) => l.startsWith('{'));
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

/** Writes through a temporary name, so a killed benchmark never leaves half a result. */
function writeResult(name: string, value: unknown): void {
  const file = join(dir, 'results', `${name}.json`);
  mkdirSync(join(dir, 'results'), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 1));
  renameSync(`${file}.tmp`, file);
}

function result(name: string): Record<string, unknown> | null {
  const file = join(dir, 'results', `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : null;
}

/** DiceBear lorelei seeds 0–3999 at 64 px, split 50/50 by a fixed seed into train/ and heldout/. */
async function ensureSet(): Promise<{ train: string; heldout: string }> {
  const base = join(dir, 'dicebear-lorelei-64');
  const train = join(base, 'train');
  const heldout = join(base, 'heldout');
  if (existsSync(join(base, 'done'))) return { train, heldout };
  rmSync(base, { recursive: true, force: true });
  mkdirSync(train, { recursive: true });
  mkdirSync(heldout, { recursive: true });
  const order = Array.from({ length: 4000 }, (_, i) => i);
  const rng = new Rng(20261130);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let rank = 0; rank < order.length; rank++) {
    const seed = order[rank]!;
    const svg = createAvatar(lorelei, { seed: String(seed), size: 64 }).toString();
    const folder = rank < 2000 ? train : heldout;
    await sharp(Buffer.from(svg)).png().toFile(join(folder, `lorelei-${String(seed).padStart(4, '0')}.png`));
    if (rank % 500 === 499) process.stderr.write(`dicebear: ${rank + 1}/4000\n`);
  }
  writeFileSync(join(base, 'done'), '');
  return { train, heldout };
}

/** The first n training images, for the memorisation case. */
/** The first n images of a folder of the set, copied once (named after the folder, so each half gets its own). */
function ensureSubset(source: string, n: number): string {
  const out = join(dir, `dicebear-lorelei-64-${basename(source)}${n}`);
  if (existsSync(join(out, 'done'))) return out;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(source).sort().slice(0, n)) copyFileSync(join(source, file), join(out, file));
  writeFileSync(join(out, 'done'), '');
  return out;
}

function score(real: string, fake: string, size: number): Record<string, unknown> {
  return lastJsonLine(run('node', [cli, 'score', '--real', real, '--fake', fake, '--size', String(size), '--n', String(scoreN), '--seed', '0', '--backend', 'wasm', '--json']));
}

/** The product's batch and k under its defaults and the extra flags (images seen per step = k × batch). */
function productShape(): { k: number; batch: number } {
  const get = (flag: string, fallback: number) => {
    const i = productFlags.indexOf(flag);
    return i >= 0 ? Number(productFlags[i + 1]) : fallback;
  };
  return { k: get('--k', 1), batch: get('--batch', 32) };
}

interface Cell {
  name: string;
  cost: string;
  images: number;
  /** Training iterations the cell runs and at what shape, for the planned time; none for scoring-only cells. */
  iterations?: { arm: 'product' | 'torch'; count: number; size: number; batch: number };
  act: () => Record<string, unknown>;
}

const { train, heldout } = await ensureSet();
// --first-seed lets two copies of the script run different seeds side by side (their cells never overlap).
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => Number(values['first-seed']) + i);
const points = values.points.split(',').filter(Boolean).map(Number);
const cells: Cell[] = [];
const tag = values.tag;

function productCells(data: string, real: string, size: number, seed: number, pts: number[], label: string, memorisationAgainst?: string): void {
  const { k, batch } = productShape();
  const perStep = k * batch;
  const runDir = join(dir, 'runs', `${label}-s${seed}`);
  for (const images of pts) {
    const steps = Math.round(images / perStep);
    cells.push({
      name: `${label}-s${seed}-${images}`,
      images,
      cost: `${steps} generator steps (continues the same run)`,
      iterations: { arm: 'product', count: k * (steps - (pts[pts.indexOf(images) - 1] ?? 0) / perStep), size, batch },
      act: () => {
        const resume = existsSync(join(runDir, 'config.json'));
        const args = [cli, 'train', '--data', data, '--out', runDir, '--size', String(size), '--steps', String(steps), '--seed', String(seed + 1), '--checkpoint-every', '250', '--sample-every', '1000', ...(resume ? ['--resume'] : productFlags)];
        run('node', args);
        const samples = join(dir, 'samples', `${label}-s${seed}-${images}`);
        rmSync(samples, { recursive: true, force: true });
        run('node', [cli, 'generate', '--run', runDir, '--n', String(scoreN), '--seed', '7', '--out', samples]);
        const scores = score(real, samples, size);
        const memo = memorisationAgainst ? score(memorisationAgainst, samples, size) : null;
        return { arm: 'product', flags: productFlags, seed, images, steps, scores, memorisedVsTrain: memo?.memorised ?? null };
      },
    });
  }
}

function torchCells(data: string, real: string, size: number, seed: number, pts: number[], label: string, width: number, batch: number, memorisationAgainst?: string): void {
  for (const images of pts) {
    const iters = Math.round(images / batch);
    cells.push({
      name: `${label}-s${seed}-${images}`,
      images,
      cost: `${iters} iterations (a fresh run)`,
      iterations: { arm: 'torch', count: iters, size, batch },
      act: () => {
        const samples = join(dir, 'samples', `${label}-s${seed}-${images}`);
        rmSync(samples, { recursive: true, force: true });
        run(python, [torchRef, '--data', data, '--out', samples, '--size', String(size), '--width', String(width), '--batch', String(batch), '--iters', String(iters), '--samples', String(scoreN), '--seed', String(seed)]);
        const scores = score(real, samples, size);
        const memo = memorisationAgainst ? score(memorisationAgainst, samples, size) : null;
        return { arm: 'torch', seed, images, iters, scores, memorisedVsTrain: memo?.memorised ?? null };
      },
    });
  }
}

if (!values.few) {
  cells.push({ name: 'heldout', images: 0, cost: 'scoring only', act: () => ({ arm: 'held-out real half', scores: score(heldout, train, 32) }) });
  cells.push({
    name: 'gmm-k50',
    images: 0,
    cost: 'an EM fit at 32 px',
    act: () => {
      const out = join(dir, 'samples', 'gmm-k50');
      rmSync(out, { recursive: true, force: true });
      run('node', [cli, 'gmm', '--data', train, '--size', '32', '--components', '50', '--pca', '64', '--n', String(scoreN), '--out', out]);
      return { arm: 'GMM K 50, PCA 64, diag', scores: score(heldout, join(out, 'samples'), 32) };
    },
  });
  for (const seed of seeds) {
    if (arms.includes('product')) productCells(train, heldout, 32, seed, points, tag);
    if (arms.includes('torch')) torchCells(train, heldout, 32, seed, points, 'torch', 32, 64);
  }
  if (values.long) {
    const long = Number(values.long);
    if (arms.includes('product')) productCells(train, heldout, 32, 0, [long], tag);
    if (arms.includes('torch')) torchCells(train, heldout, 32, 0, [long], 'torch', 32, 64);
  }
} else {
  const few = ensureSubset(train, 100);
  cells.push({ name: 'few-heldout', images: 0, cost: 'scoring only', act: () => ({ arm: 'held-out real (100 vs 100 training)', scores: score(few, ensureSubset(heldout, 100), 64) }) });
  for (const seed of seeds) {
    if (arms.includes('product')) productCells(few, heldout, 64, seed, [100_000], `few-${tag}`, few);
    if (arms.includes('torch')) torchCells(few, heldout, 64, seed, [100_000], 'few-torch', 32, 32, few);
  }
}

/** The table of finished cells: mean ± std over seeds per arm and images seen. */
function printTable(): void {
  const rows = new Map<string, number[][]>();
  for (const c of cells) {
    const r = result(c.name);
    if (!r) continue;
    const s = r.scores as { swd: number; ndbK: number; memorised: number };
    const key = c.name.replace(/-s\d+-/, ' @ ');
    rows.set(key, [...(rows.get(key) ?? []), [s.swd, s.ndbK, s.memorised, (r.memorisedVsTrain as number | null) ?? NaN]]);
  }
  const stat = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
    return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
  };
  console.log(`\n${'cell'.padEnd(30)} ${'n'.padStart(2)} ${'SWD ×1e3'.padStart(18)} ${'NDB/K'.padStart(16)} ${'memorised (vs held-out)'.padStart(24)} ${'memorised (vs train)'.padStart(22)}`);
  for (const [key, values] of rows) {
    const col = (i: number) => stat(values.map((v) => v[i]!));
    console.log(`${key.padEnd(30)} ${String(values.length).padStart(2)} ${col(0).padStart(18)} ${col(1).padStart(16)} ${col(2).padStart(24)} ${col(3).padStart(22)}`);
  }
}

const todo = cells.filter((c) => !result(c.name));
console.log(`quality benchmark in ${dir}: ${cells.length} cells, ${todo.length} to run`);
for (const c of todo) console.log(`  ${c.name.padEnd(28)} ${String(c.images).padStart(7)} images seen · ${c.cost}`);
/**
 * The planned time: each arm's milliseconds per iteration at the cell's shape, timed now for a few iterations
 * (the product with `bench --fresh-fakes` as `train` runs; PyTorch with torch_dcgan.py), times the iterations.
 */
function msPerIteration(arm: 'product' | 'torch', size: number, batch: number): number {
  const line =
    arm === 'product'
      ? lastJsonLine(run('node', [cli, 'bench', '--arch', 'dcgan', '--size', String(size), '--width', '32', '--batch', String(batch), '--steps', '3', '--fresh-fakes', '--backend', 'wasm', '--json']))
      : lastJsonLine(run(python, [resolve(root, '../shared/bench/torch_dcgan.py'), '--size', String(size), '--width', '32', '--batch', String(batch), '--steps', '3']));
  return Number(line.msPerIter);
}
const timed = new Map<string, number>();
let plannedMs = 0;
for (const c of todo) {
  if (!c.iterations) continue;
  const { arm, count, size, batch } = c.iterations;
  const key = `${arm} ${size} ${batch}`;
  if (!timed.has(key)) timed.set(key, msPerIteration(arm, size, batch));
  plannedMs += timed.get(key)! * count;
}
for (const [key, ms] of timed) console.log(`  timed now: ${key.replace(/ (\d+) (\d+)$/, ' at $1 px, batch $2')}: ${ms.toFixed(0)} ms per iteration`);
console.log(`planned training time ≈ ${(plannedMs / 60000).toFixed(0)} min (dcgan width 32 as a stand-in for the product's recipe; plus about a minute of scoring per cell)`);
if (values.plan) {
  printTable();
  process.exit(0);
}
for (const c of todo) {
  const started = Date.now();
  console.log(`running ${c.name} …`);
  const value = c.act();
  writeResult(c.name, { ...value, seconds: Math.round((Date.now() - started) / 1000) });
  console.log(`  done in ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify((value as { scores: unknown }).scores)}`);
}

printTable();
