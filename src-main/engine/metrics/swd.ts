/**
 * Sliced Wasserstein distance on Laplacian-pyramid patches (Karras et al. 2018, "Progressive Growing
 * of GANs", §5 and appendix D), computed as ProGAN's metrics/sliced_wasserstein.py does:
 *  - a Laplacian pyramid of each image (cv2.pyrDown/pyrUp, 5×5 binomial filter, mirrored borders),
 *    from the full size down to 16 px; the coarsest level is the low-pass image itself;
 *  - 128 random 7×7×3 patches per image per level, as 147-component descriptors;
 *  - each set's descriptors normalised per colour channel, over that set alone (mean 0, std 1);
 *  - 512 random unit directions (4 × 128 in ProGAN); per direction both sets' projections sorted and
 *    the mean |difference| taken (the 1-D Wasserstein-1 distance); the mean over directions, × 10³.
 * Unequal set sizes are compared by their quantile functions (exact 1-D W₁), which equals ProGAN's
 * sorted difference when the sizes match.
 */
import * as tf from '@tensorflow/tfjs';
import { standardNormal } from '../toy/distributions';
import type { Rng } from '../rng';
import { matMul } from './distances';
import { MetricInputError, type ImageBatch } from './images';
import { withDefaults } from './options';

export interface SwdOptions {
  /** Random patches per image per level (ProGAN: 128). */
  patchesPerImage?: number;
  /** Patch side in pixels, odd (ProGAN: 7). */
  patchSize?: number;
  /** Random unit directions per level (ProGAN: 4 repeats × 128 = 512). */
  directions?: number;
  /** The coarsest pyramid level's side (ProGAN: 16). */
  minResolution?: number;
}

export const SWD_DEFAULTS: Required<SwdOptions> = { patchesPerImage: 128, patchSize: 7, directions: 512, minResolution: 16 };

export interface SwdLevel {
  /** The level's image side in pixels (full size first). */
  size: number;
  /** SWD × 10³ at this level: ≥ 0; 0 for a set against itself, small for two samples of one distribution. */
  swd: number;
}

export interface SwdResult {
  /** The mean of the levels' SWD × 10³. */
  swd: number;
  levels: SwdLevel[];
}

/** Directions projected per pass: bounds the projections held at once (64 × patches floats per set). */
const DIRECTIONS_PER_CHUNK = 64;
/** Patches per matrix product: bounds what the backend holds at once (16,384 × 147 floats, 9.6 MB). */
const PATCHES_PER_PRODUCT = 16384;

/**
 * out[r · count + n] = descriptor n · direction r for the `rows` directions of `directionsT`
 * (components × rows): one contiguous row of projections per direction, ready to sort.
 */
function project(desc: Float32Array, count: number, components: number, directionsT: tf.Tensor2D, rows: number, out: Float32Array): void {
  for (let start = 0; start < count; start += PATCHES_PER_PRODUCT) {
    const block = Math.min(PATCHES_PER_PRODUCT, count - start);
    const product = matMul(desc.subarray(start * components, (start + block) * components), block, components, directionsT);
    for (let r = 0; r < rows; r++) {
      const row = r * count + start;
      for (let n = 0, i = r; n < block; n++, i += rows) out[row + n] = product[i];
    }
  }
}

/** The 1-D binomial filter; its outer product is ProGAN's 5×5 gaussian_filter (÷ 256). */
const BINOMIAL = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];

/** Index i reflected into [0, n) without repeating the edge (scipy 'mirror', cv2 BORDER_REFLECT_101). */
function mirror(i: number, n: number): number {
  if (i < 0) return -i;
  if (i >= n) return 2 * n - 2 - i;
  return i;
}

/** The sides of the pyramid's levels, full size first: side, ⌈side/2⌉, … while ProGAN's side // 2ᵏ ≥ min. */
export function pyramidSizes(side: number, minResolution = SWD_DEFAULTS.minResolution): number[] {
  const sizes: number[] = [];
  for (let res = side, actual = side; res >= minResolution; res = Math.floor(res / 2), actual = Math.ceil(actual / 2)) sizes.push(actual);
  return sizes;
}

/**
 * cv2.pyrDown of one h × w plane: the 5×5 binomial blur with mirrored borders, then every other
 * row and column (from the first). Returns ⌈h/2⌉ × ⌈w/2⌉, row-major.
 */
