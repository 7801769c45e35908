import sharp from 'sharp';
import { DatasetError } from './errors';
import type { ImportSettings, ResizeMode } from './types';

export const RESIZE_MODES: readonly ResizeMode[] = ['crop', 'fit', 'stretch'];
export const MIN_IMAGE_SIZE = 8;
export const MAX_IMAGE_SIZE = 1024;
export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

/** Settings with every default filled in and the colour in one spelling, so equal settings hash alike. */
export type ResolvedSettings = Required<ImportSettings>;

/** Validates the user's settings; a problem is a DatasetError naming the setting. */
export async function resolveSettings(settings: ImportSettings): Promise<ResolvedSettings> {
  const { size, mode } = settings;
  if (!Number.isInteger(size) || size < MIN_IMAGE_SIZE || size > MAX_IMAGE_SIZE || size % 8 !== 0) {
    throw new DatasetError(`Image size must be a multiple of 8 between ${MIN_IMAGE_SIZE} and ${MAX_IMAGE_SIZE}, not ${size}.`);
  }
  if (!RESIZE_MODES.includes(mode)) {
    throw new DatasetError(`Resize mode must be one of ${RESIZE_MODES.join(', ')}, not "${mode}".`);
  }
  const minSide = settings.minSide ?? size / 2;
  if (!Number.isInteger(minSide) || minSide < 1) {
    throw new DatasetError(`Minimum side must be a whole number of pixels of at least 1, not ${minSide}.`);
  }
  const maxFileBytes = settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!(maxFileBytes > 0)) throw new DatasetError(`Maximum file size must be positive, not ${maxFileBytes}.`);
  return {
    size,
    mode,
    background: await normalizeColour(settings.background),
    minSide,
    maxFileBytes,
    dropDuplicates: settings.dropDuplicates ?? true,
  };
}

/** '#rrggbb' for any colour sharp understands ('white', '#fff', 'rgb(0,0,0)'), parsed by sharp itself. */
async function normalizeColour(colour: string): Promise<string> {
  let rgb: Buffer;
  try {
    rgb = await sharp({ create: { width: 1, height: 1, channels: 3, background: colour } }).raw().toBuffer();
  } catch {
    throw new DatasetError(`Background colour "${colour}" is not a colour (try white, black or #rrggbb).`);
  }
  return `#${Array.from(rgb.subarray(0, 3), (v) => v.toString(16).padStart(2, '0')).join('')}`;
}

export function colourToRgb(hex: string): { r: number; g: number; b: number } {
  const value = Number.parseInt(hex.slice(1), 16);
  return { r: (value >> 16) & 255, g: (value >> 8) & 255, b: value & 255 };
}
