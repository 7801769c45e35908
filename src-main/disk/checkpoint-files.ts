import { readFile, rm } from 'node:fs/promises';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../engine/checkpoint';
import { writeFileAtomic } from './atomic-write';
import { listCheckpoints, runFiles } from './run-folder';

export async function readCheckpoint(path: string): Promise<Checkpoint> {
  return decodeCheckpoint(new Uint8Array(await readFile(path)));
}

/** Writes atomically, then drops all but the newest `keep` checkpoints. */
export async function writeCheckpoint(runDir: string, checkpoint: Checkpoint, keep = 2): Promise<string> {
  const path = runFiles.checkpoint(runDir, checkpoint.json.step);
  await writeFileAtomic(path, encodeCheckpoint(checkpoint));
  const all = await listCheckpoints(runDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) await rm(old.path, { force: true });
  return path;
}
