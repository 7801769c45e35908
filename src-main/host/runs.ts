import { readdir, rm, stat } from 'node:fs/promises';
import { resolveInside } from '../disk/inside';
import { assertSafeId } from '../shared/ids';
import type { RunConfig, RunDetail, RunSummary, SampleInfo, StepMetrics } from '../shared/contract';
import { latestCheckpoint, listSamples, readMetrics, readRunConfig, runFiles } from '../disk/run-folder';

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

  async list(): Promise<RunSummary[]> {
    let names: string[] = [];
    try {
      names = await readdir(this.root);
    } catch {
      return [];
    }
    const runs = await Promise.all(names.map((name) => this.summary(name).catch(() => null)));
    return runs.filter((run): run is RunSummary => run !== null).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  // Every method is async, so a bad id becomes a rejection even inside Promise.all, never a throw
  // that leaves the promises already started unhandled (that ended the server).
  async config(runId: string): Promise<RunConfig> {
    return readRunConfig(this.dirOf(runId));
  }

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
    const [summary, metrics, samples] = await Promise.all([this.summary(runId), this.metrics(runId), this.samples(runId)]);
    return { summary, metrics, samples };
  }

  async delete(runId: string): Promise<void> {
    await rm(this.dirOf(runId), { recursive: true, force: true });
  }
}
