/**
 * Dataset import settings (issue 3), defined once: the CLI `dataset` flags, the Datasets view, the host's
 * request validation and the importer (src-main/data/settings.ts) read them from here.
 */
import { z } from 'zod';
import { boolean, choice, integer, optionMessage, text, type OptionValue } from './option';

export const MIN_IMAGE_SIZE = 8;
export const MAX_IMAGE_SIZE = 1024;
export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

export const DATASET_OPTIONS = {
  size: integer({
    label: 'Image size',
    help: 'side of the square the images are prepared at, in pixels (a multiple of 8)',
    default: 64,
    min: MIN_IMAGE_SIZE,
    max: MAX_IMAGE_SIZE,
    group: 'dataset',
    unit: 'px',
  }),
  mode: choice(
    {
      crop: { label: 'Crop', help: 'fill the square, cutting the longer side' },
      fit: { label: 'Fit', help: 'letterbox the whole image on the background colour' },
      stretch: { label: 'Stretch', help: 'squash the image to the square' },
    },
    { label: 'Resize mode', help: 'how images are fitted to the square', default: 'crop', group: 'dataset', flag: 'resize' },
  ),
  background: text({
    label: 'Background colour',
    help: 'colour for transparency and letterboxing: white, black, #rrggbb, rgb(…)',
    default: '#ffffff',
    maxLength: 64,
    group: 'dataset',
  }),
  minSide: integer({
    label: 'Minimum side',
    help: 'images with a shorter side below this many pixels are skipped (default: half the image size)',
    default: 32,
    min: 1,
    max: 100_000,
    group: 'dataset',
    unit: 'px',
  }),
  maxFileBytes: integer({
    label: 'Maximum file size',
    help: 'files above this many bytes are skipped',
    default: DEFAULT_MAX_FILE_BYTES,
    min: 1,
    max: 2 ** 40,
    group: 'dataset',
  }),
  dropDuplicates: boolean({
    label: 'Drop duplicates',
    help: 'leave out exact and near duplicates of an earlier image',
    default: true,
    group: 'dataset',
  }),
} as const;

export type ResizeMode = OptionValue<typeof DATASET_OPTIONS.mode>;
export const RESIZE_MODES = DATASET_OPTIONS.mode.values;

const imageSize = z.custom<number>(
  (v) => typeof v === 'number' && Number.isInteger(v) && v >= MIN_IMAGE_SIZE && v <= MAX_IMAGE_SIZE && v % 8 === 0,
  { error: (issue) => `${optionMessage(DATASET_OPTIONS.size, issue.input).replace('a whole number', 'a multiple of 8')}` },
);

/** What the user chose for an import; fields left out take their defaults in the importer. */
export const ImportSettingsSchema = z.object({
  size: imageSize,
  mode: DATASET_OPTIONS.mode.schema,
  /** CSS-style colour for alpha compositing and letterboxing, e.g. '#ffffff'. */
  background: DATASET_OPTIONS.background.schema,
  minSide: DATASET_OPTIONS.minSide.schema.optional(),
  maxFileBytes: DATASET_OPTIONS.maxFileBytes.schema.optional(),
  dropDuplicates: DATASET_OPTIONS.dropDuplicates.schema.optional(),
}, { error: 'dataset settings must be an object: { size, mode, background }' });

export type ImportSettings = z.infer<typeof ImportSettingsSchema>;

export const DEFAULT_IMPORT_SETTINGS: ImportSettings = {
  size: DATASET_OPTIONS.size.default,
  mode: DATASET_OPTIONS.mode.default,
  background: DATASET_OPTIONS.background.default,
};