export function pyramidDown(src: Float32Array, h: number, w: number): Float32Array {
  const h2 = Math.ceil(h / 2);
  const w2 = Math.ceil(w / 2);
  const rows = new Float32Array(h * w2);
  for (let y = 0; y < h; y++) {
    const line = y * w;
    for (let x = 0; x < w2; x++) {
      const c = 2 * x;
      rows[y * w2 + x] =
        BINOMIAL[0] * src[line + mirror(c - 2, w)] +
        BINOMIAL[1] * src[line + mirror(c - 1, w)] +
        BINOMIAL[2] * src[line + c] +
        BINOMIAL[3] * src[line + mirror(c + 1, w)] +
        BINOMIAL[4] * src[line + mirror(c + 2, w)];
    }
  }
  const out = new Float32Array(h2 * w2);
  for (let y = 0; y < h2; y++) {
    const c = 2 * y;
    const r0 = mirror(c - 2, h) * w2;
    const r1 = mirror(c - 1, h) * w2;
    const r2 = c * w2;
    const r3 = mirror(c + 1, h) * w2;
    const r4 = mirror(c + 2, h) * w2;
    for (let x = 0; x < w2; x++) {
      out[y * w2 + x] =
        BINOMIAL[0] * rows[r0 + x] + BINOMIAL[1] * rows[r1 + x] + BINOMIAL[2] * rows[r2 + x] + BINOMIAL[3] * rows[r3 + x] + BINOMIAL[4] * rows[r4 + x];
    }
  }
  return out;
}

/**
 * cv2.pyrUp of one h × w plane, cropped to outH × outW (≤ 2h × 2w): zeros inserted between the
 * samples, then the 5×5 binomial filter × 4 with mirrored borders on the 2h × 2w grid.
 */
export function pyramidUp(src: Float32Array, h: number, w: number, outH = 2 * h, outW = 2 * w): Float32Array {
  const H = 2 * h;
  const W = 2 * w;
  // Horizontal pass on the even rows only (the odd rows of the zero-stuffed image stay zero).
  const rows = new Float32Array(h * W);
  const k = BINOMIAL.map((v) => 2 * v);
  for (let y = 0; y < h; y++) {
    const line = y * w;
    for (let x = 0; x < W; x++) {
      let sum = 0;
      for (let t = 0; t < 5; t++) {
        const j = mirror(x + t - 2, W);
        if ((j & 1) === 0) sum += k[t] * src[line + (j >> 1)];
      }
      rows[y * W + x] = sum;
    }
  }
  const out = new Float32Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let sum = 0;
      for (let t = 0; t < 5; t++) {
        const i = mirror(y + t - 2, H);
        if ((i & 1) === 0) sum += k[t] * rows[(i >> 1) * W + x];
      }
      out[y * outW + x] = sum;
    }
  }
  return out;
}

/**
 * One level of the Laplacian pyramid of one image (NHWC pixels from `offset`), as 3 planes of
 * sizes[level]² values, channel-major: level < last is g_l − pyrUp(g_{l+1}); the last is g_l.
 */
export function laplacianLevel(pixels: ArrayLike<number>, offset: number, sizes: number[], level: number): Float32Array {
  const side = sizes[0];
  const out = new Float32Array(3 * sizes[level] * sizes[level]);
  const plane = new Float32Array(side * side);
  for (let c = 0; c < 3; c++) {
    for (let i = 0, p = offset + c; i < plane.length; i++, p += 3) plane[i] = pixels[p];
    let current: Float32Array = plane;
    for (let l = 0; l < level; l++) current = pyramidDown(current, sizes[l], sizes[l]);
    const s = sizes[level];
    if (level < sizes.length - 1) {
      const up = pyramidUp(pyramidDown(current, s, s), sizes[level + 1], sizes[level + 1], s, s);
      for (let i = 0; i < up.length; i++) current[i] -= up[i];
    }
    out.set(current, c * s * s);
  }
  return out;
}

/**
 * The descriptors of one level: `perImage` random patch × patch × 3 windows per image, one row of
 * 3·patch² values per patch (component (c·patch + dy)·patch + dx, as ProGAN flattens them), normalised
 * per channel over the whole set (finalize_descriptors). Patch places are uniform over the positions
 * where the window fits.
 */
