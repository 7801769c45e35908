/**
 * Near-duplicate detection: "the same picture after resizing or re-encoding", never "a picture that
 * looks alike" (keycaps 6 and 9, flags that differ in one band, a face with and without glasses).
 *
 * 1. Candidates by difference hash of the training image (dHash: 64 bits of "is the next cell of a
 *    9×8 grid brighter by more than HASH_DEAD_ZONE levels"; the dead zone keeps flat areas at 0 bits
 *    instead of bits that JPEG noise flips), within MAX_HASH_DISTANCE bits: loose, as step 3 decides.
 * 2. Cheap filters on the training images: mean difference at most MAX_PIXEL_DIFFERENCE, and the
 *    cell test of step 3 with the looser TRAINING_CELL_DIFFERENCE (a changed digit shows at 32 px).
 * 3. The decision, at full resolution (comparePixels): both originals prepared at the largest size
 *    both have (up to FULL_COMPARE_MAX_SIDE); no cell of a 16 × 16 grid may differ by more than
 *    FULL_CELL_DIFFERENCE levels beyond what its detail explains. A changed digit, band, hand or
 *    accessory is a few cells that differ a lot where the other picture is plain; a re-encoded or
 *    resized copy differs a little, and most where the picture is most detailed.
 */
export const MAX_HASH_DISTANCE = 5;
/** Luma levels (0..255) a grid cell must exceed its left neighbour by to set its dHash bit. */
export const HASH_DEAD_ZONE = 2;
/** Mean absolute difference of the training images, in 0..255 levels. Re-encoded copies of real photos differ by 1 to 3, of pure noise by about 8. */
export const MAX_PIXEL_DIFFERENCE = 10;
/** The cell test on the training images, before anything is decoded again: twice FULL_CELL_DIFFERENCE (true copies measured: at most 11). */
export const TRAINING_CELL_DIFFERENCE = 24;
/** The full-resolution comparison is made at the smaller original's shorter side, at most this (px). */
export const FULL_COMPARE_MAX_SIDE = 512;
/** Cells per side of the grid whose cells are compared one by one at full resolution. */
export const FULL_GRID = 16;
/**
 * Largest difference (levels) of a grid cell beyond its detail in two copies (PixelComparison.maxExcess).
 * Measured: JPEG quality 40–80 and WebP copies of a photo-like picture 2–8, resized copies (nearest,
 * linear, cubic, lanczos) 0–7, pure noise re-encoded at quality 70 8.5 (at 50: 13); in the
 * similar-images test set the smallest change (one flag band in a slightly other red) 23, a face
 * with and without a beard 56, two keycap digits over 65.
 */
export const FULL_CELL_DIFFERENCE = 12;

/** dHash as two 32-bit halves. */
export interface ImageHash {
  high: number;
  low: number;
}

/** Mean luma of a 9 × 8 grid of (almost) equal cells of a square RGB image. */
function lumaGrid(pixels: Uint8Array, size: number): Float64Array {
  const columns = 9;
  const rows = 8;
  const grid = new Float64Array(columns * rows);
  for (let row = 0; row < rows; row++) {
    const y0 = Math.floor((row * size) / rows);
    const y1 = Math.floor(((row + 1) * size) / rows);
    for (let column = 0; column < columns; column++) {
      const x0 = Math.floor((column * size) / columns);
      const x1 = Math.floor(((column + 1) * size) / columns);
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const offset = (y * size + x) * 3;
          sum += 0.299 * pixels[offset] + 0.587 * pixels[offset + 1] + 0.114 * pixels[offset + 2];
        }
      }
      grid[row * columns + column] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return grid;
}

/** The dHash of a square size × size RGB image (see the top of this file). */
export function differenceHash(pixels: Uint8Array, size: number): ImageHash {
  const grid = lumaGrid(pixels, size);
  let high = 0;
  let low = 0;
  for (let row = 0; row < 8; row++) {
    for (let column = 0; column < 8; column++) {
      const bit = grid[row * 9 + column + 1] > grid[row * 9 + column] + HASH_DEAD_ZONE ? 1 : 0;
      const index = row * 8 + column;
      if (index < 32) high |= bit << index;
      else low |= bit << (index - 32);
    }
  }
  return { high: high >>> 0, low: low >>> 0 };
}

