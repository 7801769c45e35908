/** Builds, with sharp, a folder holding every kind of file the import must cope with (tests only). */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { Rng } from '../engine/rng';
import { defaultRunConfig, type RunConfig } from '../shared/schema';
import type { ImageSet } from './types';

/** A noisy gradient: distinct seeds give images that are neither exact nor near duplicates. */
export function noiseImage(width: number, height: number, seed: number): Sharp {
  const rng = new Rng(seed);
  const raw = Buffer.alloc(width * height * 3);
  const [r, g, b] = [rng.int(256), rng.int(256), rng.int(256)];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      raw[offset] = (r + x * 3 + rng.int(90)) & 255;
      raw[offset + 1] = (g + y * 3 + rng.int(90)) & 255;
      raw[offset + 2] = (b + rng.int(140)) & 255;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

/** Left half one colour, right half another. */
export function twoColourImage(width: number, height: number, left: string, right: string, channels: 3 | 4 = 3): Sharp {
  const parse = (colour: string): number[] => [1, 3, 5, 7].map((i) => Number.parseInt(colour.slice(i, i + 2) || 'ff', 16));
  const raw = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = parse(x < width / 2 ? left : right);
      for (let c = 0; c < channels; c++) raw[(y * width + x) * channels + c] = colour[c];
    }
  }
  return sharp(raw, { raw: { width, height, channels } });
}

export interface FixtureFolder {
  root: string;
  /** Expected outcome per path relative to root: 'used', a SkipCode, or 'exact'/'near' duplicate. */
  expected: Record<string, string>;
  /** True when this process can read a chmod 000 file (root can). */
  rootReadsEverything: boolean;
}

/** Settings the fixture folder is meant to be imported with. */
export const FIXTURE_SETTINGS = { size: 32, mode: 'crop', background: '#ffffff', maxFileBytes: 1024 * 1024 } as const;

