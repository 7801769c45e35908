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
  /** A shaded band around the line (e.g. mean ± std across seeds), in the line's colour. */
  band?: BandXY[];
}

/** One variant's band around its line (mean ± std across seeds): filled between `lo` and `hi` at each x. */
export interface BandXY {
  x: number;
  lo: number;
  hi: number;
}

/**
 * A CSS colour made see-through for a chart's fill: '#8ea8ff' or '#abc' or 'rgb(…)' → 'rgba(r, g, b, alpha)'.
 * Other colour syntaxes come back unchanged (opaque). `alpha` in [0, 1].
 */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(c);
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((d) => d + d).join('') : hex[1];
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(c);
  if (rgb) return `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})`;
  return c;
}
