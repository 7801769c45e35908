import type { Bounds, ToyDistributionName } from '../../src-main/engine/toy/distributions';
import { DEFAULT_TOY_CONFIG, isLiveToyOption, TOY_OPTIONS, type ToyGanConfig, type ToyOptionKey } from '../../src-main/shared/schema';
import { GmmBaseline } from './gmm-baseline.svelte';
import { NO_CHARTS, TrainingHistory, type PlaygroundCharts } from './history';
import { DRAW_BOUNDS, type Counters, type FrameView, type Layers, type Readouts, type SessionInfo, type ToMain, type ToWorker } from './protocol';
import { drawPlot } from './render';

export { DRAW_BOUNDS };

export const DISTRIBUTIONS: Array<{ name: ToyDistributionName; label: string }> = [
  { name: 'ring8', label: 'Ring of 8 Gaussians (σ 0.01)' },
  { name: 'grid25', label: 'Grid of 25 Gaussians (σ 0.05)' },
  { name: 'gaussian', label: 'Single Gaussian' },
  { name: 'moons', label: 'Two moons' },
  { name: 'spiral', label: 'Spiral' },
  { name: 'drawn', label: 'Draw your own…' },
  { name: 'gaussian1d', label: '1-D: one Gaussian (Goodfellow Fig. 1)' },
  { name: 'bimodal1d', label: '1-D: two Gaussians' },
];

/** A setting that differs from the session's and needs new networks ("Apply and reset"). */
export interface PendingChange {
  label: string;
  from: string;
  to: string;
}

const NO_COUNTERS: Counters = { iterations: 0, dSteps: 0, gSteps: 0, dLoss: NaN, gLoss: NaN, jsdEstimate: NaN };

function choiceLabel(key: ToyOptionKey, value: unknown): string {
  const option = TOY_OPTIONS[key];
  if (option.kind === 'choice') return (option.choices as Record<string, { label: string }>)[String(value)]?.label ?? String(value);
  return String(value);
}

/**
 * The playground's state, for the whole app's life: the settings being edited, the session the
 * worker trains (toy-worker.ts: the toy GAN trains off the main thread) and what it has measured.
 * One instance (`playground` below) outlives the view, so leaving the Playground and coming back
 * keeps the model, the counters, the history and the plots until the user resets. The page only
 * draws: each frame the worker sends is drawn on the next animation frame, then acknowledged.
 *
 * Settings: the live ones (TOY_LIVE_KEYS: prior, loss, k, learning rates, …) go to the worker as
 * they change and apply at its next step; the others and the distribution are listed in
 * `pendingReset` until "Apply and reset".
 */
export class Playground {
  distributionName = $state<ToyDistributionName>('ring8');
  config = $state<ToyGanConfig>({ ...DEFAULT_TOY_CONFIG, batch: 128 });
  /** Iterations per drawn frame. */
  speed = $state(5);
  playing = $state(false);
  /** The worker trains, or may still be finishing the chunk it had begun when paused. */
  busy = $state(false);
  layers = $state<Layers>({ real: true, generated: true, heatmap: true, arrows: false, manifold: false });
  /** The points of a drawn distribution, in data coordinates. */
  drawn = $state<number[][]>([]);
  error = $state<string | null>(null);
  /** Why the worker refused the last live change (the setting stays as it was in the session). */
  settingsError = $state<string | null>(null);
  counters = $state.raw<Counters>(NO_COUNTERS);
  readouts = $state.raw<Readouts | null>(null);
  /** 1-D only: mean |D − D*| of the last drawn curves. */
  gapToOptimal = $state(NaN);
  charts = $state.raw<PlaygroundCharts>(NO_CHARTS);
  /** What the worker trains: set by every reset, its config by every live change it applied. */
  session = $state.raw<SessionInfo | null>(null);
  /** Set once the worker's tfjs backend is up. */
  ready = $state(false);
  /** The worker said it runs in a WorkerGlobalScope (the e2e test reads it from the page). */
  inWorker = $state(false);
  backendName = $state('');
  readonly gmm = new GmmBaseline();

