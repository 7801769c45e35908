/**
 * The built-in demo set: cartoon avatar faces drawn from a fixed seed, so every install gets the
 * same images without shipping thousands of files. Each face is an SVG rendered by sharp.
 */
import { access, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ImportProgress } from './types';
import { Rng } from '../engine/rng';
import { writeFileAtomic } from '../disk/atomic-write';

export const DEMO_SIZE = 64;
export const DEFAULT_DEMO_COUNT = 2000;
const DEMO_SEED = 0x5eed_a7a5;
/** Bump when the drawing changes, so existing demo folders are redrawn. */
const DRAWING_VERSION = 1;
// Hidden, so the import passes over it instead of listing it as a skipped non-image.
const MANIFEST = '.demo.json';
const FILE_PATTERN = /^avatar-(\d{5})\.png$/;

export interface DemoOptions {
  count?: number;
  onProgress?: (progress: ImportProgress) => void;
}

interface Manifest {
  version: number;
  seed: number;
  count: number;
}

const SKIN_TONES = ['#ffe0bd', '#ffcd94', '#eac086', '#d1a270', '#c68642', '#a0662f', '#8d5524', '#5c3a1e', '#f5d0c5', '#e0ac69'];
const HAIR_COLOURS = ['#1b1b1b', '#3b2416', '#6a4e23', '#b5882c', '#e6c65c', '#a33b20', '#d9d9d9', '#ff77aa', '#4a7bd8', '#39a96b', '#7b4bc4'];
const EYE_COLOURS = ['#3d6fb6', '#2f8f5b', '#6b3f1d', '#333333', '#7a52c7', '#c0392b', '#2aa7a7'];
const BACKGROUNDS = ['#f4d35e', '#ee964b', '#f95738', '#0d3b66', '#83c5be', '#e29578', '#b8c0ff', '#ffd6ff', '#caffbf', '#9bf6ff', '#fdffb6', '#577590', '#ffffff', '#2b2d42'];
const SHIRTS = ['#e63946', '#457b9d', '#2a9d8f', '#f4a261', '#264653', '#8338ec', '#fb5607', '#3a86ff', '#6d6875', '#ffbe0b'];
const HAIR_STYLES = ['short', 'long', 'bun', 'spiky', 'bald', 'bob', 'mohawk', 'curly'] as const;
const MOUTHS = ['smile', 'grin', 'flat', 'open', 'smirk'] as const;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** A colour from the palette, nudged so no two avatars share it exactly. */
function vary(rng: Rng, hex: string, amount = 18): string {
  const value = Number.parseInt(hex.slice(1), 16);
  const channel = (shift: number): string => {
    const v = Math.max(0, Math.min(255, ((value >> shift) & 255) + Math.round((rng.next() - 0.5) * 2 * amount)));
    return v.toString(16).padStart(2, '0');
  };
  return `#${channel(16)}${channel(8)}${channel(0)}`;
}

function round(value: number): string {
  return value.toFixed(1);
}

function hairBack(style: (typeof HAIR_STYLES)[number], cx: number, cy: number, rx: number, ry: number, colour: string): string {
  const top = cy - ry;
  switch (style) {
    case 'long':
      return `<rect x="${round(cx - rx - 4)}" y="${round(top - 2)}" width="${round(2 * rx + 8)}" height="${round(2 * ry + 14)}" rx="${round(rx)}" fill="${colour}"/>`;
    case 'bob':
      return `<rect x="${round(cx - rx - 3)}" y="${round(top - 3)}" width="${round(2 * rx + 6)}" height="${round(ry * 1.6)}" rx="${round(rx * 0.8)}" fill="${colour}"/>`;
    case 'bun':
      return `<circle cx="${round(cx)}" cy="${round(top - 4)}" r="${round(rx * 0.45)}" fill="${colour}"/>`;
    case 'curly':
      return Array.from({ length: 7 }, (_, i) => {
        const angle = Math.PI * (1.05 + (i / 6) * 0.9);
        return `<circle cx="${round(cx + Math.cos(angle) * rx)}" cy="${round(cy + Math.sin(angle) * ry * 0.95)}" r="${round(rx * 0.38)}" fill="${colour}"/>`;
      }).join('');
    default:
      return '';
  }
}

