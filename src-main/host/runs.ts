import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfig, RunDetail, RunSummary, SampleInfo, StepMetrics } from '../shared/contract';

/** Reads run folders (DESIGN.md "Files on disk"); the trainer writes them. */
export class RunStore {
  constructor(private root: string) {}

  dirOf(runId: string): string {
    if (!/^[\w.-]+$/.test(runId)) throw new Error(`not a run id: ${runId}`);
    return join(this.root, runId);
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

  async config(runId: string): Promise<RunConfig> {
    return JSON.parse(await readFile(join(this.dirOf(runId), 'config.json'), 'utf8')) as RunConfig;
  }

  async summary(runId: string): Promise<RunSummary> {
    const dir = this.dirOf(runId);
    const config = await this.config(runId);
    const configStat = await stat(join(dir, 'config.json'));
    const samples = await this.samples(runId);
    const metrics = await this.metrics(runId);
    const checkpoints = await readdir(join(dir, 'checkpoints')).catch(() => [] as string[]);
    const lastStep = Math.max(metrics.at(-1)?.step ?? 0, samples.at(-1)?.step ?? 0);
    const metricsStat = await stat(join(dir, 'metrics.jsonl')).catch(() => configStat);
    return {
      id: runId,
      dir,
      config,
      stepsDone: lastStep,
      latestSample: samples.at(-1)?.path ?? null,
      createdAt: configStat.birthtime.toISOString(),
      updatedAt: metricsStat.mtime.toISOString(),
      hasCheckpoint: checkpoints.some((name) => !name.endsWith('.tmp')),
    };
  }

  async metrics(runId: string): Promise<StepMetrics[]> {
    const text = await readFile(join(this.dirOf(runId), 'metrics.jsonl'), 'utf8').catch(() => '');
    const metrics: StepMetrics[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        metrics.push(JSON.parse(line) as StepMetrics);
      } catch {
        // A line cut short by a crash: everything before it is still good.
      }
    }
    return metrics;
  }

  async samples(runId: string): Promise<SampleInfo[]> {
    const dir = join(this.dirOf(runId), 'samples');
    const names = await readdir(dir).catch(() => [] as string[]);
    return names
      .filter((name) => name.endsWith('.png'))
      .map((name) => ({ runId, step: Number(/(\d+)/.exec(name)?.[1] ?? 0), path: join(dir, name) }))
      .sort((a, b) => a.step - b.step);
  }

  async detail(runId: string): Promise<RunDetail> {
    const [summary, metrics, samples] = await Promise.all([this.summary(runId), this.metrics(runId), this.samples(runId)]);
    return { summary, metrics, samples };
  }

  async delete(runId: string): Promise<void> {
    await rm(this.dirOf(runId), { recursive: true, force: true });
  }
}
