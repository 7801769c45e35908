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
  keepDuplicates: boolean({
    label: 'Keep duplicates',
    help: 'keep every duplicate: exact copies and resized or re-encoded copies of an earlier image (they are still reported)',
    default: false,
    group: 'dataset',
    // Run schema 3 (issue 14); before it, `dropDuplicates: false` said the same (read below).
    addedIn: 3,
    before: false,
  }),
} as const;

/** Most per-file keeps one dataset's settings may hold. */
export const MAX_KEPT_FILES = 100_000;

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
  keepDuplicates: DATASET_OPTIONS.keepDuplicates.schema.optional(),
  /**
   * Near duplicates kept one by one (the Datasets view's review): the path of the later file of each
   * pair, as DuplicateFile.path spells it. Exact copies are never kept this way (only by
   * keepDuplicates); paths that name no near duplicate change nothing.
   */
  keepPairs: z
    .array(z.string().min(1).max(4096), { error: 'keepPairs must be a list of file paths (the duplicates to keep)' })
    .max(MAX_KEPT_FILES, { error: `keepPairs may name at most ${MAX_KEPT_FILES} files` })
    .optional(),
  /**
   * Written before run schema 3: `false` kept every duplicate. Read only to upgrade (it then means
   * keepDuplicates); never written.
   */
  dropDuplicates: z.boolean({ error: 'dropDuplicates must be true or false' }).optional(),
}, { error: 'dataset settings must be an object: { size, mode, background }' });

export type ImportSettings = z.infer<typeof ImportSettingsSchema>;

export const DEFAULT_IMPORT_SETTINGS: ImportSettings = {
  size: DATASET_OPTIONS.size.default,
  mode: DATASET_OPTIONS.mode.default,
  background: DATASET_OPTIONS.background.default,
};