export function levelDescriptors(
  batch: ImageBatch,
  sizes: number[],
  level: number,
  patch: number,
  perImage: number,
  rng: Rng,
): { data: Float32Array; count: number } {
  const side = sizes[level];
  const area = side * side;
  const components = 3 * patch * patch;
  const count = batch.count * perImage;
  const data = new Float32Array(components * count);
  const stride = sizes[0] * sizes[0] * 3;
  const span = side - patch + 1;
  if (span < 1) throw new MetricInputError(`a ${patch}×${patch} patch does not fit in a ${side} px pyramid level`);
  let at = 0;
  for (let image = 0; image < batch.count; image++) {
    const band = laplacianLevel(batch.pixels, image * stride, sizes, level);
    for (let j = 0; j < perImage; j++) {
      const x0 = rng.int(span);
      const y0 = rng.int(span);
      for (let c = 0; c < 3; c++) {
        for (let dy = 0; dy < patch; dy++) {
          const row = c * area + (y0 + dy) * side + x0;
          for (let dx = 0; dx < patch; dx++) data[at++] = band[row + dx];
        }
      }
    }
  }
  const perPatch = patch * patch;
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    for (let n = 0; n < count; n++) for (let i = n * components + c * perPatch, end = i + perPatch; i < end; i++) sum += data[i];
    const mean = sum / (count * perPatch);
    let squares = 0;
    for (let n = 0; n < count; n++) for (let i = n * components + c * perPatch, end = i + perPatch; i < end; i++) squares += (data[i] - mean) ** 2;
    const std = Math.sqrt(squares / (count * perPatch));
    // A channel that is constant over the whole set (ProGAN would divide by 0): centred only.
    const scale = std > 0 ? 1 / std : 1;
    for (let n = 0; n < count; n++) for (let i = n * components + c * perPatch, end = i + perPatch; i < end; i++) data[i] = (data[i] - mean) * scale;
  }
  return { data, count };
}

/** `count` random unit vectors of length `dim` (Gaussian, normalised), row-major. */
export function randomDirections(count: number, dim: number, rng: Rng): Float32Array {
  const out = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = standardNormal(rng);
      out[r * dim + d] = v;
      norm += v * v;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let d = 0; d < dim; d++) out[r * dim + d] *= scale;
  }
  return out;
}

/** Digit histograms of radixSortFloat32, reused between calls (3 digits × 2048 buckets). */
const RADIX_COUNTS = new Uint32Array(3 * 2048);

/**
 * Sorts `values` ascending in place: LSD radix sort on the float bits, 3 digits of 11 bits, all three
 * histograms counted in one pass and the order-preserving key map folded into the first and last
 * scatter (4 sweeps over the data; about 4× faster than TypedArray.prototype.sort at 128k values).
 * `scratch` holds at least values.length floats. No NaN.
 */
export function radixSortFloat32(values: Float32Array, scratch: Float32Array): void {
  const n = values.length;
  const keys = new Uint32Array(values.buffer, values.byteOffset, n);
  const other = new Uint32Array(scratch.buffer, scratch.byteOffset, n);
  const counts = RADIX_COUNTS;
  counts.fill(0);
  // Order-preserving map to unsigned integers: flip every bit of a negative, the sign bit of the rest.
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    const key = (k & 0x80000000 ? ~k : k | 0x80000000) >>> 0;
    counts[key & 2047]++;
    counts[2048 + ((key >>> 11) & 2047)]++;
    counts[4096 + (key >>> 22)]++;
  }
  for (let digit = 0; digit < 3; digit++) {
    for (let b = digit * 2048, end = b + 2048, sum = 0; b < end; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
  }
  // Digit 0: values → other, mapping each key on the way.
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    const key = (k & 0x80000000 ? ~k : k | 0x80000000) >>> 0;
    other[counts[key & 2047]++] = key;
  }
  // Digit 1: other → values.
  for (let i = 0; i < n; i++) {
    const key = other[i];
    keys[counts[2048 + ((key >>> 11) & 2047)]++] = key;
  }
  // Digit 2: values → other, then back into values mapped to float bits.
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    other[counts[4096 + (key >>> 22)]++] = key;
  }
  for (let i = 0; i < n; i++) {
    const key = other[i];
    keys[i] = key & 0x80000000 ? key & 0x7fffffff : ~key;
  }
}

