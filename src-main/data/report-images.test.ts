import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { mosaicPng } from './report-images';

/** `count` tiles of `size` px, tile i filled with grey level 10·(i + 1). */
function set(size: number, count: number) {
  const pixels = new Uint8Array(count * size * size * 3);
  for (let i = 0; i < count; i++) pixels.fill(10 * (i + 1), i * size * size * 3, (i + 1) * size * size * 3);
  return { size, count, pixels };
}

async function decode(png: Buffer) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { info, at: (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x + 1) * info.channels)) };
}

test('a mosaic with empty tiles in its last row leaves them transparent, not white', async () => {
  // 7 images: a 3 × 3 grid, the last row one image and two empty tiles.
  const { info, at } = await decode(await mosaicPng(set(4, 7)));
  assert.deepEqual([info.width, info.height, info.channels], [12, 12, 4]);
  assert.deepEqual(at(0, 0), [10, 10, 10, 255]);
  assert.deepEqual(at(11, 7), [60, 60, 60, 255]);
  assert.deepEqual(at(3, 11), [70, 70, 70, 255]);
  assert.equal(at(4, 8)[3], 0);
  assert.equal(at(11, 11)[3], 0);
});

test('a full mosaic stays opaque RGB', async () => {
  const { info, at } = await decode(await mosaicPng(set(4, 9)));
  assert.deepEqual([info.width, info.height, info.channels], [12, 12, 3]);
  assert.deepEqual(at(11, 11), [90, 90, 90]);
});