  /** The main plot; bound by PlotStage while the view is shown. */
  canvas: HTMLCanvasElement | undefined;
  /** The last frame's plot data: redrawn when the view comes back. */
  view: FrameView = {};

  readonly hasGan = $derived(this.session?.hasGan ?? false);
  /** The session's distribution is drawn by hand (the plot is a drawing surface until it has a GAN). */
  readonly isDrawn = $derived(this.session?.distribution === 'drawn');
  readonly oneD = $derived(this.session?.dim === 1);
  readonly realPoints = $derived(this.session?.realPoints ?? null);
  /** Settings that differ from the session's and take effect only with new networks. */
  readonly pendingReset = $derived(this.computePending());

  private worker: Worker | null = null;
  private readonly history = new TrainingHistory();
  private drawRequest = 0;
  private frameWaiting = false;
  private attached = false;

  viewBounds(): Bounds {
    return this.session?.bounds ?? DRAW_BOUNDS;
  }

  /** Starts the worker on first use; redraws the last frame. Returns the cleanup for the view's unmount. */
  attach(): () => void {
    this.attached = true;
    if (!this.worker) this.startWorker();
    else this.render();
    return () => {
      // leaving the view pauses the game: nothing trains unseen, and the session waits as it was
      this.attached = false;
      if (this.playing) this.togglePlay();
      cancelAnimationFrame(this.drawRequest);
      this.drawRequest = 0;
      if (this.frameWaiting) this.acknowledge();
    };
  }

  /** New networks (and a new distribution) with every current setting; clears every measurement. */
  reset(): void {
    this.playing = false;
    this.busy = false;
    this.error = null;
    this.settingsError = null;
    this.gmm.clear();
    this.history.clear();
    this.counters = NO_COUNTERS;
    this.readouts = null;
    this.gapToOptimal = NaN;
    this.view = {};
    this.updateCharts();
    this.send({
      type: 'reset',
      distribution: this.distributionName,
      drawn: $state.snapshot(this.drawn),
      config: $state.snapshot(this.config),
      layers: $state.snapshot(this.layers),
    });
  }

  /** Forgets the drawn points and resets. */
  clearDrawing(): void {
    this.drawn = [];
    this.reset();
  }

  togglePlay(): void {
    if (!this.hasGan) return;
    this.playing = !this.playing;
    this.busy = true;
    this.send({ type: 'play', playing: this.playing, speed: this.speed });
  }

  setSpeed(speed: number): void {
    this.speed = speed;
    this.send({ type: 'speed', speed });
  }

  /** One D or G step, paused. */
  singleStep(kind: 'd' | 'g'): void {
    if (!this.hasGan) return;
    if (this.playing) this.togglePlay();
    this.send({ type: 'step', kind });
  }

  /** The plot's layers changed: the next frame carries them (paused, one is sent at once). */
  layersChanged(): void {
    this.send({ type: 'layers', layers: $state.snapshot(this.layers) });
  }

  /**
   * A setting was edited: the live ones that differ from the session's go to the worker, which
   * applies them at its next step; the others wait in `pendingReset`.
   */
  settingsEdited(): void {
    const running = this.session?.config;
    if (!running) return;
    const changes: Partial<Record<ToyOptionKey, unknown>> = {};
    for (const key of Object.keys(TOY_OPTIONS) as ToyOptionKey[]) {
      if (isLiveToyOption(key) && this.config[key] !== running[key]) changes[key] = this.config[key];
    }
    if (Object.keys(changes).length > 0) this.send({ type: 'settings', changes: changes as Partial<ToyGanConfig> });
  }

  /** Fits the EM baseline to the session's distribution (THEORY.md §1), in the worker. */
  fitBaseline(): void {
    if (!this.hasGan || this.gmm.fitting) return;
    this.gmm.error = null;
    this.gmm.fitting = true;
    this.send({ type: 'fit-gmm', components: this.gmm.components });
  }

  /** Redraws the main plot from the last frame (nothing before the plot is mounted). */
  render(): void {
    if (this.canvas) drawPlot(this.canvas, this);
  }

