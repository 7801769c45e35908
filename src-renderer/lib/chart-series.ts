import type { XY } from './decimate';

/** One line of a LineChart (components/LineChart.svelte, which re-exports this type). */
export interface Series {
  label: string;
  points: XY[];
  /** A CSS variable name such as '--series-1': resolved at draw time so the theme applies. */
  color: string;
  dashed?: boolean;
  /** A horizontal reference line at points[0].y across the whole plot (e.g. the log 2 ceiling). */
  reference?: boolean;
}
