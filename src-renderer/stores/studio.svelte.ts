import { bridge } from '../lib/bridge';
import { errorMessage } from '../lib/format';
import { fitBatchToDataset, formFromConfig, formLength, matchingPreset, presetForm, type RunForm } from '../lib/run-form';
import { DEFAULT_PRESET, type RunOptions } from '../../src-main/shared/schema';
import type { ViewName } from '../lib/shortcuts';
import { loadTheme, otherTheme, saveTheme, type Theme } from '../lib/theme';
import { evalsBefore, isActive, mergeEvals, mergeMetrics } from '../lib/training';
import type {
  AppInfo,
  BackendReport,
  BrokenRun,
  DatasetReport,
  EvalMetrics,
  HealthFinding,
  HealthRemedy,
  RunSummary,
  SampleInfo,
  StepMetrics,
  TrainingStatus,
} from '../../src-main/shared/contract';

export interface Crash {
  runId: string;
  reason: string;
}

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

const storage = typeof localStorage === 'undefined' ? null : localStorage;

/**
 * The state every view shares. The live run's history lives here rather than in the Training view,
 * so switching views never drops metrics or sample grids that arrived in the meantime.
 */
class Studio {
  view = $state<ViewName>('datasets');
  theme = $state<Theme>(loadTheme(storage));
  appInfo = $state<AppInfo | null>(null);
  backend = $state<BackendReport | null>(null);
  backendError = $state<string | null>(null);
  showBackend = $state(false);

  dataset = $state<DatasetReport | null>(null);
  recent = $state<DatasetReport[]>([]);

  status = $state<TrainingStatus>({ runId: null, state: 'idle', step: 0, totalSteps: 0 });
  liveRunId = $state<string | null>(null);
  liveMetrics = $state.raw<StepMetrics[]>([]);
  liveSamples = $state.raw<SampleInfo[]>([]);
  /** The live run's quality scores (metrics.jsonl's eval lines), by step. */
  liveEvals = $state.raw<EvalMetrics[]>([]);
  /** The live run's current health findings (engine/health.ts), from this sitting's 'train.health' events. */
  health = $state.raw<HealthFinding[]>([]);
  crash = $state<Crash | null>(null);

  runs = $state.raw<RunSummary[]>([]);
  /** Run folders whose files cannot be read: the Runs view lists them with the reason and a delete. */
  brokenRuns = $state.raw<BrokenRun[]>([]);
  runsLoaded = $state(false);
  /** The run the Runs view shows in detail, and the run Generate works from. */
  openRunId = $state<string | null>(null);
  generateRunId = $state<string | null>(null);

  /** The New run form opens on the default preset (sized for a dataset of unknown size until one is chosen). */
  form = $state<RunForm>(presetForm(DEFAULT_PRESET, null));
  /**
   * The length (steps, grids, checkpoints) the last applied preset gave the form: while the form still
   * shows it, a newly measured speed re-sizes it (NewRun); once the user types another, it stays theirs.
   */
  presetLength = $state<ReturnType<typeof formLength> | null>(formLength(this.form));
  /** Actions a view offers to the keyboard shortcuts while it is shown (plain, not reactive). */
  actions: { start?: () => void; generate?: () => void } = {};
  toasts = $state<Toast[]>([]);
  private nextToast = 1;
  private started = false;

  get training(): boolean {
    return isActive(this.status.state);
  }

  /** The live run's step: status events come only on state changes, metrics on every step. */
  get currentStep(): number {
    const fromMetrics = this.liveRunId === this.status.runId ? (this.liveMetrics.at(-1)?.step ?? 0) : 0;
    return Math.max(this.status.step, fromMetrics);
  }

  get isElectron(): boolean {
    return this.appInfo?.mode === 'electron';
  }

  toast(text: string, kind: Toast['kind'] = 'info', ms = 5000): void {
    const id = this.nextToast++;
    this.toasts = [...this.toasts, { id, kind, text }];
    setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    saveTheme(storage, theme);
    document.documentElement.dataset.theme = theme;
  }

  toggleTheme(): void {
    this.setTheme(otherTheme(this.theme));
  }

