/** Synthetic image sets with known relations, for the metrics' tests (tests only). */
import { Rng } from '../rng';
import type { ImageBatch } from './images';

/** Few colours, so that a hundred images already sample the set's colour distribution well. */
const PALETTE = [
  [230, 57, 70],
  [241, 250, 238],
  [168, 218, 220],
  [69, 123, 157],
  [29, 53, 87],
  [255, 183, 3],
  [42, 157, 143],
  [38, 70, 83],
];

export interface ShapesOptions {
  /** Added to every pixel before clipping: a shifted distribution of the same shapes. */
  brightness?: number;
  /** One background gradient for every image (less variety between images: a small set samples it well). */
  background?: boolean;
  /** Largest disc radius as a share of the side. */
  maxRadius?: number;
}

/**
 * `count` images of `size` px drawn from one distribution: a vertical gradient between two of eight
 * colours with one to three discs of one of those colours, of random radius and place, and a little pixel noise. Images with distinct
 * indices are distinct draws; the same seed gives the same images.
 */
export function shapesSet(count: number, size: number, seed: number, options: ShapesOptions = {}): ImageBatch {
  const { brightness = 0, maxRadius = 0.3, background = false } = options;
  const rng = new Rng(seed);
  const pixels = new Uint8Array(count * size * size * 3);
  const colour = (): number[] => PALETTE[rng.int(PALETTE.length)];
  for (let n = 0; n < count; n++) {
    const top = background ? PALETTE[1] : colour();
    const bottom = background ? PALETTE[4] : colour();
    const discs = Array.from({ length: 1 + rng.int(3) }, () => ({
      x: rng.next() * size,
      y: rng.next() * size,
      r: (0.08 + rng.next() * (maxRadius - 0.08)) * size,
      rgb: colour(),
    }));
    for (let y = 0; y < size; y++) {
      const t = y / (size - 1);
      for (let x = 0; x < size; x++) {
        const p = ((n * size + y) * size + x) * 3;
        let rgb = [0, 1, 2].map((c) => top[c] * (1 - t) + bottom[c] * t);
        for (const disc of discs) if ((x - disc.x) ** 2 + (y - disc.y) ** 2 < disc.r ** 2) rgb = disc.rgb;
        for (let c = 0; c < 3; c++) pixels[p + c] = Math.max(0, Math.min(255, Math.round(rgb[c] + brightness + (rng.next() - 0.5) * 16)));
      }
    }
  }
  return { size, count, pixels };
}

/** `count` images of independent uniform pixels in 0–255. */
export function uniformNoiseSet(count: number, size: number, seed: number): ImageBatch {
  const rng = new Rng(seed);
  const pixels = new Uint8Array(count * size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  return { size, count, pixels };
}

/** Images first..first+count−1 of a batch, as a batch of their own (a view, not a copy). */
export function sliceSet(batch: ImageBatch, first: number, count: number): ImageBatch {
  const stride = batch.size * batch.size * 3;
  return { size: batch.size, count, pixels: batch.pixels.subarray(first * stride, (first + count) * stride) };
}