function hairFront(style: (typeof HAIR_STYLES)[number], cx: number, cy: number, rx: number, ry: number, colour: string, rng: Rng): string {
  const top = cy - ry;
  const fringe = cy - ry * (0.35 + rng.next() * 0.2);
  switch (style) {
    case 'bald':
      return '';
    case 'spiky': {
      const spikes = 5 + rng.int(3);
      const points: string[] = [`${round(cx - rx)},${round(fringe)}`];
      for (let i = 0; i <= spikes; i++) {
        const x = cx - rx + (2 * rx * i) / spikes;
        points.push(`${round(x)},${round(i % 2 === 0 ? top - 6 - rng.next() * 4 : top + 3)}`);
      }
      points.push(`${round(cx + rx)},${round(fringe)}`);
      return `<polygon points="${points.join(' ')}" fill="${colour}"/>`;
    }
    case 'mohawk':
      return `<rect x="${round(cx - 3)}" y="${round(top - 9)}" width="6" height="${round(ry * 0.7)}" rx="3" fill="${colour}"/>`;
    default: {
      // A cap of hair over the top of the head down to the fringe, parted to one side.
      const part = cx + (rng.next() - 0.5) * rx;
      return `<path d="M${round(cx - rx - 1)},${round(fringe + 4)} Q${round(cx - rx)},${round(top - 4)} ${round(cx)},${round(top - 3)} Q${round(cx + rx)},${round(top - 4)} ${round(cx + rx + 1)},${round(fringe + 4)} Q${round(part)},${round(fringe - 3)} ${round(cx - rx - 1)},${round(fringe + 4)}Z" fill="${colour}"/>`;
    }
  }
}

function mouth(kind: (typeof MOUTHS)[number], cx: number, y: number, width: number): string {
  const left = round(cx - width / 2);
  const right = round(cx + width / 2);
  switch (kind) {
    case 'smile':
      return `<path d="M${left},${round(y)} Q${round(cx)},${round(y + width * 0.6)} ${right},${round(y)}" stroke="#5a1f1f" stroke-width="1.6" fill="none" stroke-linecap="round"/>`;
    case 'grin':
      return `<path d="M${left},${round(y)} Q${round(cx)},${round(y + width * 0.8)} ${right},${round(y)}Z" fill="#7a1f2b"/><path d="M${round(cx - width * 0.35)},${round(y + 0.8)} L${round(cx + width * 0.35)},${round(y + 0.8)}" stroke="#ffffff" stroke-width="1.2"/>`;
    case 'flat':
      return `<path d="M${left},${round(y + 1)} L${right},${round(y + 1)}" stroke="#5a1f1f" stroke-width="1.5" stroke-linecap="round"/>`;
    case 'open':
      return `<ellipse cx="${round(cx)}" cy="${round(y + 1.5)}" rx="${round(width * 0.3)}" ry="${round(width * 0.35)}" fill="#6b1a24"/>`;
    case 'smirk':
      return `<path d="M${left},${round(y + 1)} Q${round(cx + width * 0.2)},${round(y + 2.5)} ${right},${round(y - 1.5)}" stroke="#5a1f1f" stroke-width="1.6" fill="none" stroke-linecap="round"/>`;
  }
}

