import {
  drawnPoints,
  fitGmm,
  gmmLogDensity,
  gridPoints,
  modeMetrics,
  sampleGmm,
  toyDistribution,
  ToyGan,
  type Bounds,
  type ToyDistribution,
  type ToyDistributionName,
} from '../../src-main/engine/toy';
import { Rng } from '../../src-main/engine/rng';
import type { ToyGanConfig } from '../../src-main/shared/schema';
import { DRAW_BOUNDS, GMM_CANVAS_SIZE, type FrameView, type Layers, type Readouts, type SessionInfo, type ToMain, type ToWorker } from './protocol';

/** Frames between two evaluations while playing (an evaluation draws 2,500 samples of each side). */
const EVALUATE_EVERY = 6;

/**
 * The playground's GAN session, where it trains: in the Web Worker (toy-worker.ts), off the page's
 * thread. It answers the page's messages (protocol.ts) and, while playing, trains `speed` iterations,
 * sends a frame and waits until the page says it drew it. `post` sends a message with the buffers to
 * transfer; `schedule` runs the next chunk of training after pending messages (setTimeout 0).
 */
export class ToySession {
  private gan: ToyGan | null = null;
  private distribution: ToyDistribution | null = null;
  private name: ToyDistributionName = 'ring8';
  private config: ToyGanConfig | null = null;
  private layers: Layers = { real: true, generated: true, heatmap: true, arrows: false, manifold: false };
  private playing = false;
  private speed = 5;
  /** A frame is out and not yet drawn: train no further. */
  private frameOut = false;
  private scheduled = false;
  private frames = 0;
  /** (step, D loss, G loss) per iteration or single step since the last frame. */
  private losses: number[] = [];

  constructor(
    private readonly post: (message: ToMain, transfer?: ArrayBufferLike[]) => void,
    private readonly schedule: (run: () => void) => void = (run) => setTimeout(run, 0),
  ) {}

  handle(message: ToWorker): void {
    switch (message.type) {
      case 'reset':
        this.layers = message.layers;
        this.reset(message.distribution, message.drawn, message.config);
        break;
      case 'settings':
        this.applySettings(message.changes);
        break;
      case 'play':
        this.speed = message.speed;
        if (message.playing) {
          this.playing = this.gan !== null;
          this.wake();
        } else {
          // the chunk that was training has sent its frame already: read-outs for where it stopped
          if (this.playing) this.sendFrame(true);
          this.playing = false;
          this.post({ type: 'paused' });
        }
        break;
      case 'speed':
        this.speed = message.speed;
        break;
      case 'step':
        this.playing = false;
        if (this.step(message.kind)) this.sendFrame(true);
        break;
      case 'layers':
        this.layers = message.layers;
        if (!this.playing) this.sendFrame(false);
        break;
      case 'frame-drawn':
        this.frameOut = false;
        this.wake();
        break;
      case 'fit-gmm':
        this.fitGmm(message.components);
        break;
    }
  }

  private reset(name: ToyDistributionName, drawn: number[][], config: ToyGanConfig): void {
    this.playing = false;
    this.gan?.dispose();
    this.gan = null;
    this.distribution = null;
    this.name = name;
    this.config = config;
    this.frames = 0;
    this.losses = [];
    let error: string | null = null;
    let realPoints: Float32Array | null = null;
    try {
      this.distribution = name === 'drawn' ? (drawn.length > 0 ? drawnPoints(drawn) : null) : toyDistribution(name);
      if (this.distribution) {
        this.gan = new ToyGan(this.distribution, config);
        realPoints = this.gan.sampleReal(this.distribution.dim === 1 ? 600 : 1000);
      }
    } catch (cause) {
      error = messageOf(cause);
      this.gan?.dispose();
      this.gan = null;
    }
    const dim = this.distribution?.dim ?? (name === 'gaussian1d' || name === 'bimodal1d' ? 1 : 2);
    const session: SessionInfo = {
      distribution: name,
      drawnCount: name === 'drawn' ? drawn.length : 0,
      config,
      hasGan: this.gan !== null,
      dim,
      bounds: this.viewBounds(),
      hasModes: dim === 2 && Boolean(this.distribution?.modes),
      realPoints,
    };
    this.post({ type: 'session', session, error }, realPoints ? [realPoints.buffer] : []);
    if (this.gan) this.sendFrame(true);
  }

  private viewBounds(): Bounds | null {
    return this.name === 'drawn' ? DRAW_BOUNDS : (this.distribution?.bounds ?? null);
  }

