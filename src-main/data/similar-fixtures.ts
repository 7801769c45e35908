/**
 * A folder of distinct but similar pictures, drawn with sharp from SVG (tests only): the pictures a
 * near-duplicate check must never merge (keycaps 0–9 in one font, flags that differ in one band, one
 * face with and without an accessory, clock faces at 9:00 and 10:00), and true copies it must catch
 * (a resized copy and a JPEG quality 80 copy). Imports nothing but sharp, so the e2e tests can use it.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/** Side of the drawn pictures, in pixels. */
const SIDE = 128;

function svg(body: string, side = SIDE): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}" viewBox="0 0 128 128">${body}</svg>`);
}

/** A keycap with one digit on it, always in DejaVu Sans Bold. */
function keycap(digit: number): Buffer {
  return svg(
    '<rect width="128" height="128" fill="#e8e4dc"/>' +
      '<rect x="14" y="12" width="100" height="104" rx="14" fill="#5b5f66"/>' +
      '<rect x="22" y="18" width="84" height="84" rx="10" fill="#767b83"/>' +
      `<text x="64" y="82" font-family="DejaVu Sans" font-weight="bold" font-size="56" text-anchor="middle" fill="#f4f1ea">${digit}</text>`,
  );
}

/** Three horizontal bands with a narrow stripe between the first two; only the colours vary. */
function flag(top: string, stripe: string, middle: string, bottom: string): Buffer {
  return svg(
    `<rect width="128" height="128" fill="#ffffff"/>` +
      `<rect y="20" width="128" height="28" fill="${top}"/>` +
      `<rect y="48" width="128" height="8" fill="${stripe}"/>` +
      `<rect y="56" width="128" height="26" fill="${middle}"/>` +
      `<rect y="82" width="128" height="26" fill="${bottom}"/>`,
  );
}

/** One simple face; `accessory` adds glasses, a beard or a hat. */
function face(accessory: 'none' | 'glasses' | 'beard' | 'hat'): Buffer {
  const extra = {
    none: '',
    glasses:
      '<circle cx="50" cy="58" r="11" fill="none" stroke="#222" stroke-width="3"/><circle cx="78" cy="58" r="11" fill="none" stroke="#222" stroke-width="3"/>' +
      '<line x1="61" y1="58" x2="67" y2="58" stroke="#222" stroke-width="3"/>',
    beard: '<path d="M36 74 Q64 122 92 74 Q90 96 64 102 Q38 96 36 74 Z" fill="#6b4a2b"/>',
    hat: '<rect x="30" y="14" width="68" height="16" fill="#2d3e75"/><rect x="40" y="2" width="48" height="14" fill="#2d3e75"/>',
  }[accessory];
  return svg(
    '<rect width="128" height="128" fill="#cfe3f0"/>' +
      '<ellipse cx="64" cy="66" rx="36" ry="44" fill="#f1c9a5"/>' +
      '<circle cx="50" cy="58" r="4" fill="#333"/><circle cx="78" cy="58" r="4" fill="#333"/>' +
      '<path d="M50 86 Q64 94 78 86" fill="none" stroke="#a0463c" stroke-width="3"/>' +
      extra,
  );
}

/** A clock face at `hour`:00. */
function clock(hour: number): Buffer {
  const angle = ((hour % 12) / 12) * 2 * Math.PI;
  const x = 64 + 28 * Math.sin(angle);
  const y = 64 - 28 * Math.cos(angle);
  const ticks = Array.from({ length: 12 }, (_, i) => {
    const a = (i / 12) * 2 * Math.PI;
    return `<line x1="${64 + 46 * Math.sin(a)}" y1="${64 - 46 * Math.cos(a)}" x2="${64 + 52 * Math.sin(a)}" y2="${64 - 52 * Math.cos(a)}" stroke="#333" stroke-width="3"/>`;
  }).join('');
  return svg(
    '<rect width="128" height="128" fill="#f7f4ee"/><circle cx="64" cy="64" r="58" fill="#ffffff" stroke="#333" stroke-width="4"/>' +
      ticks +
      `<line x1="64" y1="64" x2="${x.toFixed(2)}" y2="${y.toFixed(2)}" stroke="#222" stroke-width="6" stroke-linecap="round"/>` +
      '<line x1="64" y1="64" x2="64" y2="18" stroke="#222" stroke-width="3" stroke-linecap="round"/>' +
      '<circle cx="64" cy="64" r="4" fill="#222"/>',
  );
}

export interface SimilarImagesFolder {
  root: string;
  /** The distinct pictures (file names): every one must be used. */
  distinct: string[];
  /** True copies (file name → the file it copies): each must be reported as a duplicate of its original. */
  copies: Record<string, string>;
}

/**
 * Writes the set into `root` (made if missing): 10 keycaps, 4 flags, 4 faces, 2 clocks (all
 * 128 px PNG), and with `copies` (default true) a 96 px resized copy of keycap 8 and a JPEG
 * quality 80 copy of the face with glasses. File names sort the originals before their copies.
 */
export async function buildSimilarImagesFolder(root: string, options: { copies?: boolean } = {}): Promise<SimilarImagesFolder> {
  await mkdir(root, { recursive: true });
  const pictures: Record<string, Buffer> = {};
  for (let digit = 0; digit <= 9; digit++) pictures[`keycap-${digit}.png`] = keycap(digit);
  pictures['flag-a.png'] = flag('#1b4f9c', '#ffffff', '#d52b1e', '#1b4f9c');
  pictures['flag-b.png'] = flag('#1b4f9c', '#ffd400', '#d52b1e', '#1b4f9c');
  pictures['flag-c.png'] = flag('#1b4f9c', '#ffffff', '#d52b1e', '#007a3d');
  pictures['flag-d.png'] = flag('#1b4f9c', '#ffffff', '#b01c2e', '#1b4f9c');
  for (const accessory of ['none', 'glasses', 'beard', 'hat'] as const) pictures[`face-${accessory}.png`] = face(accessory);
  pictures['clock-09.png'] = clock(9);
  pictures['clock-10.png'] = clock(10);
  for (const [name, image] of Object.entries(pictures)) await sharp(image).png().toFile(join(root, name));

  const copies: Record<string, string> = {};
  if (options.copies !== false) {
    await sharp(join(root, 'keycap-8.png')).resize(96, 96, { kernel: 'lanczos3' }).png().toFile(join(root, 'keycap-8.resized.png'));
    copies['keycap-8.resized.png'] = 'keycap-8.png';
    await sharp(join(root, 'face-glasses.png')).jpeg({ quality: 80 }).toFile(join(root, 'face-glasses.q80.jpg'));
    copies['face-glasses.q80.jpg'] = 'face-glasses.png';
  }
  return { root, distinct: Object.keys(pictures), copies };
}
