/**
 * Experiments (issue 15): a set of runs that differ in one or two options, each run a normal run folder,
 * grouped in <data>/experiments/<id>/experiment.json, compared at equal images seen with the quality scores.
 * The shapes every process shares (the contract of docs: /work/notes/experiments-contract.md).
 */
import { LOSS, PRIOR, type RunOptions } from './schema';

/** The lecture's four experiments (THEORY.md): each varies one option; all share the baseline = the defaults. */
export const EXPERIMENT_PRESETS = {
  prior: { option: 'prior', values: [PRIOR.normal, PRIOR.uniform], question: 'Which prior is better, normal or uniform?' },
  loss: { option: 'loss', values: [LOSS.mm, LOSS.ns], question: 'Do MMGAN and NSGAN perform alike?' },
  k: { option: 'k', values: [1, 5], question: 'Do more discriminator steps help?' },
  replay: { option: 'replay', values: [0, 0.5], question: 'Does replaying past generators help D?' },
} as const;
/** One of the lecture's four questions: a preset that varies one option over two values. */
export type QuestionPreset = keyof typeof EXPERIMENT_PRESETS;
export const QUESTION_PRESET_NAMES = Object.keys(EXPERIMENT_PRESETS) as QuestionPreset[];
/**
 * All four questions in one experiment (issue 15: "the four presets share one baseline variant"): the base
 * run and one variant per question, each changing that one option (experiment-plan.ts lectureGrid) — five
 * variants instead of the eight the four presets run one by one.
 */
export const LECTURE_PRESET = 'lecture';
export const LECTURE_QUESTION = 'All four questions, one shared baseline';
/** A preset: one of the four questions, or all of them against one baseline ('lecture'). */
export type ExperimentPreset = QuestionPreset | typeof LECTURE_PRESET;
export const EXPERIMENT_PRESET_NAMES: ExperimentPreset[] = [...QUESTION_PRESET_NAMES, LECTURE_PRESET];

/** The question a preset answers, as the CLI help and the studio say it. */
export function presetQuestion(preset: ExperimentPreset): string {
  return preset === LECTURE_PRESET ? LECTURE_QUESTION : EXPERIMENT_PRESETS[preset].question;
}

/** One cell of the grid: the base run with `overrides`. id e.g. "k=5", "baseline" for the base run itself. */
export interface ExperimentVariant {
  id: string;
  label: string;
  overrides: Partial<RunOptions>;
}
export type ExperimentRunStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
export interface ExperimentCurvePoint {
  imagesSeen: number;
  swd: number;
  ndbK: number;
  /** D's flatness index at this score (DLandscape.flatness); absent for runs scored before schema 4. */
  flatness?: number;
}
/** D's landscape at a run's last score (shared/contract.ts DLandscape): what the experiment table shows of it. */
export interface FinalLandscape {
  /** Population std of D's value over held-out real ∪ generated images: 0 = flat. */
  flatness: number;
  /** Mean D value on the held-out real images (realFrom: the training images when none are held out). */
  dReal: number;
  /** Mean D value on generated images. */
  dFake: number;
  /** 'probability': D(x) = σ(logit) in [0, 1] (MMGAN, NSGAN); 'score': D's raw output (hinge, least squares). */
  value: 'probability' | 'score';
}
export interface ExperimentRunRef {
  runId: string;
  variant: string;
  seed: number;
  status: ExperimentRunStatus;
  /** Generator steps planned for this variant (images ÷ imagesPerStep). */
  steps: number;
  /** Real images shown to D so far. */
  imagesSeen: number;
  /** Wall time so far, seconds. */
  seconds: number;
  /** From the run's metrics.jsonl eval lines. */
  curve: ExperimentCurvePoint[];
  final: { swd: number; ndbK: number; dLoss: number; gLoss: number; landscape?: FinalLandscape } | null;
  error?: string;
}
export interface MeanStd {
  mean: number;
  std: number;
}
export interface ExperimentVariantRow {
  variant: string;
  label: string;
  /** Finished seeds. */
  seeds: number;
  swd: MeanStd;
  ndbK: MeanStd;
  dLoss: MeanStd;
  gLoss: MeanStd;
  /** Generator steps and wall time: k = 5's cost is visible. */
  steps: number;
  seconds: MeanStd;
  /** D's landscape at the end (FinalLandscape), over the finished seeds that recorded one (`landscapeSeeds`). */
  flatness: MeanStd;
  dReal: MeanStd;
  dFake: MeanStd;
  landscapeSeeds: number;
  /** What D's values are (FinalLandscape.value); null when no finished seed recorded a landscape. */
  dValue: FinalLandscape['value'] | null;
}
export interface ExperimentVerdict {
  a: string;
  b: string;
  metric: 'swd' | 'ndbK';
  /** Welch's t on the seed values; NaN (null over JSON) when a side has fewer than 2 finished seeds. */
  pValue: number;
  /** p < 0.05. */
  significant: boolean;
  /** One line, e.g. "k=5 vs k=1: SWD 31.2 vs 35.0 — within seed noise (Welch's t, p = 0.41)". */
  text: string;
}
export type ExperimentStatus = 'running' | 'done' | 'interrupted' | 'cancelled' | 'failed';
export interface ExperimentSummary {
  id: string;
  name: string;
  created: string;
  status: ExperimentStatus;
  variants: number;
  seeds: number;
  runsDone: number;
  runsTotal: number;
  /** Real images shown to D by all its runs together so far (the compute it used). */
  imagesSeen: number;
}
export interface ExperimentState extends ExperimentSummary {
  datasetId: string | null;
  preset: ExperimentPreset | null;
  variantList: ExperimentVariant[];
  seedList: number[];
  runs: ExperimentRunRef[];
  table: ExperimentVariantRow[];
  verdicts: ExperimentVerdict[];
}

/** One varied option as a request carries it: a run option key (or its CLI flag name) and its values. */
export interface ExperimentVary {
  option: string;
  values: unknown[];
}
