import { createHash } from 'node:crypto';
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../disk/atomic-write';
import type { ScanResult } from './scan';
import type { ResolvedSettings } from './settings';
import type { DatasetReport, ImageSet } from './types';

/**
 * Bump when preprocessing changes what pixels a file gives, or the duplicate test which files are
 * used, so older caches are never reused. 2: near duplicates confirmed at full resolution (issue 14).
 */
const PIPELINE_VERSION = 2;
const MAGIC = 'GANPIX01';
/** The pixel file: this header, then count × size × size × 3 bytes. */
export const HEADER_BYTES = 64;
const CHECKSUM_CHUNK = 64 * 1024 * 1024;

export interface CachePaths {
  folder: string;
  pixels: string;
  report: string;
  mosaic: string;
  mean: string;
}

export function datasetsFolder(cacheDir: string): string {
  return join(cacheDir, 'datasets');
}

export function cachePaths(cacheDir: string, id: string): CachePaths {
  const folder = join(datasetsFolder(cacheDir), id);
  return {
    folder,
    pixels: join(folder, 'pixels.bin'),
    report: join(folder, 'report.json'),
    mosaic: join(folder, 'mosaic.png'),
    mean: join(folder, 'mean.png'),
  };
}

/**
 * The cache key: what was asked (folders, settings, the kept duplicates among them) and what was on disk: each file's path, size,
 * mtime, inode change time and device/inode. Rewriting a file in place (same size, mtime put back
 * with utimes) moves its ctime, and pointing a link at another file changes the inode, so neither
 * is served from the cache; hashing every file's bytes would cost a full read on each import.
 */
export function datasetId(folders: string[], settings: ResolvedSettings, scan: ScanResult): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ version: PIPELINE_VERSION, folders, settings }));
  for (const file of scan.files) {
    hash.update(`\n${file.path}\0${file.size}\0${file.mtimeMs}\0${file.ctimeMs}\0${file.dev}:${file.ino}`);
  }
  for (const entry of scan.skipped) hash.update(`\n!${entry.path}\0${entry.reason}`);
  return hash.digest('hex').slice(0, 24);
}

/**
 * Room for `count` images with the header in front, so the finished set is written to disk as it
 * lies in memory: a 2.4 GB set is never copied to be saved.
 */
export function allocatePixelStore(count: number, size: number): Uint8Array {
  return new Uint8Array(HEADER_BYTES + count * size * size * 3);
}

export function imageSetOf(store: Uint8Array, count: number, size: number): ImageSet {
  return { size, count, pixels: store.subarray(HEADER_BYTES, HEADER_BYTES + count * size * size * 3) };
}

function checksum(payload: Uint8Array): Buffer {
  const hash = createHash('sha256');
  for (let offset = 0; offset < payload.length; offset += CHECKSUM_CHUNK) {
    hash.update(payload.subarray(offset, offset + CHECKSUM_CHUNK));
  }
  return hash.digest();
}

/** Writes the store (as filled by allocatePixelStore/imageSetOf) atomically with a checksummed header. */
export async function writePixelCache(path: string, store: Uint8Array, set: ImageSet): Promise<void> {
  const payloadBytes = set.count * set.size * set.size * 3;
  const header = Buffer.from(store.buffer, store.byteOffset, HEADER_BYTES);
  header.fill(0);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(set.size, 8);
  header.writeUInt32LE(set.count, 12);
  header.writeBigUInt64LE(BigInt(payloadBytes), 16);
  checksum(set.pixels).copy(header, 32);
  await writeFileAtomic(path, store.subarray(0, HEADER_BYTES + payloadBytes));
}

/** The cached pixels, or null when the file is missing, truncated, of other settings or corrupt. */
export async function readPixelCache(path: string, expected: { size: number; count: number }): Promise<ImageSet | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const { size: fileBytes } = await handle.stat();
    const payloadBytes = expected.count * expected.size * expected.size * 3;
    if (fileBytes !== HEADER_BYTES + payloadBytes) return null;
    const store = allocatePixelStore(expected.count, expected.size);
    for (let offset = 0; offset < fileBytes; ) {
      const { bytesRead } = await handle.read(store, offset, Math.min(CHECKSUM_CHUNK, fileBytes - offset), offset);
      if (bytesRead === 0) return null;
      offset += bytesRead;
    }
    const header = Buffer.from(store.buffer, store.byteOffset, HEADER_BYTES);
    if (
      header.toString('latin1', 0, MAGIC.length) !== MAGIC ||
      header.readUInt32LE(8) !== expected.size ||
      header.readUInt32LE(12) !== expected.count ||
      header.readBigUInt64LE(16) !== BigInt(payloadBytes)
    ) {
      return null;
    }
    const set = imageSetOf(store, expected.count, expected.size);
    if (!checksum(set.pixels).equals(header.subarray(32, 64))) return null;
    return set;
  } finally {
    await handle.close();
  }
}

export async function writeReport(path: string, report: DatasetReport): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
}

function isReport(value: unknown): value is DatasetReport {
  const report = value as Partial<DatasetReport> | null;
  return (
    typeof report === 'object' &&
    report !== null &&
    typeof report.id === 'string' &&
    Array.isArray(report.folders) &&
    typeof report.used === 'number' &&
    typeof report.createdAt === 'string' &&
    typeof report.settings === 'object'
  );
}

export async function readReport(path: string): Promise<DatasetReport | null> {
  try {
    const report: unknown = JSON.parse(await readFile(path, 'utf8'));
    return isReport(report) ? report : null;
  } catch {
    return null;
  }
}

/** Every readable report in the cache. */
export async function readAllReports(cacheDir: string): Promise<DatasetReport[]> {
  let ids: string[];
  try {
    ids = await readdir(datasetsFolder(cacheDir));
  } catch {
    return [];
  }
  const reports = await Promise.all(ids.map((id) => readReport(cachePaths(cacheDir, id).report)));
  return reports.filter((report): report is DatasetReport => report !== null && ids.includes(report.id));
}

function sameSource(a: DatasetReport, b: DatasetReport): boolean {
  return JSON.stringify(a.folders) === JSON.stringify(b.folders) && JSON.stringify(a.settings) === JSON.stringify(b.settings);
}

/** Removes caches of the same folders and settings made before their files changed: they can never be hit again. */
export async function removeSupersededCaches(cacheDir: string, current: DatasetReport): Promise<void> {
  for (const report of await readAllReports(cacheDir)) {
    if (report.id !== current.id && sameSource(report, current)) {
      await rm(cachePaths(cacheDir, report.id).folder, { recursive: true, force: true });
    }
  }
}
