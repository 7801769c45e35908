import {
  DEFAULT_TOY_CONFIG,
  drawnPoints,
  toyDistribution,
  ToyGan,
  type Bounds,
  type ToyDistribution,
  type ToyDistributionName,
  type ToyEvaluation,
  type ToyGanConfig,
} from '../../src-main/engine/toy';
import { GmmBaseline } from './gmm-baseline.svelte';
import { NO_CHARTS, TrainingHistory, type PlaygroundCharts } from './history';
import { drawPlot } from './render';
import { useBrowserBackend } from './tf-browser';

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
/** The view of a drawn distribution, where the user draws it. */
export const DRAW_BOUNDS: Bounds = { min: [-2, -2], max: [2, 2] };

export type LayerName = 'real' | 'generated' | 'heatmap' | 'arrows' | 'manifold';

/**
 * The playground's state: the settings, the ToyGan session trained in the page, what it has
 * measured so far, and the EM baseline. One per playground view (its GAN is disposed on unmount);
 * the view's components read it and call its actions. Rendering goes through render.ts onto
 * `canvas`, which the plot binds.
 */
export class Playground {
  distributionName = $state<ToyDistributionName>('ring8');
  config = $state<ToyGanConfig>({ ...DEFAULT_TOY_CONFIG, batch: 128 });
  /** Iterations per animation frame. */
  speed = $state(5);
  playing = $state(false);
  layers = $state<Record<LayerName, boolean>>({ real: true, generated: true, heatmap: true, arrows: false, manifold: false });
  /** The points of a drawn distribution, in data coordinates. */
  drawn = $state<number[][]>([]);
  error = $state<string | null>(null);
  iterations = $state(0);
  dSteps = $state(0);
  gSteps = $state(0);
  last = $state.raw<{ dLoss: number; gLoss: number; jsdEstimate: number }>({ dLoss: NaN, gLoss: NaN, jsdEstimate: NaN });
  evaluation = $state.raw<ToyEvaluation | null>(null);
  /** 1-D only: mean |D − D*| of the last drawn curves. */
  gapToOptimal = $state(NaN);
  charts = $state.raw<PlaygroundCharts>(NO_CHARTS);
  gan = $state.raw<ToyGan | null>(null);
  distribution = $state.raw<ToyDistribution | null>(null);
  /** Set once the tfjs backend is up and the first GAN exists. */
  ready = $state(false);
  backendName = $state('');
  readonly gmm = new GmmBaseline();

  /** Real samples drawn under the generated ones (plain: they change only on reset). */
  realPoints: Float32Array | null = null;
  /** The main plot; bound by PlotStage. */
  canvas: HTMLCanvasElement | undefined;

  private appliedConfig = $state<string>('');

  readonly isDrawn = $derived(this.distributionName === 'drawn');
  readonly oneD = $derived(this.distributionName === 'gaussian1d' || this.distributionName === 'bimodal1d');
  /** The settings differ from those of the GAN in training (they apply on reset). */
  readonly configDirty = $derived(
    this.appliedConfig !== '' && this.appliedConfig !== JSON.stringify({ distributionName: this.distributionName, config: this.config }),
  );

  private readonly history = new TrainingHistory();
  private frame = 0;
  private animation = 0;

  viewBounds(): Bounds {
    return this.isDrawn ? DRAW_BOUNDS : (this.distribution?.bounds ?? DRAW_BOUNDS);
  }

  /** New networks (and a new distribution) with the current settings; clears every measurement. */
  reset(): void {
    this.playing = false;
    this.error = null;
    this.gan?.dispose();
    this.gan = null;
    this.gmm.clear();
    this.history.clear();
    this.iterations = this.dSteps = this.gSteps = 0;
    this.last = { dLoss: NaN, gLoss: NaN, jsdEstimate: NaN };
    this.evaluation = null;
    this.appliedConfig = JSON.stringify({ distributionName: this.distributionName, config: this.config });
    try {
      this.distribution = this.makeDistribution();
      if (this.distribution) {
        this.gan = new ToyGan(this.distribution, $state.snapshot(this.config));
        this.realPoints = this.gan.sampleReal(this.distribution.dim === 1 ? 600 : 1000);
        this.measure();
      } else {
        this.realPoints = null;
      }
    } catch (cause) {
      this.error = cause instanceof Error ? cause.message : String(cause);
    }
    this.updateCharts();
    this.render();
  }

