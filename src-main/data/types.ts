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

/** Why a file was skipped, as a category: the key of DatasetReport.skippedByReason. */
export type SkipCode = 'unreadable' | 'empty' | 'too-large' | 'not-image' | 'unsupported' | 'corrupt' | 'too-small';

export interface SkippedFile {
  path: string;
  /** One plain line, e.g. "too small (1×1 px; the shorter side must be at least 32 px)". */
  reason: string;
  code: SkipCode;
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
  /** Files in the folders (hidden ones aside): found = used + skipped + duplicates dropped. */
  found: number;
  /** Images in the set (ImageSet.count). */
  used: number;
  /** In path order. */
  skipped: SkippedFile[];
  /** Count of skipped files per SkipCode. */
  skippedByReason: Record<string, number>;
  /** Exact (same bytes) and near (same look) duplicates of an earlier file; dropped unless settings.dropDuplicates is false. */
  duplicates: DuplicateFile[];
  /** PNG files written beside the cache. */
  mosaicPath: string;
  meanImagePath: string;
  /**
   * Histogram of the shorter sides (after EXIF orientation) of every decodable original, used or
   * not: counts[i] images have bins[i - 1] <= side < bins[i] (bins[-1] = 0).
   */
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