function popcount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function hashDistance(a: ImageHash, b: ImageHash): number {
  return popcount(a.high ^ b.high) + popcount(a.low ^ b.low);
}

/** Whether the mean absolute difference of two equal-length images is at most `limit`; stops early when it cannot be. */
export function withinMeanDifference(a: Uint8Array, b: Uint8Array, limit: number): boolean {
  const budget = limit * a.length;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    sum += Math.abs(a[i] - b[i]);
    if (sum > budget) return false;
  }
  return true;
}

/**
 * Bounds on the work per image, so that a set of thousands of images that agree at coarse scale
 * (pages of text, sprites on one background) cannot make the search quadratic: only the earliest
 * entries of a hash bucket are looked at, and only the earliest candidates are compared pixel by pixel.
 */
const MAX_SCANNED_PER_BUCKET = 256;
const MAX_CONFIRMATIONS = 32;

/** The bits start .. start + length - 1 of a hash (bit i of high is bit i, of low bit 32 + i). */
function hashBits(hash: ImageHash, start: number, length: number): number {
  let value = 0;
  for (let i = 0; i < length; i++) {
    const bit = start + i;
    value |= (((bit < 32 ? hash.high : hash.low) >>> (bit % 32)) & 1) << i;
  }
  return value;
}

/** MAX_HASH_DISTANCE + 1 blocks of (almost) equal width covering the 64 bits: [start, length] each. */
const HASH_BLOCKS = Array.from({ length: MAX_HASH_DISTANCE + 1 }, (_, block) => {
  const start = Math.floor((block * 64) / (MAX_HASH_DISTANCE + 1));
  return [start, Math.floor(((block + 1) * 64) / (MAX_HASH_DISTANCE + 1)) - start] as const;
});

/**
 * Finds earlier near-duplicate candidates without comparing every pair: the hash is split into
 * MAX_HASH_DISTANCE + 1 blocks of 10 or 11 bits, and two hashes within that distance agree exactly on
 * at least one block (pigeonhole), so only images sharing a block are candidates.
 */
export class NearDuplicateIndex<T> {
  private readonly blocks = HASH_BLOCKS.map(() => new Map<number, Array<{ hash: ImageHash; value: T; order: number }>>());
  private added = 0;

  private static blockKeys(hash: ImageHash): number[] {
    return HASH_BLOCKS.map(([start, length]) => hashBits(hash, start, length));
  }

  /**
   * The values added with a hash within MAX_HASH_DISTANCE of `hash`, earliest first, at most
   * MAX_CONFIRMATIONS of them: the candidates to confirm (see compareAtFullSize).
   */
  candidates(hash: ImageHash): T[] {
    const candidates = new Map<number, T>();
    NearDuplicateIndex.blockKeys(hash).forEach((key, block) => {
      const bucket = this.blocks[block].get(key) ?? [];
      for (const entry of bucket.slice(0, MAX_SCANNED_PER_BUCKET)) {
        if (hashDistance(hash, entry.hash) <= MAX_HASH_DISTANCE) candidates.set(entry.order, entry.value);
      }
    });
    return [...candidates.entries()]
      .sort(([a], [b]) => a - b)
      .slice(0, MAX_CONFIRMATIONS)
      .map(([, value]) => value);
  }

  add(hash: ImageHash, value: T): void {
    const entry = { hash, value, order: this.added++ };
    NearDuplicateIndex.blockKeys(hash).forEach((key, block) => {
      const bucket = this.blocks[block].get(key);
      if (bucket) bucket.push(entry);
      else this.blocks[block].set(key, [entry]);
    });
  }
}

/** How two square images of the same side compare, in 0..255 levels (each pixel's difference averaged over R, G and B). */
export interface PixelComparison {
  /** Mean absolute difference over all pixels. */
  mean: number;
  /**
   * The largest, over the cells of a FULL_GRID × FULL_GRID grid, of the cell's mean absolute
   * difference less its detail (the smaller of the two images' mean distance of a pixel from its
   * 3 × 3 neighbourhood): re-encoding and resizing change detailed areas more than flat ones, so a
   * difference only counts where it is more than the detail there explains.
   */
  maxExcess: number;
  /** Whether every byte is equal. */
  identical: boolean;
}