/**
 * The 1-D Wasserstein-1 distance between two empirical distributions given sorted ascending:
 * ∫₀¹ |F_a⁻¹(t) − F_b⁻¹(t)| dt. For equal lengths, mean |a[i] − b[i]|.
 */
export function wassersteinSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) return NaN;
  if (m === n) {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += Math.abs(a[i] - b[i]);
    return sum / m;
  }
  // Walk the merged quantile breakpoints i/m and j/n, in integer units of 1/(m·n).
  let i = 0;
  let j = 0;
  let at = 0;
  let sum = 0;
  while (i < m && j < n) {
    const endA = (i + 1) * n;
    const endB = (j + 1) * m;
    const next = Math.min(endA, endB);
    sum += (next - at) * Math.abs(a[i] - b[j]);
    at = next;
    if (endA === next) i++;
    if (endB === next) j++;
  }
  return sum / (m * n);
}

/**
 * SWD between two image sets of the same size (≥ minResolution), ProGAN's way (see the file comment).
 * Patches of `a` are drawn from `patchesA`, of `b` from `patchesB`, directions from `directions`, so
 * a set's descriptors do not depend on the other set. Two streams of one seed cut image i of both sets
 * at the same places (common random numbers: a set against itself scores exactly 0). Result × 10³.
 * Cost: levels × 2 sets × patches × 147 × 512 multiply-adds (matMul) plus the sorts.
 */
export function slicedWasserstein(
  a: ImageBatch,
  b: ImageBatch,
  rngs: { patchesA: Rng; patchesB: Rng; directions: Rng },
  options: SwdOptions = {},
): SwdResult {
  const { patchesPerImage, patchSize, directions, minResolution } = withDefaults(SWD_DEFAULTS, options);
  if (a.size !== b.size) throw new MetricInputError(`both sets must have one image size, got ${a.size} and ${b.size} px`);
  if (a.count === 0 || b.count === 0) throw new MetricInputError('SWD needs at least one image in each set');
  const sizes = pyramidSizes(a.size, minResolution);
  if (sizes.length === 0) throw new MetricInputError(`SWD needs images of at least ${minResolution} px, got ${a.size} px`);
  const components = 3 * patchSize * patchSize;
  const levels: SwdLevel[] = [];
  for (let level = 0; level < sizes.length; level++) {
    const countA = a.count * patchesPerImage;
    const countB = b.count * patchesPerImage;
    const descA = levelDescriptors(a, sizes, level, patchSize, patchesPerImage, rngs.patchesA).data;
    const descB = levelDescriptors(b, sizes, level, patchSize, patchesPerImage, rngs.patchesB).data;
    const dirs = randomDirections(directions, components, rngs.directions);
    const projA = new Float32Array(Math.min(DIRECTIONS_PER_CHUNK, directions) * countA);
    const projB = new Float32Array(Math.min(DIRECTIONS_PER_CHUNK, directions) * countB);
    const scratch = new Float32Array(Math.max(countA, countB));
    let total = 0;
    for (let start = 0; start < directions; start += DIRECTIONS_PER_CHUNK) {
      const rows = Math.min(DIRECTIONS_PER_CHUNK, directions - start);
      const chunkT = new Float32Array(components * rows);
      for (let r = 0; r < rows; r++) for (let k = 0; k < components; k++) chunkT[k * rows + r] = dirs[(start + r) * components + k];
      const directionsT = tf.tensor2d(chunkT, [components, rows]);
      try {
        project(descA, countA, components, directionsT, rows, projA);
        project(descB, countB, components, directionsT, rows, projB);
      } finally {
        directionsT.dispose();
      }
      for (let r = 0; r < rows; r++) {
        const rowA = projA.subarray(r * countA, (r + 1) * countA);
        const rowB = projB.subarray(r * countB, (r + 1) * countB);
        radixSortFloat32(rowA, scratch);
        radixSortFloat32(rowB, scratch);
        total += wassersteinSorted(rowA, rowB);
      }
    }
    levels.push({ size: sizes[level], swd: (total / directions) * 1e3 });
  }
  const swd = levels.reduce((sum, l) => sum + l.swd, 0) / levels.length;
  return { swd, levels };
}
