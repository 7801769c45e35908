import sharp from 'sharp';
import type { ImageSet } from './types';

const MOSAIC_TILES = 64;
const MOSAIC_MAX_TILE = 96;
/** Exclusive upper bounds of the size histogram's buckets, in pixels of the shorter side. */
export const SIZE_BINS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 2 ** 31];

export function sizeHistogram(shorterSides: number[]): { bins: number[]; counts: number[] } {
  const counts = SIZE_BINS.map(() => 0);
  for (const side of shorterSides) counts[SIZE_BINS.findIndex((bound) => side < bound)]++;
  return { bins: [...SIZE_BINS], counts };
}

/** Up to 64 images spread evenly over the set, in a square grid, as PNG (RGBA when the last row has empty, transparent tiles). */
export async function mosaicPng(set: ImageSet): Promise<Buffer> {
  const tiles = Math.min(MOSAIC_TILES, set.count);
  const columns = Math.ceil(Math.sqrt(tiles));
  const rows = Math.ceil(tiles / columns);
  const { size } = set;
  const stride = size * size * 3;
  const mosaic = Buffer.alloc(columns * rows * stride, 255);
  const rowBytes = size * 3;
  for (let tile = 0; tile < tiles; tile++) {
    const image = Math.floor((tile * set.count) / tiles);
    const left = (tile % columns) * size;
    const top = Math.floor(tile / columns) * size;
    for (let y = 0; y < size; y++) {
      const source = image * stride + y * rowBytes;
      mosaic.set(set.pixels.subarray(source, source + rowBytes), ((top + y) * columns * size + left) * 3);
    }
  }
  let png = sharp(mosaic, { raw: { width: columns * size, height: rows * size, channels: 3 } });
  if (tiles < columns * rows) {
    // The last row's empty tiles are transparent: the page's own background shows there, in either theme.
    const alpha = Buffer.alloc(columns * rows * size * size, 255);
    for (let y = Math.floor(tiles / columns) * size; y < rows * size; y++) alpha.fill(0, (y * columns + (tiles % columns)) * size, (y + 1) * columns * size);
    png = png.joinChannel(alpha, { raw: { width: columns * size, height: rows * size, channels: 1 } });
  }
  if (size > MOSAIC_MAX_TILE) png = png.resize(columns * MOSAIC_MAX_TILE, rows * MOSAIC_MAX_TILE, { kernel: 'lanczos3' });
  return png.png().toBuffer();
}

/** The per-pixel mean of the whole set, as PNG. */
export async function meanImagePng(set: ImageSet): Promise<Buffer> {
  const stride = set.size * set.size * 3;
  const sums = new Float64Array(stride);
  for (let image = 0; image < set.count; image++) {
    const pixels = set.pixels.subarray(image * stride, (image + 1) * stride);
    for (let i = 0; i < stride; i++) sums[i] += pixels[i];
  }
  const mean = Buffer.from(Uint8Array.from(sums, (sum) => Math.round(sum / Math.max(1, set.count))));
  return sharp(mean, { raw: { width: set.size, height: set.size, channels: 3 } }).png().toBuffer();
}