  /** Chooses the dataset to train on; a form still on a preset is resized to it (batch, steps). */
  useDataset(report: DatasetReport): void {
    const preset = matchingPreset(this.form, this.dataset?.used ?? null);
    this.dataset = report;
    if (preset) {
      Object.assign(this.form, presetForm(preset, report.used, this.form));
      this.presetLength = formLength(this.form);
    } else this.form.batch = fitBatchToDataset(this.form.batch, report.used);
  }

  async loadBackend(): Promise<void> {
    this.backendError = null;
    try {
      this.backend = await bridge.invoke('trainer.backend', undefined);
    } catch (error) {
      this.backendError = errorMessage(error);
    }
  }

  async restartTrainer(): Promise<void> {
    this.backend = null;
    try {
      this.backend = await bridge.invoke('trainer.restart', undefined);
    } catch (error) {
      this.backendError = errorMessage(error);
    }
  }

  async refreshRuns(): Promise<void> {
    try {
      const list = await bridge.invoke('runs.list', undefined);
      this.runs = list.filter((run): run is RunSummary => !run.broken);
      this.brokenRuns = list.filter((run): run is BrokenRun => !!run.broken);
    } catch (error) {
      this.toast(`Could not list runs: ${errorMessage(error)}`, 'error');
    } finally {
      this.runsLoaded = true;
    }
  }

  async refreshRecent(): Promise<void> {
    try {
      this.recent = await bridge.invoke('datasets.recent', undefined);
      // A returning user finds the dataset they used last already chosen for the next run.
      // The form, still on its preset, is sized for it, so the preset stays selected.
      if (!this.dataset && this.recent.length > 0) {
        this.useDataset(this.recent.reduce((a, b) => (b.createdAt > a.createdAt ? b : a)));
      }
    } catch {
      // The list is a convenience; the import itself reports real problems.
      this.recent = [];
    }
  }

  /** Switches the live view to a run: its history from disk, then the events as they come. */
  async followRun(runId: string): Promise<void> {
    if (this.liveRunId !== runId) {
      this.liveRunId = runId;
      this.liveMetrics = [];
      this.liveSamples = [];
      this.liveEvals = [];
      this.health = [];
    }
    try {
      const detail = await bridge.invoke('runs.get', { runId });
      if (this.liveRunId !== runId) return;
      // Events may have arrived while the history loaded: keep whichever knows more.
      const fromDisk = detail.metrics;
      const lastDisk = fromDisk.at(-1)?.step ?? 0;
      const newer = this.liveMetrics.filter((m) => m.step > lastDisk);
      this.liveMetrics = [...fromDisk, ...newer];
      const lastDiskEval = detail.evals.at(-1)?.step ?? 0;
      this.liveEvals = [...detail.evals, ...this.liveEvals.filter((e) => e.step > lastDiskEval)];
      const known = new Set(detail.samples.map((s) => s.step));
      this.liveSamples = [...detail.samples, ...this.liveSamples.filter((s) => !known.has(s.step))].sort((a, b) => a.step - b.step);
    } catch {
      // A run that was just created may not have its files yet; the events fill the view.
    }
  }

  async startRun(config: import('../../src-main/shared/contract').RunConfig): Promise<boolean> {
    try {
      this.crash = null;
      this.liveRunId = null;
      const summary = await bridge.invoke('train.start', { config });
      // The status event may already have switched the live view to this run: keep what it gathered.
      if (this.liveRunId !== summary.id) {
        this.liveRunId = summary.id;
        this.liveMetrics = [];
        this.liveSamples = [];
        this.liveEvals = [];
        this.health = [];
      }
      this.view = 'training';
      void this.refreshRuns();
      return true;
    } catch (error) {
      this.toast(`Could not start the run: ${errorMessage(error)}`, 'error', 8000);
      return false;
    }
  }

  /** Resumes a run from its last checkpoint; `changes`: options to change (only those the schema allows on resume). */
  async resumeRun(runId: string, extraSteps?: number, changes?: Partial<RunOptions>): Promise<boolean> {
    try {
      this.crash = null;
      await this.followRun(runId);
      // Each sitting is judged afresh (the trainer's detectors look at its own steps only).
      this.health = [];
      const summary = await bridge.invoke('train.resume', { runId, extraSteps: extraSteps && extraSteps > 0 ? extraSteps : undefined, changes });
      // The run's settings as they now are (the trainer writes them into config.json as it starts).
      this.runs = this.runs.map((run) => (run.id === summary.id ? summary : run));
      this.view = 'training';
      return true;
    } catch (error) {
      this.toast(`Could not resume: ${errorMessage(error)}`, 'error', 8000);
      return false;
    }
  }

