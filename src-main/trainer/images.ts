import sharp from 'sharp';

/** Uint8 RGB images, count × size × size × 3 (NHWC), as the engine's toUint8 returns them. */
export interface RgbImages {
  pixels: Uint8Array;
  count: number;
  size: number;
}

/** Columns for a near-square grid of n tiles. */
export function gridColumns(n: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(n)));
}

/** Lays the images out in a grid with a pad-pixel gutter: raw RGB and its dimensions. */
export function gridRaw(images: RgbImages, columns = gridColumns(images.count), pad = 2, scale = 1): { data: Uint8Array; width: number; height: number } {
  const tile = images.size * scale;
  const rows = Math.ceil(images.count / columns);
  const width = columns * tile + (columns + 1) * pad;
  const height = rows * tile + (rows + 1) * pad;
  const data = new Uint8Array(width * height * 3).fill(24);
  const { size, pixels } = images;
  for (let i = 0; i < images.count; i++) {
    const x0 = pad + (i % columns) * (tile + pad);
    const y0 = pad + Math.floor(i / columns) * (tile + pad);
    for (let y = 0; y < tile; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < tile; x++) {
        const sx = Math.floor(x / scale);
        const src = ((i * size + sy) * size + sx) * 3;
        const dst = ((y0 + y) * width + x0 + x) * 3;
        data[dst] = pixels[src];
        data[dst + 1] = pixels[src + 1];
        data[dst + 2] = pixels[src + 2];
      }
    }
  }
  return { data, width, height };
}

export async function rawToPng(data: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

export async function gridPng(images: RgbImages, columns?: number): Promise<Buffer> {
  const { data, width, height } = gridRaw(images, columns);
  return rawToPng(data, width, height);
}

/** One image of a batch as PNG. */
export async function imagePng(images: RgbImages, index: number): Promise<Buffer> {
  const n = images.size * images.size * 3;
  return rawToPng(images.pixels.subarray(index * n, (index + 1) * n), images.size, images.size);
}

/** Frames of equal size (raw RGB, stacked vertically) as a looping animated GIF. */
export async function framesToGif(frames: Uint8Array[], width: number, height: number, delayMs: number): Promise<Buffer> {
  const stacked = new Uint8Array(frames.length * width * height * 3);
  frames.forEach((frame, i) => stacked.set(frame, i * width * height * 3));
  return sharp(stacked, { raw: { width, height: height * frames.length, channels: 3, pageHeight: height } })
    .gif({ loop: 0, delay: frames.map(() => delayMs) })
    .toBuffer();
}
