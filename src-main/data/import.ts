import { constants as bufferConstants } from 'node:buffer';
import { createHash } from 'node:crypto';
import { access, open, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../disk/atomic-write';
import {
  allocatePixelStore,
  cachePaths,
  HEADER_BYTES,
  datasetId,
  imageSetOf,
  readAllReports,
  readPixelCache,
  readReport,
  removeSupersededCaches,
  writePixelCache,
  writeReport,
  type CachePaths,
} from './cache';
import { DatasetError } from './errors';
import { cellDetail, comparePixels, differenceHash, fullCompareSide, isSamePicture, MAX_PIXEL_DIFFERENCE, NearDuplicateIndex, TRAINING_CELL_DIFFERENCE, withinMeanDifference, type ImageHash } from './perceptual';
import { preprocessImage, SkipReason } from './preprocess';
import { meanImagePng, mosaicPng, sizeHistogram } from './report-images';
import { scanFolders, throwIfCancelled, type ScannedFile } from './scan';
import { resolveSettings, type ResolvedSettings } from './settings';
import { SNIFF_BYTES, sniffImage } from './sniff';
import type { DatasetReport, DuplicateFile, ImageSet, ImportProgress, ImportSettings, SkipCode, SkippedFile } from './types';

export { DatasetError } from './errors';

export interface ImportOptions {
  /** The app's cache folder (appPaths().cache); the import writes only below it, and never scans it. */
  cacheDir: string;
  /** The app's data folder (appPaths().root): its runs, caches and generated images are never training images. */
  appDataDir?: string;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

/** sharp decodes on its own threads; a few files in flight keep both cores and the disk busy. */
const FILES_IN_FLIGHT = Math.max(2, Math.min(8, availableParallelism() * 2));
const PROGRESS_INTERVAL_MS = 100;
/** The largest typed array Node allocates (4 GiB in Node 20): 87,000 images at 128 px. */
const MAX_LENGTH = bufferConstants.MAX_LENGTH;

interface Skipped {
  kind: 'skipped';
  code: SkipCode;
  reason: string;
  /** Known when the file was a decodable image (too small), for the size histogram. */
  shorterSide?: number;
}

/** What became of one file: skipped before decoding, or its content (shared by files with identical bytes). */
type FileOutcome = Skipped | { kind: 'content'; sha: string };

/** What became of one content: decoded into a slot of the pixel store, or skipped. */
type ContentOutcome = Skipped | { kind: 'decoded'; slot: number; width: number; height: number; shorterSide: number; hash: ImageHash };

function throttle(onProgress: ((progress: ImportProgress) => void) | undefined): (progress: ImportProgress) => void {
  let last = 0;
  let lastPhase = '';
  return (progress) => {
    if (!onProgress) return;
    const now = Date.now();
    const final = progress.total > 0 && progress.done === progress.total;
    if (final || progress.phase !== lastPhase || now - last >= PROGRESS_INTERVAL_MS) {
      last = now;
      lastPhase = progress.phase;
      onProgress(progress);
    }
  };
}

function describeFolders(folders: string[]): string {
  return folders.length === 1 ? folders[0] : `${folders[0]} and ${folders.length - 1} more folder${folders.length > 2 ? 's' : ''}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The whole file, after checking its size and its first bytes; problems become a SkipReason. */
async function readImageFile(file: ScannedFile, settings: ResolvedSettings): Promise<Buffer> {
  if (file.size === 0) throw new SkipReason('empty', 'empty file (0 bytes)');
  if (file.size > settings.maxFileBytes) {
    throw new SkipReason('too-large', `file too large (${megabytes(file.size)}; the limit is ${megabytes(settings.maxFileBytes)})`);
  }
  let handle;
  try {
    handle = await open(file.path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? 'removed while importing' : code;
    throw new SkipReason('unreadable', `cannot be read (${why})`);
  }
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    const sniffed = sniffImage(head.subarray(0, bytesRead));
    if (sniffed.kind === 'text') throw new SkipReason('not-image', 'not an image (text file)');
    if (sniffed.kind === 'unknown') throw new SkipReason('not-image', 'not an image (unrecognised content)');
    if (sniffed.kind === 'unsupported') throw new SkipReason('unsupported', `unsupported format (${sniffed.format})`);
    return await handle.readFile();
  } catch (error) {
    if (error instanceof SkipReason) throw error;
    throw new SkipReason('unreadable', `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'read error'})`);
  } finally {
    await handle.close();
  }
}

function asSkipped(error: unknown): Skipped {
  if (error instanceof SkipReason) return { kind: 'skipped', code: error.code, reason: error.message, shorterSide: error.shorterSide };
  throw error;
}

/**
 * Reads and preprocesses every file, a few at a time, into its own slot of the store. Files with
 * identical bytes are decoded once.
 */
async function decodeFiles(
  files: ScannedFile[],
  settings: ResolvedSettings,
  store: Uint8Array,
  report: (progress: ImportProgress) => void,
  signal: AbortSignal | undefined,
): Promise<{ outcomes: FileOutcome[]; contents: Map<string, ContentOutcome> }> {
  const stride = settings.size * settings.size * 3;
  const outcomes: FileOutcome[] = new Array(files.length);
  const pending = new Map<string, Promise<ContentOutcome>>();
  let next = 0;
  let done = 0;

  async function decodeContent(bytes: Buffer, slot: number): Promise<ContentOutcome> {
    const start = HEADER_BYTES + slot * stride;
    const out = store.subarray(start, start + stride);
    try {
      const { width, height } = await preprocessImage(bytes, settings, out);
      return { kind: 'decoded', slot, width, height, shorterSide: Math.min(width, height), hash: differenceHash(out, settings.size) };
    } catch (error) {
      return asSkipped(error);
    }
  }

  async function worker(): Promise<void> {
    while (next < files.length) {
      throwIfCancelled(signal);
      const index = next++;
      const file = files[index];
      try {
        const bytes = await readImageFile(file, settings);
        const sha = createHash('sha256').update(bytes).digest('hex');
        if (!pending.has(sha)) pending.set(sha, decodeContent(bytes, index));
        await pending.get(sha);
        outcomes[index] = { kind: 'content', sha };
      } catch (error) {
        outcomes[index] = asSkipped(error);
      }
      report({ phase: 'reading', done: ++done, total: files.length, current: file.path });
    }
  }

  report({ phase: 'reading', done: 0, total: files.length, current: '' });
  // Wait for every worker, even after one failed, so no decoding goes on once the import has ended.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(FILES_IN_FLIGHT, files.length) }, worker));
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  throwIfCancelled(signal);
  const contents = new Map<string, ContentOutcome>();
  for (const [sha, outcome] of pending) contents.set(sha, await outcome);
  return { outcomes, contents };
}

interface Selection {
  /**
   * For each used image, in order: where its pixels are when its turn to move to the front comes.
   * That is its file's slot (never below its position, and untouched so far), or for a copy with the
   * same bytes kept by choice, its original's position (already moved).
   */
  slots: number[];
  skipped: SkippedFile[];
  duplicates: DuplicateFile[];
  shorterSides: number[];
}

/** A used image that later images are compared with. */
interface Original {
  path: string;
  slot: number;
  width: number;
  height: number;
  /** cellDetail of its training image, once worked out. */
  detail?: Float64Array;
}

/** Bytes of originals prepared at full size kept in memory while images are compared (each at most 512 × 512 × 3.3 bytes). */
const FULL_SIZE_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The full-resolution half of the near-duplicate test (perceptual.ts): prepares both originals again,
 * from their files, at the largest size both have, and compares them. 'exact' when the originals have
 * the same size and the same pixels, 'near' when they are the same picture, null otherwise (and when a
 * file cannot be read again: a file that changed under the import is never called a duplicate).
 */
function fullSizeComparer(settings: ResolvedSettings): (a: Original, b: Original) => Promise<'exact' | 'near' | null> {
  type Prepared = { pixels: Uint8Array; detail: Float64Array } | null;
  const prepared = new Map<string, { value: Promise<Prepared>; bytes: number }>();
  let cachedBytes = 0;
  function preparedAt(original: Original, side: number): Promise<Prepared> {
    const key = `${side}\0${original.path}`;
    const hit = prepared.get(key);
    if (hit) {
      // Most recently used last: the oldest entries go first when the cache is full.
      prepared.delete(key);
      prepared.set(key, hit);
      return hit.value;
    }
    const value = (async (): Promise<Prepared> => {
      try {
        const pixels = new Uint8Array(side * side * 3);
        await preprocessImage(await readFile(original.path), { ...settings, size: side, minSide: 1 }, pixels);
        return { pixels, detail: cellDetail(pixels, side) };
      } catch {
        return null;
      }
    })();
    const bytes = side * side * 3;
    prepared.set(key, { value, bytes });
    cachedBytes += bytes;
    for (const [oldest, entry] of prepared) {
      if (cachedBytes <= FULL_SIZE_CACHE_BYTES) break;
      prepared.delete(oldest);
      cachedBytes -= entry.bytes;
    }
    return value;
  }
  return async (a, b) => {
    const side = fullCompareSide(Math.min(a.width, a.height), Math.min(b.width, b.height), settings.size);
    const [preparedA, preparedB] = await Promise.all([preparedAt(a, side), preparedAt(b, side)]);
    if (!preparedA || !preparedB) return null;
    const comparison = comparePixels(preparedA.pixels, preparedB.pixels, side, preparedA.detail, preparedB.detail);
    if (comparison.identical && a.width === b.width && a.height === b.height) return 'exact';
    return isSamePicture(comparison) ? 'near' : null;
  };
}

/**
 * Decides, in file order, which images are used: the first file of some content is the original;
 * later files with the same bytes, or the same pixels at the same size, are exact duplicates; a
 * later image that is the same picture as an earlier original (resized or re-encoded,
 * perceptual.ts) is a near duplicate. Duplicates are left out, except every one with
 * settings.keepDuplicates and the near duplicates whose paths are in settings.keepPairs.
 */
async function selectImages(
  files: ScannedFile[],
  decoded: Awaited<ReturnType<typeof decodeFiles>>,
  settings: ResolvedSettings,
  store: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<Selection> {
  const stride = settings.size * settings.size * 3;
  const pixelsAt = (slot: number): Uint8Array => store.subarray(HEADER_BYTES + slot * stride, HEADER_BYTES + (slot + 1) * stride);
  const selection: Selection = { slots: [], skipped: [], duplicates: [], shorterSides: [] };
  /** By content (sha-256 of the bytes): the file it was first seen in, and its position among the used images. */
  const originalOf = new Map<string, { path: string; usedAt: number | null }>();
  const originals = new NearDuplicateIndex<Original>();
  const compareAtFullSize = fullSizeComparer(settings);
  const kept = new Set(settings.keepPairs);
  for (const [index, file] of files.entries()) {
    throwIfCancelled(signal);
    const outcome = decoded.outcomes[index];
    const content = outcome.kind === 'content' ? decoded.contents.get(outcome.sha)! : outcome;
    if (content.shorterSide !== undefined) selection.shorterSides.push(content.shorterSide);
    if (content.kind === 'skipped') {
      selection.skipped.push({ path: file.path, code: content.code, reason: content.reason });
      continue;
    }
    const sha = (outcome as { sha: string }).sha;
    const sameBytes = originalOf.get(sha);
    if (sameBytes !== undefined) {
      const keep = settings.keepDuplicates && sameBytes.usedAt !== null;
      selection.duplicates.push({ path: file.path, duplicateOf: sameBytes.path, kind: 'exact', ...(keep ? { kept: true } : {}) });
      if (keep) selection.slots.push(sameBytes.usedAt!);
      continue;
    }
    const image: Original = { path: file.path, slot: content.slot, width: content.width, height: content.height };
    const pixels = pixelsAt(content.slot);
    let match: { original: Original; kind: 'exact' | 'near' } | undefined;
    for (const candidate of originals.candidates(content.hash)) {
      const candidatePixels = pixelsAt(candidate.slot);
      if (!withinMeanDifference(pixels, candidatePixels, MAX_PIXEL_DIFFERENCE)) continue;
      image.detail ??= cellDetail(pixels, settings.size);
      candidate.detail ??= cellDetail(candidatePixels, settings.size);
      if (comparePixels(pixels, candidatePixels, settings.size, image.detail, candidate.detail).maxExcess > TRAINING_CELL_DIFFERENCE) continue;
      const kind = await compareAtFullSize(candidate, image);
      if (kind) {
        match = { original: candidate, kind };
        break;
      }
    }
    if (match) {
      const keep = settings.keepDuplicates || (match.kind === 'near' && kept.has(file.path));
      selection.duplicates.push({ path: file.path, duplicateOf: match.original.path, kind: match.kind, ...(keep ? { kept: true } : {}) });
      if (!keep) {
        originalOf.set(sha, { path: file.path, usedAt: null });
        continue;
      }
    } else {
      originals.add(content.hash, image);
    }
    originalOf.set(sha, { path: file.path, usedAt: selection.slots.length });
    selection.slots.push(content.slot);
  }
  return selection;
}

async function loadFromCache(paths: CachePaths, id: string): Promise<{ report: DatasetReport; images: ImageSet } | null> {
  const report = await readReport(paths.report);
  if (!report || report.id !== id) return null;
  const images = await readPixelCache(paths.pixels, { size: report.settings.size, count: report.used });
  if (!images) return null;
  try {
    await Promise.all([access(paths.mosaic), access(paths.mean)]);
  } catch {
    await writeReportImages(paths, images);
  }
  return { report: { ...report, fromCache: true }, images };
}

async function writeReportImages(paths: CachePaths, images: ImageSet): Promise<void> {
  await writeFileAtomic(paths.mosaic, await mosaicPng(images));
  await writeFileAtomic(paths.mean, await meanImagePng(images));
}

function countByReason(skipped: SkippedFile[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of skipped) counts[entry.code] = (counts[entry.code] ?? 0) + 1;
  return counts;
}

function summarizeReasons(skipped: SkippedFile[]): string {
  return Object.entries(countByReason(skipped))
    .map(([code, count]) => `${count} ${code.replace('-', ' ')}`)
    .join(', ');
}

/**
 * Turns the folders into a training set of size × size RGB images and a report, from the cache
 * when nothing changed. The folders are only read; everything written goes below cacheDir.
 */
export async function importDataset(
  folders: string[],
  settings: ImportSettings,
  options: ImportOptions,
): Promise<{ report: DatasetReport; images: ImageSet }> {
  const { cacheDir, signal } = options;
  const progress = throttle(options.onProgress);
  const resolved = await resolveSettings(settings);
  const absoluteFolders = folders.map((folder) => resolve(folder));
  throwIfCancelled(signal);
  const exclude = [cacheDir, ...(options.appDataDir ? [options.appDataDir] : [])];
  const scan = await scanFolders(absoluteFolders, { signal, onProgress: progress, exclude });
  const found = scan.files.length + scan.skipped.length;
  if (found === 0) throw new DatasetError(`No images found in ${describeFolders(absoluteFolders)}: it holds no files.`);

  const id = datasetId(absoluteFolders, resolved, scan);
  const paths = cachePaths(cacheDir, id);
  const cached = await loadFromCache(paths, id);
  if (cached) {
    progress({ phase: 'reading', done: scan.files.length, total: scan.files.length, current: paths.pixels });
    return cached;
  }

  const storeBytes = HEADER_BYTES + scan.files.length * resolved.size * resolved.size * 3;
  if (storeBytes > MAX_LENGTH) {
    throw new DatasetError(
      `Too many images for one set: ${scan.files.length} files at ${resolved.size} px need ${(storeBytes / 1e9).toFixed(1)} GB, over the ${(MAX_LENGTH / 1e9).toFixed(1)} GB limit; choose a smaller size or fewer folders.`,
    );
  }
  let store = allocatePixelStore(scan.files.length, resolved.size);
  const decoded = await decodeFiles(scan.files, resolved, store, progress, signal);
  const selection = await selectImages(scan.files, decoded, resolved, store, signal);
  const skipped = [...scan.skipped, ...selection.skipped].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (selection.slots.length === 0) {
    throw new DatasetError(
      `No usable image in ${describeFolders(absoluteFolders)}: ${skipped.length} file${skipped.length === 1 ? '' : 's'} skipped (${summarizeReasons(skipped)}).`,
    );
  }
  const stride = resolved.size * resolved.size * 3;
  const pixels = store.subarray(HEADER_BYTES);
  selection.slots.forEach((slot, position) => {
    if (slot !== position) pixels.copyWithin(position * stride, slot * stride, (slot + 1) * stride);
  });
  const used = selection.slots.length;
  if (used < scan.files.length * 0.75) {
    const smaller = allocatePixelStore(used, resolved.size);
    smaller.set(store.subarray(0, HEADER_BYTES + used * stride));
    store = smaller;
  }
  const images = imageSetOf(store, used, resolved.size);

  throwIfCancelled(signal);
  progress({ phase: 'writing', done: 0, total: 3, current: paths.pixels });
  await writePixelCache(paths.pixels, store, images);
  progress({ phase: 'writing', done: 1, total: 3, current: paths.mosaic });
  await writeReportImages(paths, images);
  const report: DatasetReport = {
    id,
    folders: absoluteFolders,
    settings: resolved,
    found,
    used,
    skipped,
    skippedByReason: countByReason(skipped),
    duplicates: selection.duplicates,
    mosaicPath: paths.mosaic,
    meanImagePath: paths.mean,
    sizeHistogram: sizeHistogram(selection.shorterSides),
    fromCache: false,
    createdAt: new Date().toISOString(),
  };
  progress({ phase: 'writing', done: 2, total: 3, current: paths.report });
  // The report goes last: a cache folder without one is incomplete and is never read.
  await writeReport(paths.report, report);
  progress({ phase: 'writing', done: 3, total: 3, current: paths.report });
  await removeSupersededCaches(cacheDir, report).catch(() => undefined);
  return { report, images };
}

/** Datasets imported before (whose reports are in the cache), newest first. */
export async function listRecentDatasets(cacheDir: string): Promise<DatasetReport[]> {
  const reports = await readAllReports(cacheDir);
  return reports.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}