export async function buildFixtureFolder(root: string): Promise<FixtureFolder> {
  await mkdir(join(root, 'nested', 'deeper'), { recursive: true });
  const put = (name: string, data: Uint8Array | string): Promise<void> => writeFile(join(root, name), data);
  const expected: Record<string, string> = {};

  const good = await noiseImage(80, 60, 1).jpeg({ quality: 95 }).toBuffer();
  await put('good.jpg', good);
  expected['good.jpg'] = 'used';
  await put('good_copy.jpg', good);
  expected['good_copy.jpg'] = 'exact';
  await put('good_reencoded.jpg', await sharp(good).jpeg({ quality: 70 }).toBuffer());
  expected['good_reencoded.jpg'] = 'near';
  await put('UPPER.JPG', await noiseImage(40, 40, 2).jpeg().toBuffer());
  expected['UPPER.JPG'] = 'used';
  await put('nested/deeper/nested.png', await noiseImage(50, 70, 3).png().toBuffer());
  expected['nested/deeper/nested.png'] = 'used';
  await put('jpeg-named.png', await noiseImage(48, 48, 4).jpeg().toBuffer());
  expected['jpeg-named.png'] = 'used';
  await put('sixteen-bit.png', await noiseImage(40, 40, 5).toColourspace('rgb16').png().toBuffer());
  expected['sixteen-bit.png'] = 'used';
  await put('palette.png', await noiseImage(40, 40, 6).png({ palette: true }).toBuffer());
  expected['palette.png'] = 'used';
  await put('grey.png', await noiseImage(40, 40, 7).greyscale().png().toBuffer());
  expected['grey.png'] = 'used';
  await put('cmyk.jpg', await noiseImage(40, 40, 8).toColourspace('cmyk').jpeg().toBuffer());
  expected['cmyk.jpg'] = 'used';
  await put('photo.webp', await noiseImage(40, 40, 9).webp().toBuffer());
  expected['photo.webp'] = 'used';
  await put('scan.tiff', await noiseImage(40, 40, 10).tiff().toBuffer());
  expected['scan.tiff'] = 'used';
  await put('modern.avif', await noiseImage(40, 40, 11).avif({ effort: 0 }).toBuffer());
  expected['modern.avif'] = 'used';
  // Transparent red on the left, opaque blue on the right: the left must come out white.
  await put('rgba.png', await twoColourImage(64, 64, '#ff000000', '#0000ffff', 4).png().toBuffer());
  expected['rgba.png'] = 'used';
  // Stored landscape, red left and blue right; orientation 6 turns it a quarter clockwise, so the
  // image shown (and imported) is portrait with red on top.
  await put('orientation-6.jpg', await twoColourImage(64, 32, '#ff0000', '#0000ff').jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
  expected['orientation-6.jpg'] = 'used';
  const red = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#ff0000' } }).gif().toBuffer();
  const blue = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#00ff00' } }).gif().toBuffer();
  await put('animated.gif', await sharp([red, blue], { join: { animated: true } }).gif().toBuffer());
  expected['animated.gif'] = 'used';

  const truncated = await noiseImage(64, 64, 12).jpeg().toBuffer();
  await put('truncated.jpg', truncated.subarray(0, Math.floor(truncated.length * 0.6)));
  expected['truncated.jpg'] = 'corrupt';
  await put('text.png', 'This is not a picture.\nJust some notes.\n');
  expected['text.png'] = 'not-image';
  await put('notes.txt', 'shopping list\n');
  expected['notes.txt'] = 'not-image';
  await put('random.jpg', Uint8Array.from({ length: 500 }, (_, i) => (i * 7919 + 13) % 251 || 1).fill(0, 10, 11));
  expected['random.jpg'] = 'not-image';
  await put('old.bmp', Buffer.concat([Buffer.from('BM'), Buffer.alloc(100, 1)]));
  expected['old.bmp'] = sharp.format.magick.input.buffer ? 'corrupt' : 'unsupported';
  await put('tiny.png', await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toBuffer());
  expected['tiny.png'] = 'too-small';
  await put('empty.jpg', '');
  expected['empty.jpg'] = 'empty';
  await put('huge.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(FIXTURE_SETTINGS.maxFileBytes * 1.5)]));
  expected['huge.jpg'] = 'too-large';
  await put('.DS_Store', 'hidden files are not part of the set');

  // A link back up the tree: the scan must neither loop nor list the files twice.
  await symlink('..', join(root, 'nested', 'deeper', 'loop'));
  // Unreadable files. We may run as root, which chmod 000 does not stop, so a dangling link and a
  // named pipe (which must never be opened: opening a FIFO blocks) are the reliable cases.
  await symlink('does-not-exist.jpg', join(root, 'broken-link.jpg'));
  expected['broken-link.jpg'] = 'unreadable';
  execFileSync('mkfifo', [join(root, 'pipe.jpg')]);
  expected['pipe.jpg'] = 'unreadable';
  await put('locked.png', await noiseImage(40, 40, 13).png().toBuffer());
  await chmod(join(root, 'locked.png'), 0o000);
  const rootReadsEverything = process.getuid?.() === 0;
  expected['locked.png'] = rootReadsEverything ? 'used' : 'unreadable';
  return { root, expected, rootReadsEverything };
}

/** 16 tiny images with a bright square at a varying place: enough to train a few steps on. */
export function tinyImageSet(): ImageSet {
  const size = 32;
  const count = 16;
  const pixels = new Uint8Array(count * size * size * 3);
  for (let i = 0; i < count; i++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const on = Math.abs(x - 8 - i) < 6 && Math.abs(y - 16) < 6;
        const p = ((i * size + y) * size + x) * 3;
        pixels[p] = on ? 230 : 20;
        pixels[p + 1] = on ? 120 : 40;
        pixels[p + 2] = (x * 8) & 255;
      }
    }
  }
  return { size, count, pixels };
}

/** `count` 40×40 PNGs of a fixed pattern (img-0.png, …): a folder the CLI can train a few steps on. */
export async function writePatternPngs(dir: string, count = 8): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const raw = Buffer.alloc(40 * 40 * 3);
    for (let j = 0; j < raw.length; j++) raw[j] = (j * 13 + i * 37) & 255;
    await sharp(raw, { raw: { width: 40, height: 40, channels: 3 } }).png().toFile(join(dir, `img-${i}.png`));
  }
}

/** A run small enough to train in a test: 32 px, width 4, latent 8, batch 4, 4 steps, EMA on. */
export function tinyRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return defaultRunConfig({
    size: 32, width: 4, latent: 8, batch: 4, steps: 4, sampleEvery: 2, checkpointEvery: 2, ema: 0.9,
    data: { folders: ['/nowhere'], settings: { size: 32, mode: 'crop', background: '#ffffff' } },
    ...overrides,
  });
}
