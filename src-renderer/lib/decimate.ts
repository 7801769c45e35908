/** A point of a chart series. */
export interface XY {
  x: number;
  y: number;
}

/**
 * Shrinks a long series to at most about `maxPoints` points for drawing. Each bucket of consecutive
 * points keeps its minimum and its maximum (in x order), so the spikes a GAN's losses are known for
 * survive, unlike averaging or keeping every n-th point. The first and last points always stay, so
 * the line spans the whole run. Non-finite values are dropped: a NaN would break the whole line.
 */
export function decimate(points: readonly XY[], maxPoints: number): XY[] {
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const limit = Math.max(4, Math.floor(maxPoints));
  if (finite.length <= limit) return finite;
  const first = finite[0];
  const last = finite[finite.length - 1];
  const inner = finite.slice(1, -1);
  const buckets = Math.floor((limit - 2) / 2);
  const out: XY[] = [first];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * inner.length) / buckets);
    const end = Math.floor(((b + 1) * inner.length) / buckets);
    if (end <= start) continue;
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i++) {
      if (inner[i].y < inner[lo].y) lo = i;
      if (inner[i].y > inner[hi].y) hi = i;
    }
    if (lo === hi) out.push(inner[lo]);
    else if (lo < hi) out.push(inner[lo], inner[hi]);
    else out.push(inner[hi], inner[lo]);
  }
  out.push(last);
  return out;
}

/** One series of a metric over steps, decimated. */
export function series<T extends { step: number }>(rows: readonly T[], value: (row: T) => number, maxPoints: number): XY[] {
  return decimate(
    rows.map((row) => ({ x: row.step, y: value(row) })),
    maxPoints,
  );
}
