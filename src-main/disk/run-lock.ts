import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { runFiles } from './run-folder';

/** Who writes a run folder: the content of its run.lock. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** Linux: the process's start time in clock ticks since boot (/proc/PID/stat), to tell a reused pid. */
  processStart?: string;
  /** Random per lock: tells our own lock from a later one with the same pid. */
  token: string;
}

/** The run folder has a live writer; the message names it and what to do. */
export class RunLockedError extends Error {
  constructor(
    readonly runDir: string,
    readonly owner: LockOwner,
  ) {
    const here = owner.hostname === hostname();
    super(
      `${runDir} is in use: another GAN Studio process (pid ${owner.pid}${here ? '' : ` on ${owner.hostname}`}) ` +
        `has been writing it since ${owner.startedAt}. Wait for it to finish or stop it` +
        (here ? '' : `; if it no longer runs, delete ${runFiles.lock(runDir)}`),
    );
    this.name = 'RunLockedError';
  }
}

export interface RunLock {
  readonly runDir: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still this lock's. Safe to call twice. */
  release(): Promise<void>;
}

/** Start time of a process from /proc (Linux), or null where there is none. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the owner may still be writing. A lock of another host cannot be checked and counts as
 * live; on this host the pid must exist (and, on Linux, be the same process: a pid can be reused).
 */
export function isLockLive(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStart(owner.pid);
  return !(owner.processStart && start && start !== owner.processStart);
}

function parseOwner(text: string): LockOwner | null {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner> | null;
    if (owner && Number.isInteger(owner.pid) && typeof owner.hostname === 'string' && typeof owner.token === 'string') {
      return owner as LockOwner;
    }
  } catch {
    // A damaged lock file is nobody's lock.
  }
  return null;
}

/** The current lock of a run folder, or null when there is none (or it is unreadable). */
export async function readRunLock(runDir: string): Promise<LockOwner | null> {
  const text = await readFile(runFiles.lock(runDir), 'utf8').catch(() => null);
  return text === null ? null : parseOwner(text);
}

const sameLock = (a: LockOwner | null, b: LockOwner | null) => a !== null && b !== null && a.token === b.token;

/**
 * Makes this process the one writer of a run folder (DESIGN.md "Files on disk"): creates
 * `run.lock` holding pid, hostname and start time. The file appears complete or not at all (written
 * aside, then hard-linked into place, which fails if a lock exists). A lock whose process is gone
 * (stale: see isLockLive) is taken over; a damaged lock file counts as stale. Throws
 * RunLockedError when a live process holds the folder.
 */
export async function acquireRunLock(runDir: string): Promise<RunLock> {
  await mkdir(runDir, { recursive: true });
  const path = runFiles.lock(runDir);
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    ...(processStart(process.pid) ? { processStart: processStart(process.pid)! } : {}),
    token: randomBytes(8).toString('hex'),
  };
  const content = `${JSON.stringify(owner)}\n`;
  // Not a writeFileAtomic temp name: removeTempFiles of the holder must not delete it.
  const fresh = `${path}.${owner.token}.new`;
  await writeSynced(fresh, content, 'w');
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await place(fresh, path, content)) {
        return {
          runDir,
          owner,
          release: async () => {
            if (sameLock(await readRunLock(runDir), owner)) await rm(path, { force: true });
          },
        };
      }
      const text = await readSettled(path);
      if (text === null) continue; // released meanwhile: try again
      const current = parseOwner(text);
      if (current && isLockLive(current)) throw new RunLockedError(runDir, current);
      // Stale: move it aside, then make sure it was the lock we judged (another process may have
      // taken over in between); if not, put that one back.
      const aside = `${path}.${owner.token}.stale`;
      try {
        await rename(path, aside);
      } catch {
        continue;
      }
      const moved = await readFile(aside, 'utf8').catch(() => null);
      if (moved !== null && moved !== text) await place(aside, path, moved).catch(() => undefined);
      await rm(aside, { force: true });
    }
    throw new Error(`could not lock ${runDir}: other processes keep taking ${path}; try again`);
  } finally {
    await rm(fresh, { force: true });
  }
}

async function writeSynced(path: string, content: string, flags: 'w' | 'wx'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Puts `content` (already written to `from`) at `to` unless a file is there; false when one is.
 * A hard link makes it appear whole; file systems without hard links (FAT, exFAT, some network
 * shares) get an exclusive create instead, which readSettled gives time to be filled.
 */
async function place(from: string, to: string, content: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK'].includes(code ?? '')) throw error;
  }
  try {
    await writeSynced(to, content, 'wx');
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The lock file's text, waiting briefly while it does not parse (an exclusive create being filled). */
async function readSettled(path: string): Promise<string | null> {
  for (let attempt = 0; ; attempt++) {
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null || parseOwner(text) || attempt === 5) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
