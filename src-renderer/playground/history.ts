/** A line of a time-series chart. */
export interface Series {
  label: string;
  color: string;
  points: Array<{ x: number; y: number }>;
  dash?: number[];
}

/**
 * Keeps at most `limit` points: when full, every other point is dropped and only every other new
 * point is kept from then on, so a long run stays evenly sampled from its first step to its last.
 */
export class History {
  points: Array<{ x: number; y: number }> = [];
  private stride = 1;
  private seen = 0;

  constructor(private limit = 400) {}

  push(x: number, y: number): void {
    if (!Number.isFinite(y)) return;
    if (this.seen++ % this.stride !== 0) return;
    this.points.push({ x, y });
    if (this.points.length > this.limit) {
      this.points = this.points.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  clear(): void {
    this.points = [];
    this.stride = 1;
    this.seen = 0;
  }
}