  /**
   * A health finding's one-click remedy. Resumable: stop the run if it trains (a checkpoint is kept), then
   * resume it with the changes (a finished run trains half its steps more). Otherwise the changes alter the
   * networks: New run opens with the run's settings plus the changes.
   */
  async applyRemedy(runId: string, remedy: HealthRemedy): Promise<boolean> {
    const run = this.runs.find((r) => r.id === runId);
    if (!remedy.resumable) {
      if (!run) return false;
      Object.assign(this.form, formFromConfig(run.config, remedy.changes));
      this.view = 'new-run';
      return true;
    }
    try {
      if (this.training && this.status.runId === runId) this.status = await bridge.invoke('train.stop', undefined);
    } catch (error) {
      this.toast(`Could not stop the run: ${errorMessage(error)}`, 'error', 8000);
      return false;
    }
    const finished = this.status.runId === runId ? this.status.state === 'finished' : !!run && run.stepsDone >= run.config.steps;
    const total = this.status.runId === runId && this.status.totalSteps ? this.status.totalSteps : (run?.config.steps ?? 0);
    return this.resumeRun(runId, finished ? Math.max(1, Math.round(total / 2)) : undefined, remedy.changes);
  }

  async control(action: 'train.pause' | 'train.continue' | 'train.stop'): Promise<void> {
    try {
      this.status = await bridge.invoke(action, undefined);
    } catch (error) {
      this.toast(errorMessage(error), 'error');
    }
  }

  async pauseOrResume(): Promise<void> {
    if (this.status.state === 'running') await this.control('train.pause');
    else if (this.status.state === 'paused') await this.control('train.continue');
  }

  /** Subscribes to the host's events once, for the app's lifetime. */
  start(): void {
    if (this.started) return;
    this.started = true;
    document.documentElement.dataset.theme = this.theme;
    bridge.on('train.status', (status) => {
      this.status = status;
      if (status.runId && status.runId !== this.liveRunId && isActive(status.state)) void this.followRun(status.runId);
      if (['finished', 'stopped', 'failed'].includes(status.state)) void this.refreshRuns();
    });
    bridge.on('train.metrics', ({ runId, metrics }) => {
      if (runId !== this.liveRunId) return;
      this.liveMetrics = mergeMetrics(this.liveMetrics, metrics);
      if (metrics.length > 0) this.liveEvals = evalsBefore(this.liveEvals, metrics[0].step);
    });
    bridge.on('train.eval', ({ runId, evaluation }) => {
      if (runId === this.liveRunId) this.liveEvals = mergeEvals(this.liveEvals, evaluation);
    });
    bridge.on('train.health', ({ runId, findings }) => {
      if (runId === this.liveRunId) this.health = findings;
    });
    bridge.on('train.sample', (sample) => {
      if (sample.runId !== this.liveRunId) return;
      this.liveSamples = [...this.liveSamples.filter((s) => s.step !== sample.step), sample].sort((a, b) => a.step - b.step);
    });
    bridge.on('trainer.exited', (info) => {
      this.backend = null;
      if (info.runId) {
        this.crash = { runId: info.runId, reason: info.reason };
        this.status = { ...this.status, state: 'failed', message: info.reason };
      } else if (info.reason !== 'stopped') {
        this.toast(`The trainer stopped (${info.reason}); it restarts on the next action.`, 'error');
      }
      // The host starts a fresh trainer on the next request; asking for its report does that now.
      setTimeout(() => void this.loadBackend(), 300);
    });
    void bridge.invoke('app.info', undefined).then((info) => (this.appInfo = info)).catch(() => {});
    void this.loadBackend();
    void this.refreshRuns();
    void this.refreshRecent();
    void bridge
      .invoke('train.status', undefined)
      .then((status) => {
        this.status = status;
        if (status.runId) void this.followRun(status.runId);
      })
      .catch(() => {});
  }
}

export const studio = new Studio();
