import type { BackendReport, SpeedEstimateReply, StepMetrics, TrainerApi, TrainerEvent, TrainerEvents, TrainerMethod, TrainingState } from '../shared/contract';

// Loaded on first use: the backend report must not wait for the training and image code.
const session = () => import('./session');
const generation = () => import('./generation');
const baseline = () => import('./baseline');
const speedEstimate = () => import('./speed-estimate');

type Handlers = { [M in TrainerMethod]: (params: TrainerApi[M]['params']) => Promise<TrainerApi[M]['result']> };

interface Deps {
  report: BackendReport;
  emit<E extends TrainerEvent>(event: E, payload: TrainerEvents[E]): void;
}

/** Metrics go to the host in small batches: one message per step would flood the UI on a GPU. */
const METRICS_FLUSH_MS = 250;

/** One training job at a time; pause holds the loop between steps, stop aborts it (with a checkpoint). */
class TrainingJob {
  private abort = new AbortController();
  private pausedGate: { promise: Promise<void>; release: () => void } | null = null;
  private pendingMetrics: StepMetrics[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  step = 0;
  done: Promise<void>;

  constructor(
    private deps: Deps,
    params: TrainerApi['train.start']['params'],
  ) {
    const totalSteps = params.config.steps + (params.extraSteps ?? 0);
    this.setState('starting', totalSteps);
    this.done = session().then(({ runTraining }) => runTraining({
      runDir: params.runDir,
      config: params.config,
      resume: params.resume,
      extraSteps: params.extraSteps,
      cacheDir: params.cacheDir,
      demoDir: params.demoDir,
      dataDir: params.dataDir,
      backendReport: deps.report,
      signal: this.abort.signal,
      hooks: {
        onMetrics: (metrics) => {
          this.step = metrics.step;
          this.pendingMetrics.push(metrics);
          this.flushTimer ??= setTimeout(() => this.flushMetrics(), METRICS_FLUSH_MS);
        },
        onSample: (sample) => deps.emit('train.sample', sample),
        onHealth: ({ step, findings }) => deps.emit('train.health', { step, findings }),
        // After the metrics before it, so the studio has the step the score belongs to.
        onEval: (evaluation) => {
          this.flushMetrics();
          deps.emit('train.eval', { evaluation });
        },
        onState: (state, message) => this.setState(state, totalSteps, message),
        // Warnings (exploding losses, a damaged checkpoint passed over) ride on the state event's message.
        onLog: (message) => this.setState(this.state, totalSteps, message),
        waitIfPaused: () => this.pausedGate?.promise ?? Promise.resolve(),
      },
    }))
      .then(() => {
        this.flushMetrics();
        this.setState(this.abort.signal.aborted ? 'stopped' : 'finished', totalSteps);
      })
      .catch((error: unknown) => {
        this.flushMetrics();
        this.setState('failed', totalSteps, error instanceof Error ? error.message : String(error));
      });
    this.totalSteps = totalSteps;
  }

  private totalSteps: number;

  private state: TrainingState = 'starting';

  private setState(state: TrainingState, totalSteps = this.totalSteps, message?: string): void {
    this.state = state;
    this.deps.emit('train.state', { state, step: this.step, totalSteps, message });
  }

  private flushMetrics(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pendingMetrics.length === 0) return;
    this.deps.emit('train.metrics', { metrics: this.pendingMetrics });
    this.pendingMetrics = [];
  }

  pause(): void {
    if (this.pausedGate) return;
    let release = () => {};
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.pausedGate = { promise, release };
    this.flushMetrics();
    this.setState('paused');
  }

  continue(): void {
    if (!this.pausedGate) return;
    this.pausedGate.release();
    this.pausedGate = null;
    this.setState('running');
  }

  async stop(): Promise<void> {
    this.setState('stopping');
    this.abort.abort();
    this.continue();
    await this.done;
  }
}

export function createTrainerHandlers(deps: Deps): Handlers {
  let job: TrainingJob | null = null;
  let jobRunning = false;
  /** The GMM baseline fit in progress (one at a time), to cancel. */
  let gmmFit: AbortController | null = null;
  let estimator: Promise<(params: TrainerApi['estimate.speed']['params']) => Promise<SpeedEstimateReply>> | null = null;

  return {
    'backend.report': async () => deps.report,
    'train.start': async (params) => {
      if (jobRunning) throw new Error('a run is already training; stop it first');
      const current = new TrainingJob(deps, params);
      job = current;
      jobRunning = true;
      void current.done.finally(() => {
        if (job === current) jobRunning = false;
      });
    },
    'train.pause': async () => job?.pause(),
    'train.continue': async () => job?.continue(),
    'train.stop': async () => {
      if (job && jobRunning) await job.stop();
    },
    'estimate.speed': async (params) => {
      estimator ??= speedEstimate().then(({ createSpeedEstimator }) => createSpeedEstimator({ report: deps.report, isTraining: () => jobRunning }));
      return (await estimator)(params);
    },
    'generate.images': async (params) => (await generation()).generateImages(params),
    'generate.rankCheck': async (params) => (await generation()).measureRanking(params),
    'generate.interpolation': async (params) => (await generation()).writeInterpolationGif(params),
    'generate.exportModel': async (params) => {
      await (await generation()).exportGenerator(params);
    },
    'gmm.fit': async (params) => {
      if (gmmFit) throw new Error('a baseline fit is already running; cancel it first');
      const abort = (gmmFit = new AbortController());
      try {
        return await (await baseline()).fitBaseline(params, { signal: abort.signal, onProgress: (progress) => deps.emit('gmm.progress', progress) });
      } finally {
        gmmFit = null;
      }
    },
    'gmm.cancel': async () => gmmFit?.abort(),
    'debug.sleep': (params) => new Promise((resolve) => setTimeout(resolve, params.ms)),
  };
}
