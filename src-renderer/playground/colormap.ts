type Rgb = [number, number, number];

/**
 * D(x) as a colour: purple where D calls points generated (0), neutral at 1/2 (D cannot tell),
 * green where it calls them real (1) — the lecture's colours for generated and real points.
 */
const LOW: Rgb = [96, 56, 170];
const MID: Rgb = [30, 33, 41];
const HIGH: Rgb = [38, 150, 92];

function mix(from: Rgb, to: Rgb, t: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(from[i] + (to[i] - from[i]) * t)) as Rgb;
}

export function discriminatorColor(value: number): Rgb {
  const v = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0.5));
  return v < 0.5 ? mix(LOW, MID, v / 0.5) : mix(MID, HIGH, (v - 0.5) / 0.5);
}

/**
 * A density is drawn on a log scale, or the ring's σ = 0.01 peaks would be single pixels and a
 * too-broad mixture component (the maximum-likelihood fit covering two modes) would not show.
 */
export const DENSITY_LOG_RANGE = 10;
const DENSITY_HIGH: Rgb = [251, 146, 60];

/** The colour of a density p as log(p / peak): the peak is amber, e^−DENSITY_LOG_RANGE and below the background. */
export function densityColor(logRatio: number): Rgb {
  const t = Number.isFinite(logRatio) ? Math.min(1, Math.max(0, 1 + logRatio / DENSITY_LOG_RANGE)) : 0;
  return mix(MID, DENSITY_HIGH, t);
}

export const REAL_POINT = '#4ade80';
export const GENERATED_POINT = '#60a5fa';
export const ARROW = 'rgba(250, 204, 21, 0.85)';
export const MANIFOLD = 'rgba(226, 232, 240, 0.45)';
export const GMM_POINT = '#f472b6';
