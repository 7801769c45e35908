/** The dataset types that cross process boundaries live in the contract; the pixels stay in this process. */
export type { DatasetReport, DuplicateFile, ImportProgress, ImportSettings, ResizeMode, SkipCode, SkippedFile } from '../shared/contract';

/** Preprocessed pixels, uint8 RGB, count × size × size × 3, row-major (NHWC). */
export interface ImageSet {
  size: number;
  count: number;
  pixels: Uint8Array;
}