  private applySettings(changes: Partial<ToyGanConfig>): void {
    try {
      if (this.gan) this.gan.applySettings(changes);
      this.config = { ...(this.gan?.config ?? this.config!), ...changes };
      this.post({ type: 'applied', config: this.config });
    } catch (cause) {
      this.post({ type: 'settings-refused', message: messageOf(cause) });
    }
  }

  /** Runs the next chunk of training once the last frame is drawn (and messages are read). */
  private wake(): void {
    if (this.scheduled || !this.playing || this.frameOut) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      if (!this.playing || this.frameOut || !this.gan) return;
      for (let i = 0; i < this.speed && this.playing; i++) this.step('iteration');
      this.frames++;
      this.sendFrame(!this.playing || this.frames % EVALUATE_EVERY === 0);
    });
  }

  /** One step; false (and a `stopped` message) when it failed. */
  private step(kind: 'iteration' | 'd' | 'g'): boolean {
    const gan = this.gan;
    if (!gan) return false;
    try {
      const result = kind === 'd' ? gan.dStep() : kind === 'g' ? gan.gStep() : gan.iteration();
      this.losses.push(gan.dSteps + gan.gSteps, result.dLoss, result.gLoss);
      if (!Number.isFinite(result.dLoss) && gan.dSteps > 0) throw new Error('the discriminator loss is not a number: lower the learning rates and reset');
      return true;
    } catch (cause) {
      this.playing = false;
      this.post({ type: 'stopped', message: messageOf(cause) });
      return false;
    }
  }

  /** Sends what the plot needs (and the read-outs when asked), transferring the arrays' buffers. */
  private sendFrame(withReadouts: boolean): void {
    const gan = this.gan;
    if (!gan) return;
    const view: FrameView = {};
    let readouts: Readouts | null = null;
    try {
      if (gan.dim === 1) {
        view.curves = gan.curves1d(200, 2000);
      } else {
        const bounds = this.viewBounds()!;
        if (this.layers.heatmap) view.grid = gan.discriminatorGrid(48, bounds);
        if (this.layers.manifold) view.manifold = gan.manifold(21);
        if (this.layers.generated || this.layers.arrows) view.generated = gan.sample(600);
        if (this.layers.arrows) view.arrows = gan.generatorArrows(150, view.generated!.slice(0, 300));
      }
      if (withReadouts) {
        const { histogramJsd, jsdEstimate, dFlatness, modes, ks } = gan.evaluate(2500);
        readouts = { histogramJsd, jsdEstimate, dFlatness, modes, ks };
      }
    } catch (cause) {
      this.playing = false;
      this.post({ type: 'stopped', message: messageOf(cause) });
      return;
    }
    const last = gan.lastStep();
    const losses = Float32Array.from(this.losses);
    this.losses = [];
    const buffers = [losses, view.grid?.values, view.generated, view.arrows?.points, view.arrows?.directions, view.manifold?.points]
      .filter((array) => array !== undefined)
      .map((array) => array.buffer);
    const curves = view.curves;
    if (curves) buffers.push(curves.xs.buffer, curves.pData.buffer, curves.pGenerated.buffer, curves.d.buffer, curves.dStar.buffer);
    this.frameOut = true;
    this.post(
      {
        type: 'frame',
        counters: { iterations: gan.iterations, dSteps: gan.dSteps, gSteps: gan.gSteps, dLoss: last.dLoss, gLoss: last.gLoss, jsdEstimate: last.jsdEstimate },
        losses,
        view,
        readouts,
      },
      // a buffer may back two views (the arrows' points are a slice of the samples: a copy): transfer each once
      [...new Set(buffers)],
    );
  }

  private fitGmm(components: number): void {
    const distribution = this.distribution;
    const bounds = this.viewBounds();
    if (!distribution || !bounds || distribution.dim !== 2) return;
    try {
      const seed = this.config?.seed ?? 0;
      const rng = new Rng(seed + 17);
      const model = fitGmm(distribution.sample(2500, rng), distribution.dim, { components, seed, restarts: 3 });
      const samples = sampleGmm(model, 2500, rng);
      const metrics = distribution.modes && distribution.sigma ? modeMetrics(samples, distribution.dim, distribution.modes, distribution.sigma) : null;
      const logDensity = Float32Array.from(gmmLogDensity(model, gridPoints(2, GMM_CANVAS_SIZE, bounds)));
      this.post({ type: 'gmm', result: { samples, metrics, logDensity, size: GMM_CANVAS_SIZE }, error: null }, [samples.buffer, logDensity.buffer]);
    } catch (cause) {
      this.post({ type: 'gmm', result: null, error: messageOf(cause) });
    }
  }
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
