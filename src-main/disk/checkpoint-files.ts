import { createHash } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import {
  CheckpointFormatError,
  decodeCheckpoint,
  encodeCheckpoint,
  nonFiniteTensors,
  payloadBytes,
  type Checkpoint,
} from '../engine/checkpoint';
import { writeFileAtomic } from './atomic-write';
import { listCheckpoints, runFiles } from './run-folder';

/** A checkpoint file that cannot be used; the message names the file and why. */
export class CheckpointFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    /** Written by a newer GAN Studio: refused outright, never skipped for an older checkpoint. */
    readonly newer = false,
  ) {
    super(`checkpoint ${path} cannot be used: ${reason}`);
    this.name = 'CheckpointFileError';
  }
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Reads and checks one checkpoint file: structure and format version (1 or 2), the version-2
 * payload checksum, and that every stored value is finite. Version 1 files carry no checksum and
 * are read unchecked (apart from the finite test). Throws CheckpointFileError naming the file.
 */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new CheckpointFileError(path, `it cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = decodeCheckpoint(bytes);
  } catch (error) {
    if (error instanceof CheckpointFormatError) throw new CheckpointFileError(path, error.message, error.newer);
    throw error;
  }
  if (checkpoint.json.version === 2 && checkpoint.json.checksum !== sha256(payloadBytes(checkpoint))) {
    throw new CheckpointFileError(path, 'its weights do not match their checksum (the file is damaged)');
  }
  const bad = nonFiniteTensors(checkpoint);
  if (bad.length > 0) {
    throw new CheckpointFileError(path, `it holds NaN or infinite values (${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ', …' : ''})`);
  }
  return checkpoint;
}

/**
 * Writes a version-2 file (checksum added here) atomically, then drops all but the newest `keep`
 * checkpoints. Refuses a checkpoint holding NaN or infinite values: it would replace a good one.
 */
export async function writeCheckpoint(runDir: string, checkpoint: Checkpoint, keep = 2): Promise<string> {
  const path = runFiles.checkpoint(runDir, checkpoint.json.step);
  const bad = nonFiniteTensors(checkpoint);
  if (bad.length > 0) throw new Error(`refusing to write checkpoint ${path}: NaN or infinite values in ${bad.slice(0, 3).join(', ')}`);
  const json = { ...checkpoint.json, version: 2 as const, checksum: sha256(payloadBytes(checkpoint)) };
  await writeFileAtomic(path, encodeCheckpoint({ json, binary: checkpoint.binary }));
  const all = await listCheckpoints(runDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) await rm(old.path, { force: true });
  return path;
}

export interface IntactCheckpoint {
  checkpoint: Checkpoint;
  step: number;
  path: string;
  /** Newer checkpoints that were passed over, newest first, each with its one-line reason. */
  skipped: CheckpointFileError[];
}

/**
 * The newest checkpoint of a run that reads back intact (see readCheckpoint), for everything that
 * loads a run: resume, generate, interpolate and export. Damaged newer files are passed over and
 * listed in `skipped`; a file whose name and header disagree on the step counts as damaged.
 * Returns null when the run has no checkpoint file at all. Throws CheckpointFileError for a file
 * of a newer format version, and an Error listing every file when none is intact.
 */
export async function loadNewestIntactCheckpoint(runDir: string): Promise<IntactCheckpoint | null> {
  const files = (await listCheckpoints(runDir)).reverse();
  if (files.length === 0) return null;
  const skipped: CheckpointFileError[] = [];
  for (const file of files) {
    try {
      const checkpoint = await readCheckpoint(file.path);
      if (checkpoint.json.step !== file.step) {
        throw new CheckpointFileError(file.path, `its header says step ${checkpoint.json.step}, its name step ${file.step}`);
      }
      return { checkpoint, step: file.step, path: file.path, skipped };
    } catch (error) {
      if (!(error instanceof CheckpointFileError) || error.newer) throw error;
      skipped.push(error);
    }
  }
  throw new Error(
    `no intact checkpoint in ${runDir}: ${skipped.map((e) => e.message).join('; ')}. The run cannot continue; start a new one`,
  );
}

/**
 * Moves damaged checkpoints out of the way (renamed to `….ckpt.damaged`, kept for inspection),
 * so that a resumed run neither reads them again nor keeps them in place of intact ones.
 */
export async function setAsideDamagedCheckpoints(skipped: CheckpointFileError[]): Promise<void> {
  for (const error of skipped) await rename(error.path, `${error.path}.damaged`).catch(() => undefined);
}
