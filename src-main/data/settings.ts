import sharp from 'sharp';
import { DatasetError } from './errors';
import { DATASET_OPTIONS, DEFAULT_MAX_FILE_BYTES, describeErrors, ImportSettingsSchema, validateWith } from '../shared/schema';
import type { ImportSettings } from './types';


/**
 * Settings with every default filled in and one spelling for each (the colour as #rrggbb, the kept
 * files sorted once each, the legacy dropDuplicates folded into keepDuplicates), so equal settings
 * hash alike.
 */
export type ResolvedSettings = Required<Omit<ImportSettings, 'dropDuplicates'>>;

/** Validates the user's settings by the run schema's rules; a problem is a DatasetError naming the setting. */
export async function resolveSettings(settings: ImportSettings): Promise<ResolvedSettings> {
  const checked = validateWith(ImportSettingsSchema, settings, 'settings');
  if (!checked.ok) throw new DatasetError(`${describeErrors(checked.errors)}.`);
  const { size, mode } = checked.value;
  return {
    size,
    mode,
    background: await normalizeColour(settings.background),
    minSide: settings.minSide ?? size / 2,
    maxFileBytes: settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    keepDuplicates: settings.keepDuplicates ?? (settings.dropDuplicates === false ? true : DATASET_OPTIONS.keepDuplicates.default),
    keepPairs: [...new Set(settings.keepPairs ?? [])].sort(),
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
