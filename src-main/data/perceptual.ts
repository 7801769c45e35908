/**
 * Near-duplicate detection on the preprocessed pixels. Candidates are found by difference hash
 * (dHash: 64 bits of "is the next cell of a 9×8 grid brighter"), which survives re-encoding and
 * resizing; a candidate is confirmed only when the two training images themselves differ by at most
 * MAX_PIXEL_DIFFERENCE levels per channel on average. The hash alone would merge images that agree
 * at coarse scale but not in detail or colour: a red and a blue version of one drawing, or textures.
 */
export const MAX_HASH_DISTANCE = 3;
/** Mean absolute difference of the preprocessed images, in 0..255 levels. Re-encoded copies of real photos differ by 1 to 3, of pure noise by about 8. */
export const MAX_PIXEL_DIFFERENCE = 10;

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

export function differenceHash(pixels: Uint8Array, size: number): ImageHash {
  const grid = lumaGrid(pixels, size);
  let high = 0;
  let low = 0;
  for (let row = 0; row < 8; row++) {
    for (let column = 0; column < 8; column++) {
      const bit = grid[row * 9 + column + 1] > grid[row * 9 + column] ? 1 : 0;
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

/**
 * Finds an earlier near duplicate without comparing every pair: the hash is split into
 * MAX_HASH_DISTANCE + 1 blocks of 16 bits, and two hashes within that distance agree exactly on
 * at least one block (pigeonhole), so only images sharing a block are candidates.
 */
export class NearDuplicateIndex<T> {
  private readonly blocks = Array.from({ length: MAX_HASH_DISTANCE + 1 }, () => new Map<number, Array<{ hash: ImageHash; value: T; order: number }>>());
  private added = 0;

  private static blockKeys(hash: ImageHash): number[] {
    return [hash.high & 0xffff, hash.high >>> 16, hash.low & 0xffff, hash.low >>> 16];
  }

  /** The earliest added value within MAX_HASH_DISTANCE of `hash` that `confirm` accepts, if any. */
  find(hash: ImageHash, confirm: (value: T) => boolean): T | undefined {
    const candidates = new Map<number, T>();
    NearDuplicateIndex.blockKeys(hash).forEach((key, block) => {
      const bucket = this.blocks[block].get(key) ?? [];
      for (const entry of bucket.slice(0, MAX_SCANNED_PER_BUCKET)) {
        if (hashDistance(hash, entry.hash) <= MAX_HASH_DISTANCE) candidates.set(entry.order, entry.value);
      }
    });
    const earliest = [...candidates.entries()].sort(([a], [b]) => a - b).slice(0, MAX_CONFIRMATIONS);
    return earliest.find(([, value]) => confirm(value))?.[1];
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