/** The SVG of avatar number `index`: the same index always draws the same face. */
export function avatarSvg(index: number): string {
  const rng = new Rng((DEMO_SEED ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const size = DEMO_SIZE;
  const cx = 32 + (rng.next() - 0.5) * 6;
  const cy = 34 + (rng.next() - 0.5) * 5;
  const rx = 14 + rng.next() * 6;
  const ry = rx * (1.05 + rng.next() * 0.3);
  const skin = vary(rng, pick(rng, SKIN_TONES), 10);
  const hairStyle = pick(rng, HAIR_STYLES);
  const hair = vary(rng, pick(rng, HAIR_COLOURS));
  const background = vary(rng, pick(rng, BACKGROUNDS), 24);
  const backgroundShade = vary(rng, background, 40);
  const shirt = vary(rng, pick(rng, SHIRTS));
  const eyeColour = vary(rng, pick(rng, EYE_COLOURS));
  const eyeSpacing = rx * (0.35 + rng.next() * 0.15);
  const eyeY = cy - ry * (0.05 + rng.next() * 0.15);
  const eyeRadius = 2.2 + rng.next() * 2.3;
  const mouthKind = pick(rng, MOUTHS);
  const mouthY = cy + ry * (0.45 + rng.next() * 0.15);
  const blush = rng.next() < 0.35;
  const glasses = rng.next() < 0.15;
  const gradientAngle = rng.int(4);

  const eyes = [-1, 1]
    .map((side) => {
      const x = cx + side * eyeSpacing;
      return (
        `<ellipse cx="${round(x)}" cy="${round(eyeY)}" rx="${round(eyeRadius * 1.15)}" ry="${round(eyeRadius * 1.3)}" fill="#ffffff"/>` +
        `<circle cx="${round(x)}" cy="${round(eyeY + 0.3)}" r="${round(eyeRadius * 0.85)}" fill="${eyeColour}"/>` +
        `<circle cx="${round(x)}" cy="${round(eyeY + 0.3)}" r="${round(eyeRadius * 0.4)}" fill="#111111"/>` +
        `<circle cx="${round(x - eyeRadius * 0.3)}" cy="${round(eyeY - eyeRadius * 0.3)}" r="${round(eyeRadius * 0.22)}" fill="#ffffff"/>` +
        `<path d="M${round(x - eyeRadius)},${round(eyeY - eyeRadius * 1.7)} L${round(x + eyeRadius)},${round(eyeY - eyeRadius * 1.9 + side * 0.6)}" stroke="${hair}" stroke-width="1.3" stroke-linecap="round"/>`
      );
    })
    .join('');
  const cheeks = blush
    ? [-1, 1].map((side) => `<ellipse cx="${round(cx + side * rx * 0.6)}" cy="${round(mouthY - 3)}" rx="2.6" ry="1.6" fill="#ff7f7f" opacity="0.55"/>`).join('')
    : '';
  const spectacles = glasses
    ? [-1, 1].map((side) => `<circle cx="${round(cx + side * eyeSpacing)}" cy="${round(eyeY)}" r="${round(eyeRadius * 1.7)}" stroke="#222222" stroke-width="1" fill="none"/>`).join('') +
      `<path d="M${round(cx - eyeSpacing + eyeRadius * 1.7)},${round(eyeY)} L${round(cx + eyeSpacing - eyeRadius * 1.7)},${round(eyeY)}" stroke="#222222" stroke-width="1"/>`
    : '';
  const [x2, y2] = [
    [1, 0],
    [0, 1],
    [1, 1],
    [0, 0],
  ][gradientAngle];

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">` +
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="${x2}" y2="${y2}"><stop offset="0" stop-color="${background}"/><stop offset="1" stop-color="${backgroundShade}"/></linearGradient></defs>` +
    `<rect width="${size}" height="${size}" fill="url(#bg)"/>` +
    hairBack(hairStyle, cx, cy, rx, ry, hair) +
    `<ellipse cx="${round(cx)}" cy="${round(cy + ry + 12)}" rx="${round(rx * 1.5)}" ry="14" fill="${shirt}"/>` +
    `<rect x="${round(cx - 4)}" y="${round(cy + ry - 4)}" width="8" height="8" fill="${skin}"/>` +
    `<ellipse cx="${round(cx)}" cy="${round(cy)}" rx="${round(rx)}" ry="${round(ry)}" fill="${skin}"/>` +
    [-1, 1].map((side) => `<ellipse cx="${round(cx + side * rx)}" cy="${round(cy + 1)}" rx="2.5" ry="3.5" fill="${skin}"/>`).join('') +
    hairFront(hairStyle, cx, cy, rx, ry, hair, rng) +
    eyes +
    cheeks +
    spectacles +
    `<ellipse cx="${round(cx)}" cy="${round((eyeY + mouthY) / 2 + 1)}" rx="1.2" ry="0.9" fill="#000000" opacity="0.25"/>` +
    mouth(mouthKind, cx, mouthY, 6 + rng.next() * 6) +
    `</svg>`
  );
}

function fileName(index: number): string {
  return `avatar-${String(index).padStart(5, '0')}.png`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readManifest(folder: string): Promise<Manifest | null> {
  try {
    return JSON.parse(await readFile(join(folder, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

/**
 * Makes sure `folder` holds the demo set of `count` avatars and returns the folder. Work is only
 * done the first time (or after an interruption: files already written are kept, each having been
 * written atomically); the manifest, written last, marks the set complete.
 */
export async function ensureDemoDataset(folder: string, options: DemoOptions = {}): Promise<string> {
  const count = options.count ?? DEFAULT_DEMO_COUNT;
  const wanted: Manifest = { version: DRAWING_VERSION, seed: DEMO_SEED, count };
  const manifest = await readManifest(folder);
  if (manifest && JSON.stringify(manifest) === JSON.stringify(wanted)) return folder;

  await mkdir(folder, { recursive: true });
  const sameDrawing = manifest?.version === DRAWING_VERSION && manifest.seed === DEMO_SEED;
  for (const name of await readdir(folder)) {
    const match = FILE_PATTERN.exec(name);
    if (match && (!sameDrawing || Number(match[1]) >= count)) await rm(join(folder, name), { force: true });
  }
  await rm(join(folder, MANIFEST), { force: true });

  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      const path = join(folder, fileName(index));
      if (!(await exists(path))) {
        const png = await sharp(Buffer.from(avatarSvg(index))).png().toBuffer();
        await writeFileAtomic(path, png);
      }
      options.onProgress?.({ phase: 'writing', done: ++done, total: count, current: path });
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, worker));
  await writeFileAtomic(join(folder, MANIFEST), `${JSON.stringify(wanted)}\n`);
  return folder;
}
