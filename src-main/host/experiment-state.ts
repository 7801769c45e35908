/**
 * What an experiment looks like now (issue 15): experiment.json plus each run's metrics.jsonl — the quality
 * curve, the final scores, images seen and wall time — and the table and verdicts over the finished runs.
 */
import { join } from 'node:path';
import { experimentTable, experimentVerdicts, finalLandscape } from '../engine/experiment-table';
import { effectiveStatus, type ExperimentFile, type ExperimentFileRun } from '../disk/experiment-folder';
import { readMetricsFile } from '../disk/run-folder';
import type { ExperimentRunRef, ExperimentState, ExperimentStatus, ExperimentSummary } from '../shared/experiment';
import type { StepMetrics } from '../shared/contract';
import { imagesPerStep } from '../shared/estimate';

/**
 * Wall time of a run from its step lines, seconds: `time` counts from each sitting's start, so a drop in it
 * starts a new sitting and the sittings add up (the time of scores between lines is in the next line's).
 */
export function runSeconds(metrics: StepMetrics[]): number {
  let total = 0;
  let last = 0;
  for (const m of metrics) {
    if (m.time < last) total += last;
    last = m.time;
  }
  return total + last;
}

/**
 * One run's progress from its folder: the quality curve over images seen (metrics.jsonl's eval lines), images
 * seen so far (steps × k × batch), wall time, and — for a finished run — the final score (the last eval line,
 * taken at its last step) with the last logged losses and D's landscape there (when the line has one); null
 * until then, or when the run was never scored. Each curve point carries D's flatness when its line has a landscape.
 */
export async function readRunRef(runsDir: string, run: ExperimentFileRun, imagesPerStep: number): Promise<ExperimentRunRef> {
  const { metrics, evals } = await readMetricsFile(join(runsDir, run.runId));
  const last = metrics.at(-1);
  const lastEval = evals.at(-1);
  const scoredAtEnd = run.status === 'done' && lastEval !== undefined && lastEval.step === run.steps && last !== undefined;
  return {
    runId: run.runId,
    variant: run.variant,
    seed: run.seed,
    status: run.status,
    steps: run.steps,
    imagesSeen: (last?.step ?? 0) * imagesPerStep,
    seconds: runSeconds(metrics),
    curve: evals.map((e) => ({ imagesSeen: e.imagesSeen, swd: e.eval.swd, ndbK: e.eval.ndbK, ...(e.landscape ? { flatness: e.landscape.flatness } : {}) })),
    final: scoredAtEnd ? { swd: lastEval.eval.swd, ndbK: lastEval.eval.ndbK, dLoss: last.dLoss, gLoss: last.gLoss, ...(lastEval.landscape ? { landscape: finalLandscape(lastEval.landscape) } : {}) } : null,
    ...(run.error ? { error: run.error } : run.status === 'done' && !scoredAtEnd ? { error: 'the run has no quality score at its end' } : {}),
  };
}

/** The summary of an experiment, its status as given (the runner knows what is live) or as on disk. */
export function experimentSummary(file: ExperimentFile, imagesSeen: number, status: ExperimentStatus = effectiveStatus(file)): ExperimentSummary {
  return {
    id: file.id,
    name: file.name,
    created: file.created,
    status,
    variants: file.variants.length,
    seeds: file.seeds.length,
    runsDone: file.runs.filter((r) => r.status === 'done').length,
    runsTotal: file.runs.length,
    imagesSeen,
  };
}

/** The whole state: every run read from its folder, the table and the verdicts against the baseline. */
export async function experimentState(file: ExperimentFile, status?: ExperimentStatus): Promise<ExperimentState> {
  const perStep = (variant: string) => imagesPerStep({ ...file.base, ...file.variants.find((v) => v.id === variant)?.overrides });
  const shown = status ?? effectiveStatus(file);
  // A run still marked running in an experiment that is not (its process ended) waits to resume.
  const asOnDisk = (run: ExperimentFileRun): ExperimentFileRun => (shown !== 'running' && run.status === 'running' ? { ...run, status: 'pending' } : run);
  const runs = await Promise.all(file.runs.map((run) => readRunRef(file.runsDir, asOnDisk(run), perStep(run.variant))));
  return {
    ...experimentSummary(file, runs.reduce((sum, r) => sum + r.imagesSeen, 0), shown),
    datasetId: file.base.data.datasetId ?? null,
    preset: file.preset,
    variantList: file.variants,
    seedList: file.seeds,
    runs,
    table: experimentTable(file.variants, runs),
    verdicts: experimentVerdicts(file.variants, file.baseline, runs),
  };
}
