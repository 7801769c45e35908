/**
 * The messages between the playground's page (playground.svelte.ts) and its Web Worker
 * (toy-worker.ts, which trains the toy GAN off the main thread). The worker sends what the plots
 * need as typed arrays whose buffers it transfers; the page only draws and sends one `frame-drawn`
 * per frame it has drawn, so the worker never runs ahead of the screen.
 */
import type { Bounds, Curves1d, DiscriminatorGrid, GeneratorArrows, Manifold, ModeMetrics, ToyDistributionName } from '../../src-main/engine/toy';
import type { ToyGanConfig } from '../../src-main/shared/schema';

/** Side of the EM baseline's two square plots, in canvas pixels. */
export const GMM_CANVAS_SIZE = 256;

/** The view of a drawn distribution, where the user draws it. */
export const DRAW_BOUNDS: Bounds = { min: [-2, -2], max: [2, 2] };

export type LayerName = 'real' | 'generated' | 'heatmap' | 'arrows' | 'manifold';
export type Layers = Record<LayerName, boolean>;

export type ToWorker =
  /** New networks (and a new distribution): every measurement starts again. */
  | { type: 'reset'; distribution: ToyDistributionName; drawn: number[][]; config: ToyGanConfig; layers: Layers }
  /** Live settings (TOY_LIVE_KEYS), from the next step on; answered by `applied` or `settings-refused`. */
  | { type: 'settings'; changes: Partial<ToyGanConfig> }
  /** Play or pause; `speed` is iterations per drawn frame. */
  | { type: 'play'; playing: boolean; speed: number }
  | { type: 'speed'; speed: number }
  /** One D or G step, paused. */
  | { type: 'step'; kind: 'd' | 'g' }
  /** Which layers the frames carry; paused, a new frame follows. */
  | { type: 'layers'; layers: Layers }
  /** The page drew the last frame: the worker may train on. */
  | { type: 'frame-drawn' }
  /** Fit the maximum-likelihood baseline (EM) to the session's distribution. */
  | { type: 'fit-gmm'; components: number };

/** The evaluation the read-outs show (ToyEvaluation without its samples). */
export interface Readouts {
  histogramJsd: number;
  jsdEstimate: number;
  dFlatness: number;
  /** 2-D distributions with modes only. */
  modes?: ModeMetrics;
  /** 1-D only: Kolmogorov–Smirnov distance, 0 … 1. */
  ks?: number;
}

/** What the main plot draws, per the layers asked for (2-D) or the curves (1-D). */
export interface FrameView {
  grid?: DiscriminatorGrid;
  generated?: Float32Array;
  arrows?: GeneratorArrows;
  manifold?: Manifold;
  curves?: Curves1d;
}

export interface Counters {
  iterations: number;
  dSteps: number;
  gSteps: number;
  dLoss: number;
  gLoss: number;
  jsdEstimate: number;
}

/** What the session trains on: sent on every reset. */
export interface SessionInfo {
  distribution: ToyDistributionName;
  /** Drawn points the session was built from (drawn distributions only). */
  drawnCount: number;
  config: ToyGanConfig;
  /** False for a drawn distribution with no points yet. */
  hasGan: boolean;
  dim: 1 | 2;
  bounds: Bounds | null;
  /** The 2-D distribution has modes (ring8, grid25, gaussian): the mode table and the EM panel apply. */
  hasModes: boolean;
  realPoints: Float32Array | null;
}

export type ToMain =
  /** The first message: the tfjs backend is up; `inWorker` is true when this runs in a WorkerGlobalScope. */
  | { type: 'ready'; backend: string; inWorker: boolean }
  | { type: 'session'; session: SessionInfo; error: string | null }
  /**
   * A frame to draw: the counters, the losses of every step since the last frame as (step, D loss,
   * G loss) triples, the plot's data and, every few frames (always when paused), the read-outs.
   */
  | { type: 'frame'; counters: Counters; losses: Float32Array; view: FrameView; readouts: Readouts | null }
  /** Answers a pause, after a last frame with the read-outs: nothing trains until the next play. */
  | { type: 'paused' }
  | { type: 'applied'; config: ToyGanConfig }
  | { type: 'settings-refused'; message: string }
  /** Training stopped on an error (e.g. a loss that is not a number). */
  | { type: 'stopped'; message: string }
  | { type: 'gmm'; result: GmmResult | null; error: string | null };

/** The EM baseline: its samples, mode metrics and log density over the view (size² values, row 0 at the bottom). */
export interface GmmResult {
  samples: Float32Array;
  metrics: ModeMetrics | null;
  logDensity: Float32Array;
  size: number;
}