  private computePending(): PendingChange[] {
    const session = this.session;
    if (!session) return [];
    const pending: PendingChange[] = [];
    if (session.distribution !== this.distributionName) {
      const label = (name: ToyDistributionName) => DISTRIBUTIONS.find((d) => d.name === name)?.label ?? name;
      pending.push({ label: 'Distribution', from: label(session.distribution), to: label(this.distributionName) });
    } else if (session.distribution === 'drawn' && session.drawnCount !== this.drawn.length) {
      pending.push({ label: 'Drawing', from: `${session.drawnCount} points`, to: `${this.drawn.length} points` });
    }
    for (const key of Object.keys(TOY_OPTIONS) as ToyOptionKey[]) {
      if (isLiveToyOption(key) || this.config[key] === session.config[key]) continue;
      pending.push({ label: TOY_OPTIONS[key].label, from: choiceLabel(key, session.config[key]), to: choiceLabel(key, this.config[key]) });
    }
    return pending;
  }

  private startWorker(): void {
    this.worker = new Worker(new URL('./toy-worker.ts', import.meta.url), { type: 'module', name: 'playground' });
    this.worker.onmessage = (event: MessageEvent<ToMain>) => this.receive(event.data);
    this.worker.onerror = (event) => {
      this.error = `the playground's worker failed: ${event.message || 'it could not start'}`;
      this.playing = false;
    };
    this.reset();
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private receive(message: ToMain): void {
    switch (message.type) {
      case 'ready':
        this.backendName = message.backend;
        this.inWorker = message.inWorker;
        this.ready = true;
        break;
      case 'session':
        this.session = message.session;
        this.error = message.error;
        this.render();
        break;
      case 'applied':
        if (this.session) this.session = { ...this.session, config: message.config };
        this.settingsError = null;
        break;
      case 'settings-refused':
        this.settingsError = message.message;
        break;
      case 'stopped':
        this.error = message.message;
        this.playing = false;
        this.busy = false;
        break;
      case 'paused':
        if (!this.playing) this.busy = false;
        break;
      case 'gmm':
        this.gmm.receive(message.result, message.error);
        break;
      case 'frame':
        this.takeFrame(message);
        break;
    }
  }

  private takeFrame(frame: Extract<ToMain, { type: 'frame' }>): void {
    const { losses } = frame;
    for (let i = 0; i + 2 < losses.length; i += 3) {
      this.history.record('dLoss', losses[i], losses[i + 1]);
      this.history.record('gLoss', losses[i], losses[i + 2]);
    }
    this.counters = frame.counters;
    this.view = frame.view;
    if (frame.view.curves) this.gapToOptimal = frame.view.curves.gapToOptimal;
    if (frame.readouts) {
      this.readouts = frame.readouts;
      this.measure(frame.counters.iterations, frame.readouts);
      this.updateCharts();
    }
    // draw on the next animation frame, then let the worker train on; off screen, at once
    this.frameWaiting = true;
    if (!this.attached || !this.canvas) {
      this.acknowledge();
      return;
    }
    if (!this.drawRequest) {
      this.drawRequest = requestAnimationFrame(() => {
        this.drawRequest = 0;
        this.render();
        this.acknowledge();
      });
    }
  }

  private acknowledge(): void {
    this.frameWaiting = false;
    this.send({ type: 'frame-drawn' });
  }

  private measure(x: number, readouts: Readouts): void {
    this.history.record('jsdEstimate', x, readouts.jsdEstimate);
    this.history.record('histogramJsd', x, readouts.histogramJsd);
    this.history.record('flatness', x, readouts.dFlatness);
    if (readouts.ks !== undefined) this.history.record('ks', x, readouts.ks);
    if (readouts.modes) {
      this.history.record('modes', x, readouts.modes.modesCaptured / readouts.modes.totalModes);
      this.history.record('hq', x, readouts.modes.highQuality);
      this.history.record('reverseKL', x, readouts.modes.reverseKL);
    }
  }

  private updateCharts(): void {
    this.charts = this.history.charts(this.readouts?.modes?.totalModes);
  }
}

/** The one playground session of the app (started when the Playground is first shown). */
export const playground = new Playground();
