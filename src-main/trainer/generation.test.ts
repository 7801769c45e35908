import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serializeGan } from '../engine/checkpoint';
import { createGan, disposeGan } from '../engine/gan';
import { MAX_GENERATION_CHUNK } from '../engine/memory';
import { defaultRunConfig } from '../shared/schema';
import { writeCheckpoint } from '../disk/checkpoint-files';
import { writeRunConfig } from '../disk/run-folder';
import { generateImages, writeInterpolationGif } from './generation';

let root: string;
let runDir: string;

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-generation-'));
  runDir = join(root, 'run');
  // An untrained tiny run is enough: generation only needs a checkpoint of the networks.
  const config = defaultRunConfig({ size: 16, width: 4, latent: 8, ema: 0, seed: 3, data: { folders: [], settings: { size: 16, mode: 'crop', background: '#ffffff' }, demo: true } });
  await writeRunConfig(runDir, config);
  const state = createGan(config);
  await writeCheckpoint(runDir, await serializeGan(state));
  disposeGan(state);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generate streams to disk a chunk at a time', () => {
  test('three chunks plus one: every image is written, and peak memory is that of one chunk', async () => {
    const peak = async (n: number, outDir: string) => {
      let written = 0;
      const { peakBytes } = await tf.profile(async () => {
        written = (await generateImages({ runDir, outDir, n, seed: 9, rankByD: false })).length;
      });
      assert.equal(written, n);
      return peakBytes;
    };
    const n = 3 * MAX_GENERATION_CHUNK + 1;
    const one = await peak(MAX_GENERATION_CHUNK, join(root, 'one-chunk'));
    const many = await peak(n, join(root, 'four-chunks'));
    assert.equal(many, one, `peak tensor memory grew with n: ${one} bytes for ${MAX_GENERATION_CHUNK} images, ${many} for ${n}`);
    const files = (await readdir(join(root, 'four-chunks'))).sort();
    assert.equal(files.length, n);
    assert.equal(files[0], 'image-0001.png');
    assert.equal(files.at(-1), `image-${String(n).padStart(4, '0')}.png`);
  });

  test("an image's latent vector depends on the seed and its number, not on n", async () => {
    await generateImages({ runDir, outDir: join(root, 'five'), n: 5, seed: 4, rankByD: false });
    await generateImages({ runDir, outDir: join(root, 'many'), n: MAX_GENERATION_CHUNK + 5, seed: 4, rankByD: false });
    for (const name of ['image-0001.png', 'image-0005.png']) {
      assert.deepEqual(await readFile(join(root, 'five', name)), await readFile(join(root, 'many', name)), name);
    }
  });

  test('ranked by D: the n best of 4n, best first, each one of the images drawn', async () => {
    const ranked = await generateImages({ runDir, outDir: join(root, 'ranked'), n: 3, seed: 6, rankByD: true });
    const scores = ranked.map((image) => image.score!);
    assert.deepEqual([...scores].sort((a, b) => b - a), scores);
    const drawn = await generateImages({ runDir, outDir: join(root, 'drawn'), n: 12, seed: 6, rankByD: false });
    const drawnBytes = await Promise.all(drawn.map((image) => readFile(image.path)));
    for (const image of ranked) {
      const bytes = await readFile(image.path);
      assert.ok(drawnBytes.some((other) => other.equals(bytes)), `${image.path} is not one of the 12 drawn`);
    }
  });

  test('a grid too large for memory, or a GIF with too many frames, is refused before any work', async () => {
    const outDir = join(root, 'huge');
    await assert.rejects(generateImages({ runDir, outDir, n: 1e9, seed: 1, rankByD: false, grid: join(root, 'grid.png') }), {
      message: /^a grid of 1000000000 images of 16 px needs about \d+ GB of memory, more than the .* this machine can give: leave out the grid, or ask for \d+ images or fewer$/,
    });
    assert.ok(!existsSync(outDir));
    const gif = join(root, 'walk.gif');
    await assert.rejects(writeInterpolationGif({ runDir, outFile: gif, frames: 4200, seed: 1 }), {
      message: /^frames 4200 is more than a GIF of 256 px frames can hold here \(.*\): use at most 4095 frames$/,
    });
    assert.ok(!existsSync(gif));
  });
});
