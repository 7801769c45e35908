/**
 * D as an evaluator, measured (issue 15): the n images D ranks highest of 4n against the first n of the same
 * draw, by the quality scores. A known case (a D that prefers real images), and a real run's report checked
 * against the scores of the two sets `generate` writes.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { serializeGan } from '../engine/checkpoint';
import { createGan, disposeGan } from '../engine/gan';
import { HELD_OUT_SEED, scoringSets, splitHeldOut } from '../engine/held-out';
import type { ImageBatch } from '../engine/metrics/images';
import { evalReferenceSeed, QualityEvaluator } from '../engine/quality-eval';
import { Rng } from '../engine/rng';
import { tinyImageSet } from '../data/test-fixtures';
import { writeCheckpoint } from '../disk/checkpoint-files';
import { readRunConfig, writeRunConfig } from '../disk/run-folder';
import { describeRankCheck } from '../shared/rank-check';
import { defaultRunConfig } from '../shared/schema';
import { compareRanking, generateImages, measureRanking, rankVerdict } from './generation';

let root: string;

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-rank-check-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('a D that prefers real images: its top n score better than n drawn at random; a D that prefers noise: worse', () => {
  const real = tinyImageSet();
  const stride = real.size * real.size * 3;
  const n = 8;
  // 4n drawn: even draws are copies of real images, odd draws uniform noise; the first n are half and half.
  const drawn: ImageBatch = { size: real.size, count: 4 * n, pixels: new Uint8Array(4 * n * stride) };
  const rng = new Rng(2);
  const likesReal = new Float32Array(4 * n);
  for (let i = 0; i < 4 * n; i++) {
    if (i % 2 === 0) {
      const source = (i / 2) % real.count;
      drawn.pixels.set(real.pixels.subarray(source * stride, (source + 1) * stride), i * stride);
      likesReal[i] = 1;
    } else {
      for (let j = 0; j < stride; j++) drawn.pixels[i * stride + j] = rng.int(256);
    }
  }
  const evaluator = new QualityEvaluator({ seed: 1, prior: 'normal', latent: 8, size: 32, k: 1, batch: 4, evalSamples: 100 }, real);
  const good = compareRanking(drawn, likesReal, n, (b) => evaluator.score(b));
  assert.equal(good.verdict, 'helps', `ranked SWD ${good.ranked.swd} vs random ${good.random.swd}`);
  assert.ok(good.ranked.swd < good.random.swd / 2);
  assert.ok(good.ranked.ndbK <= good.random.ndbK);
  const likesNoise = likesReal.map((s) => 1 - s);
  const bad = compareRanking(drawn, likesNoise, n, (b) => evaluator.score(b));
  assert.equal(bad.verdict, 'does-not-help');
  assert.ok(bad.ranked.swd > bad.random.swd);
  assert.deepEqual(bad.random, good.random, 'the random set is the first n drawn, whatever D says');
  assert.throws(() => compareRanking(drawn, likesReal.subarray(1), n, (b) => evaluator.score(b)), /one D score per drawn image/);
  // SWD better but NDB/K worse: the scores disagree.
  assert.equal(rankVerdict({ ...good.random, swd: 1, ndbK: 0.5 }, { ...good.random, swd: 2, ndbK: 0.3 }), 'mixed');
  assert.equal(rankVerdict({ ...good.random, swd: 2, ndbK: 0.3 }, { ...good.random, swd: 2, ndbK: 0.3 }), 'does-not-help');
});

test("a run's report: its numbers are the scores of the images generate writes ranked and unranked", async () => {
  const runDir = join(root, 'run');
  const images = tinyImageSet();
  const config = defaultRunConfig({
    size: 32, width: 4, latent: 8, ema: 0, seed: 3, heldOut: 0.25, evalSamples: 100,
    data: { folders: ['/nowhere'], settings: { size: 32, mode: 'crop', background: '#ffffff' } },
    split: { seed: HELD_OUT_SEED, images: images.count, heldOut: 4 },
  });
  await writeRunConfig(runDir, config);
  const state = createGan(config);
  await writeCheckpoint(runDir, await serializeGan(state));
  disposeGan(state);

  const n = 5;
  const check = await measureRanking({ runDir, n, seed: 7, cacheDir: '', images });
  assert.deepEqual([check.n, check.drawn, check.seed, check.step, check.against, check.real], [n, 20, 7, 0, 'held-out', 4]);
  assert.equal(check.verdict, rankVerdict(check.ranked, check.random));

  // The same sets, as generate writes them, scored against the same real side.
  const read = async (paths: string[]): Promise<ImageBatch> => {
    const pixels = new Uint8Array(paths.length * 32 * 32 * 3);
    for (const [i, path] of paths.entries()) pixels.set(await sharp(path).removeAlpha().raw().toBuffer(), i * 32 * 32 * 3);
    return { size: 32, count: paths.length, pixels };
  };
  const ranked = await generateImages({ runDir, outDir: join(root, 'ranked'), n, seed: 7, rankByD: true });
  const random = await generateImages({ runDir, outDir: join(root, 'random'), n, seed: 7, rankByD: false });
  const saved = await readRunConfig(runDir);
  const sets = scoringSets(images, splitHeldOut(images.count, saved.heldOut, HELD_OUT_SEED), saved.evalSamples, evalReferenceSeed(saved.seed));
  const evaluator = new QualityEvaluator(saved, sets.real, sets.training);
  assert.deepEqual(check.ranked, evaluator.score(await read(ranked.map((i) => i.path))));
  assert.deepEqual(check.random, evaluator.score(await read(random.map((i) => i.path))));

  const line = describeRankCheck(check);
  assert.ok(line.startsWith(`D's top 5 of 20: SWD ×10³ ${check.ranked.swd.toFixed(1)} vs random ${check.random.swd.toFixed(1)}, NDB/K ${check.ranked.ndbK.toFixed(2)} vs ${check.random.ndbK.toFixed(2)}`), line);
  assert.match(line, /against 4 held-out images at 32 px\) — (D's ranking (helps|does not help) here|the two scores disagree: D's ranking neither clearly helps nor hurts here) \(only 5 images each: noisy\)$/);
  await assert.rejects(measureRanking({ runDir, n: 1001, seed: 7, cacheDir: '', images }), /n must be a whole number from 1 to 1000/);
});

test("a 2-image run holding one out cannot measure D's ranking: one line that says why, not the scores' own error", async () => {
  const runDir = join(root, 'two');
  const images = tinyImageSet();
  const two = { size: images.size, count: 2, pixels: images.pixels.slice(0, 2 * images.size * images.size * 3) };
  const config = defaultRunConfig({
    size: 32, width: 4, latent: 8, ema: 0, seed: 3, heldOut: 0.5, evalSamples: 8,
    data: { folders: ['/nowhere'], settings: { size: 32, mode: 'crop', background: '#ffffff' } },
  });
  await writeRunConfig(runDir, config);
  const state = createGan(config);
  await writeCheckpoint(runDir, await serializeGan(state));
  disposeGan(state);
  await assert.rejects(measureRanking({ runDir, n: 1, seed: 7, cacheDir: '', images: two }), {
    message: "D's ranking cannot be measured: quality scores need at least 2 images to compare with: of 2 images 1 is held out and 1 trained on (a held-out share of 0 scores against all 2)",
  });
});

test('the report says "1 image", not "1 images"', () => {
  const scores = { swd: 1, ndbK: 0.5, size: 16, counts: { real: 2, fake: 1 } } as unknown as import('../shared/contract').RankCheck['ranked'];
  const line = describeRankCheck({ n: 1, drawn: 4, seed: 1, step: 0, ranked: scores, random: scores, against: 'held-out', real: 2, verdict: 'does-not-help' });
  assert.match(line, /\(only 1 image each: noisy\)$/);
});
