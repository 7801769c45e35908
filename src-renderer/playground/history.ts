import type { Series } from '../lib/chart-series';
import type { XY } from '../lib/decimate';

export type HistoryKey = 'dLoss' | 'gLoss' | 'jsdEstimate' | 'histogramJsd' | 'flatness' | 'modes' | 'hq' | 'reverseKL' | 'ks';

/** The series the playground's charts draw, one LineChart each. */
export interface PlaygroundCharts {
  losses: Series[];
  jsd: Series[];
  flatness: Series[];
  modes: Series[];
  reverseKL: Series[];
  /** 1-D: the KS distance and the histograms' JSD between P_data and P_G. */
  distance1d: Series[];
}

export const NO_CHARTS: PlaygroundCharts = { losses: [], jsd: [], flatness: [], modes: [], reverseKL: [], distance1d: [] };

/**
 * Every measurement since the last reset, as (x, y) points: x is the step count for the losses
 * and the iteration for the rest. Charts draw a decimated copy (LineChart), so the full history
 * stays here.
 */
export class TrainingHistory {
  private readonly series: Record<HistoryKey, XY[]> = {
    dLoss: [],
    gLoss: [],
    jsdEstimate: [],
    histogramJsd: [],
    flatness: [],
    modes: [],
    hq: [],
    reverseKL: [],
    ks: [],
  };

  record(key: HistoryKey, x: number, y: number): void {
    this.series[key].push({ x, y });
  }

  clear(): void {
    for (const points of Object.values(this.series)) points.length = 0;
  }

  /** Copies of the series for the charts; `totalModes` (when the distribution has modes) draws log K. */
  charts(totalModes?: number): PlaygroundCharts {
    const history = this.series;
    return {
      losses: [
        { label: 'D loss', color: '--series-2', points: [...history.dLoss] },
        { label: 'G loss', color: '--series-1', points: [...history.gLoss] },
      ],
      jsd: [
        { label: 'JSD from V (lower bound)', color: '--series-2', points: [...history.jsdEstimate] },
        { label: 'JSD from histograms', color: '--series-1', points: [...history.histogramJsd] },
        { label: 'log 2', color: '--series-ref', dashed: true, reference: true, points: [{ x: 0, y: Math.LN2 }] },
      ],
      flatness: [{ label: 'std of D over the data', color: '--series-3', points: [...history.flatness] }],
      modes: [
        { label: 'modes captured (share)', color: '--series-3', points: [...history.modes] },
        { label: 'high-quality samples (share)', color: '--series-1', points: [...history.hq] },
      ],
      reverseKL: [
        { label: 'KL(G ‖ data)', color: '--series-2', points: [...history.reverseKL] },
        { label: 'log K = one mode', color: '--series-ref', dashed: true, reference: true, points: totalModes !== undefined ? [{ x: 0, y: Math.log(totalModes) }] : [] },
      ],
      distance1d: [
        { label: 'KS distance', color: '--series-3', points: [...history.ks] },
        { label: 'JSD from histograms (nats)', color: '--series-1', points: [...history.histogramJsd] },
        { label: 'ln 2 = disjoint', color: '--series-ref', dashed: true, reference: true, points: [{ x: 0, y: Math.LN2 }] },
      ],
    };
  }
}
