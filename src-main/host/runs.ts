import { readdir, rm, stat } from 'node:fs/promises';
import { resolveInside } from '../disk/inside';
import { assertSafeId } from '../shared/ids';
import type { BrokenRun, RunConfig, RunDetail, RunListEntry, RunSummary, SampleInfo, StepMetrics } from '../shared/contract';
import { latestCheckpoint, listSamples, readMetrics, readMetricsFile, readRunConfig, runFiles } from '../disk/run-folder';
import { isLockLive, readRunLock, RunLockedError } from '../disk/run-lock';

/** Reads run folders (DESIGN.md "Files on disk"); the trainer writes them. */
export class RunStore {
  constructor(private root: string) {}

  /** The folder of run `runId`; throws UnsafeIdError unless the id is one plain name (shared/ids.ts). */
  dirOf(runId: unknown): string {
    return resolveInside(this.root, assertSafeId('run id', runId));
  }

  /** A new, unused run id that sorts by creation time. */
  newRunId(now = new Date()): string {
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
  }

  /**
   * Every run folder, newest first. A folder whose files cannot be read is listed as a BrokenRun
   * with the reason (it never hides the others); empty folders and stray files are left out.
   */
  async list(): Promise<RunListEntry[]> {
    let names: string[] = [];
    try {
      names = await readdir(this.root);
    } catch {
      return [];
    }
    const runs = await Promise.all(names.map((name) => this.entry(name)));
    return runs.filter((run): run is RunListEntry => run !== null).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  private async entry(name: string): Promise<RunListEntry | null> {
    let dir: string;
    try {
      dir = this.dirOf(name);
    } catch {
      return null;
    }
    const folder = await stat(dir).catch(() => null);
    if (!folder?.isDirectory()) return null;
    try {
      return await this.summary(name);
    } catch (error) {
      // A folder being set up (no config.json yet, nothing else either) is not a run yet.
      if ((await readdir(dir).catch(() => [])).length === 0) return null;
      const broken: BrokenRun = {
        id: name,
        dir,
        broken: error instanceof Error ? error.message : String(error),
        createdAt: folder.birthtime.toISOString(),
        updatedAt: folder.mtime.toISOString(),
      };
      return broken;
    }
  }

  // Every method is async, so a bad id becomes a rejection even inside Promise.all, never a throw
  // that leaves the promises already started unhandled (that ended the server).
  async config(runId: string): Promise<RunConfig> {
    return readRunConfig(this.dirOf(runId));
  }

  /** The run's summary; throws a one-line Error naming the file when its config.json is damaged or incomplete (readRunConfig). */
  async summary(runId: string): Promise<RunSummary> {
    const dir = this.dirOf(runId);
    const config = await this.config(runId);
    const configStat = await stat(runFiles.config(dir));
    const [samples, metrics, checkpoint] = await Promise.all([this.samples(runId), this.metrics(runId), latestCheckpoint(dir)]);
    const lastStep = Math.max(metrics.at(-1)?.step ?? 0, samples.at(-1)?.step ?? 0);
    const metricsStat = await stat(runFiles.metrics(dir)).catch(() => configStat);
    return {
      id: runId,
      dir,
      config,
      stepsDone: lastStep,
      latestSample: samples.at(-1)?.path ?? null,
      createdAt: configStat.birthtime.toISOString(),
      updatedAt: metricsStat.mtime.toISOString(),
      hasCheckpoint: checkpoint !== null,
    };
  }

  async metrics(runId: string): Promise<StepMetrics[]> {
    return readMetrics(this.dirOf(runId));
  }

  async samples(runId: string): Promise<SampleInfo[]> {
    return (await listSamples(this.dirOf(runId))).map((sample) => ({ runId, ...sample }));
  }

  async detail(runId: string): Promise<RunDetail> {
    const [summary, { metrics, evals }, samples] = await Promise.all([this.summary(runId), readMetricsFile(this.dirOf(runId)), this.samples(runId)]);
    return { summary, metrics, evals, samples };
  }

  /** Deletes the run folder; refuses one that a live process is training (its run.lock). */
  async delete(runId: string): Promise<void> {
    const dir = this.dirOf(runId);
    const owner = await readRunLock(dir);
    if (owner && isLockLive(owner)) throw new RunLockedError(dir, owner);
    await rm(dir, { recursive: true, force: true });
  }
}
