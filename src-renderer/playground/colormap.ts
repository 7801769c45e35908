/**
 * D(x) as a colour: purple where D calls points generated (0), neutral at 1/2 (D cannot tell),
 * green where it calls them real (1) — the lecture's colours for generated and real points.
 */
const LOW: [number, number, number] = [96, 56, 170];
const MID: [number, number, number] = [30, 33, 41];
const HIGH: [number, number, number] = [38, 150, 92];

export function discriminatorColor(value: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0.5));
  const [from, to, t] = v < 0.5 ? [LOW, MID, v / 0.5] : [MID, HIGH, (v - 0.5) / 0.5];
  return [0, 1, 2].map((i) => Math.round(from[i] + (to[i] - from[i]) * t)) as [number, number, number];
}

export const REAL_POINT = '#4ade80';
export const GENERATED_POINT = '#60a5fa';
export const ARROW = 'rgba(250, 204, 21, 0.85)';
export const MANIFOLD = 'rgba(226, 232, 240, 0.45)';
export const GMM_POINT = '#f472b6';
