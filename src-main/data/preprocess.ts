import sharp from 'sharp';
import type { ResolvedSettings } from './settings';
import type { SkipCode } from './types';

/** A file that cannot be used, with the category and the plain reason for the report. */
export class SkipReason extends Error {
  constructor(
    readonly code: SkipCode,
    reason: string,
    /** The original's shorter side when it was decodable (for the size histogram). */
    readonly shorterSide?: number,
  ) {
    super(reason);
  }
}

export interface PreprocessedImage {
  /** Size of the original after EXIF orientation. */
  width: number;
  height: number;
}

const FIT_BY_MODE = { crop: 'cover', fit: 'contain', stretch: 'fill' } as const;

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/^Input (buffer|file) (has corrupt header|contains unsupported image format): ?/i, '').trim();
}

/**
 * Decodes one encoded image and writes it as size × size × 3 uint8 RGB into `out`: EXIF orientation
 * applied, first frame of animations, any colour space (CMYK, 16-bit, palette, grey) to 8-bit sRGB,
 * alpha composited over the background, resized with lanczos3.
 */
export async function preprocessImage(bytes: Uint8Array, settings: ResolvedSettings, out: Uint8Array): Promise<PreprocessedImage> {
  const { size, mode, background, minSide } = settings;
  // 'truncated' rejects partial images (which libjpeg would pad with grey) but tolerates the harmless
  // warnings many real-world files carry, such as extraneous bytes between JPEG markers.
  const image = sharp(bytes, { failOn: 'truncated', pages: 1 });
  let width: number;
  let height: number;
  try {
    const metadata = await image.metadata();
    ({ width, height } = metadata.autoOrient);
  } catch (error) {
    throw classifySharpError(error);
  }
  if (Math.min(width, height) < minSide) {
    const shorterSide = Math.min(width, height);
    throw new SkipReason('too-small', `too small (${width}×${height} px; the shorter side must be at least ${minSide} px)`, shorterSide);
  }
  try {
    const { data, info } = await image
      .rotate()
      .flatten({ background })
      .toColourspace('srgb')
      .resize(size, size, { fit: FIT_BY_MODE[mode], position: 'centre', background, kernel: 'lanczos3' })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.width !== size || info.height !== size || info.channels !== 3) {
      throw new SkipReason('corrupt', `decoded to an unexpected shape (${info.width}×${info.height}×${info.channels})`);
    }
    out.set(data);
  } catch (error) {
    throw classifySharpError(error);
  }
  return { width, height };
}

function classifySharpError(error: unknown): SkipReason {
  if (error instanceof SkipReason) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return new SkipReason('too-large', 'image too large (over 268 megapixels)');
  if (/unsupported image format/i.test(message)) return new SkipReason('unsupported', 'unsupported or unrecognised image format');
  return new SkipReason('corrupt', `corrupt or truncated image (${firstLine(message)})`);
}