  /** Forgets the drawn points and resets. */
  clearDrawing(): void {
    this.drawn = [];
    this.reset();
  }

  togglePlay(): void {
    this.playing = !this.playing;
  }

  /** One D or G step, paused, with fresh measurements and a redraw. */
  singleStep(kind: 'd' | 'g'): void {
    this.playing = false;
    this.step(kind);
    this.measure();
    this.updateCharts();
    this.render();
  }

  /** Fits the EM baseline to the current distribution (THEORY.md §1). */
  fitBaseline(): void {
    this.gmm.error = null;
    if (!this.distribution || !this.gan) return;
    this.gmm.fit(this.distribution, this.config.seed);
  }

  /** Redraws the main plot (nothing before the plot is mounted). */
  render(): void {
    if (this.canvas) drawPlot(this.canvas, this);
  }

  /** Starts the backend, the first GAN and the animation loop; returns the cleanup for unmount. */
  mount(): () => void {
    void useBrowserBackend().then((name) => {
      this.backendName = name;
      this.ready = true;
      this.reset();
    });
    this.animation = requestAnimationFrame(this.loop);
    return () => {
      cancelAnimationFrame(this.animation);
      this.gan?.dispose();
    };
  }

  private makeDistribution(): ToyDistribution | null {
    if (this.distributionName === 'drawn') return this.drawn.length > 0 ? drawnPoints(this.drawn) : null;
    return toyDistribution(this.distributionName);
  }

  private measure(): void {
    if (!this.gan) return;
    const evaluation = this.gan.evaluate(2500);
    this.evaluation = evaluation;
    const x = this.iterations;
    this.history.record('jsdEstimate', x, evaluation.jsdEstimate);
    this.history.record('histogramJsd', x, evaluation.histogramJsd);
    this.history.record('flatness', x, evaluation.dFlatness);
    if (evaluation.modes) {
      this.history.record('modes', x, evaluation.modes.modesCaptured / evaluation.modes.totalModes);
      this.history.record('hq', x, evaluation.modes.highQuality);
      this.history.record('reverseKL', x, evaluation.modes.reverseKL);
    }
  }

  private syncCounters(gan: ToyGan): void {
    this.iterations = gan.iterations;
    this.dSteps = gan.dSteps;
    this.gSteps = gan.gSteps;
    this.last = gan.lastStep();
    this.history.record('dLoss', gan.dSteps + gan.gSteps, this.last.dLoss);
    this.history.record('gLoss', gan.dSteps + gan.gSteps, this.last.gLoss);
  }

  private updateCharts(): void {
    this.charts = this.history.charts(this.evaluation?.modes?.totalModes);
  }

  private step(kind: 'iteration' | 'd' | 'g'): void {
    const gan = this.gan;
    if (!gan) return;
    try {
      if (kind === 'd') gan.dStep();
      else if (kind === 'g') gan.gStep();
      else gan.iteration();
      this.syncCounters(gan);
      if (!Number.isFinite(this.last.dLoss) && gan.dSteps > 0) throw new Error('the discriminator loss is not a number: lower the learning rates and reset');
    } catch (cause) {
      this.error = cause instanceof Error ? cause.message : String(cause);
      this.playing = false;
    }
  }

  private readonly loop = (): void => {
    if (this.playing && this.gan) {
      for (let i = 0; i < this.speed && this.playing; i++) this.step('iteration');
      this.frame++;
      if (this.frame % 6 === 0) {
        this.measure();
        this.updateCharts();
      }
      this.render();
    }
    this.animation = requestAnimationFrame(this.loop);
  };
}
