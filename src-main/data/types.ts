/** Types of the dataset import (issue 3). The contract re-exports them; define them only here. */
export type ResizeMode = 'crop' | 'fit' | 'stretch';

export interface ImportSettings {
  /** Output side in pixels: a multiple of 8 (32, 64, 96, 128, ...). */
  size: number;
  mode: ResizeMode;
  /** CSS-style colour for alpha compositing and letterboxing, e.g. '#ffffff'. */
  background: string;
  /** Images with a shorter side below this are skipped; default size / 2. */
  minSide?: number;
  /** Files above this many bytes are skipped. */
  maxFileBytes?: number;
  /** Drop exact and near duplicates (default true). */
  dropDuplicates?: boolean;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface DuplicateFile {
  path: string;
  duplicateOf: string;
  kind: 'exact' | 'near';
}

export interface ImportProgress {
  phase: 'scanning' | 'reading' | 'writing';
  done: number;
  total: number;
  current: string;
}

export interface DatasetReport {
  /** Stable id of this dataset + settings (the cache key). */
  id: string;
  folders: string[];
  settings: ImportSettings;
  found: number;
  used: number;
  skipped: SkippedFile[];
  skippedByReason: Record<string, number>;
  duplicates: DuplicateFile[];
  /** PNG files written beside the cache. */
  mosaicPath: string;
  meanImagePath: string;
  /** Histogram of the originals' shorter sides: bucket upper bounds and counts. */
  sizeHistogram: { bins: number[]; counts: number[] };
  fromCache: boolean;
  createdAt: string;
}

/** Preprocessed pixels, uint8 RGB, count × size × size × 3, row-major (NHWC). */
export interface ImageSet {
  size: number;
  count: number;
  pixels: Uint8Array;
}