/**
 * The detail of a side × side RGB image per cell of a min(FULL_GRID, side)² grid (row-major): the mean
 * distance, in levels averaged over R, G and B, of a pixel from the mean of its 3 × 3 neighbourhood.
 * Computed once per image and handed to comparePixels, which would otherwise work it out per pair.
 */
export function cellDetail(pixels: Uint8Array, side: number): Float64Array {
  const cells = Math.min(FULL_GRID, side);
  const sums = new Float64Array(cells * cells);
  const counts = new Uint32Array(cells * cells);
  for (let y = 0; y < side; y++) {
    const row = Math.floor((y * cells) / side) * cells;
    for (let x = 0; x < side; x++) {
      let detail = 0;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let yy = Math.max(0, y - 1); yy <= Math.min(side - 1, y + 1); yy++) {
          for (let xx = Math.max(0, x - 1); xx <= Math.min(side - 1, x + 1); xx++) {
            sum += pixels[(yy * side + xx) * 3 + c];
            n++;
          }
        }
        detail += Math.abs(pixels[(y * side + x) * 3 + c] - sum / n);
      }
      const cell = row + Math.floor((x * cells) / side);
      sums[cell] += detail / 3;
      counts[cell]++;
    }
  }
  for (let cell = 0; cell < sums.length; cell++) sums[cell] /= counts[cell];
  return sums;
}

/**
 * Compares two side × side RGB images (uint8, row-major) cell by cell; `detailA` / `detailB` are their
 * cellDetail when already known. Throws when their lengths are not side × side × 3.
 */
export function comparePixels(a: Uint8Array, b: Uint8Array, side: number, detailA?: Float64Array, detailB?: Float64Array): PixelComparison {
  if (a.length !== b.length || a.length !== side * side * 3) throw new Error(`comparePixels: images of ${a.length} and ${b.length} bytes, expected ${side * side * 3}`);
  const cells = Math.min(FULL_GRID, side);
  const sums = new Float64Array(cells * cells);
  const counts = new Uint32Array(cells * cells);
  let total = 0;
  let identical = true;
  for (let y = 0; y < side; y++) {
    const row = Math.floor((y * cells) / side) * cells;
    for (let x = 0; x < side; x++) {
      const offset = (y * side + x) * 3;
      const difference = (Math.abs(a[offset] - b[offset]) + Math.abs(a[offset + 1] - b[offset + 1]) + Math.abs(a[offset + 2] - b[offset + 2])) / 3;
      if (difference !== 0) identical = false;
      const cell = row + Math.floor((x * cells) / side);
      sums[cell] += difference;
      counts[cell]++;
      total += difference;
    }
  }
  if (identical) return { mean: 0, maxExcess: 0, identical };
  const detailOfA = detailA ?? cellDetail(a, side);
  const detailOfB = detailB ?? cellDetail(b, side);
  let maxExcess = -Infinity;
  for (let cell = 0; cell < sums.length; cell++) {
    maxExcess = Math.max(maxExcess, sums[cell] / counts[cell] - Math.min(detailOfA[cell], detailOfB[cell]));
  }
  return { mean: total / (side * side), maxExcess, identical };
}

/** Whether a comparison at full resolution says "the same picture": no cell differs by more than FULL_CELL_DIFFERENCE beyond its detail. */
export function isSamePicture(comparison: PixelComparison): boolean {
  return comparison.maxExcess <= FULL_CELL_DIFFERENCE;
}

/** The side two originals are compared at: the smaller shorter side, within [trainingSize, FULL_COMPARE_MAX_SIDE]. */
export function fullCompareSide(shorterSideA: number, shorterSideB: number, trainingSize: number): number {
  return Math.max(trainingSize, Math.min(shorterSideA, shorterSideB, FULL_COMPARE_MAX_SIDE));
}
