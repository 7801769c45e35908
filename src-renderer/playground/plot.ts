import type { Bounds, Curves1d, DiscriminatorGrid, GeneratorArrows, Manifold } from '../../src-main/engine/toy';
import { ARROW, discriminatorColor, MANIFOLD } from './colormap';

/** Maps data coordinates to canvas pixels (y up) and back. */
export class View {
  constructor(
    readonly bounds: Bounds,
    readonly width: number,
    readonly height: number,
  ) {}

  x(value: number): number {
    return ((value - this.bounds.min[0]) / (this.bounds.max[0] - this.bounds.min[0])) * this.width;
  }

  y(value: number): number {
    return this.height - ((value - this.bounds.min[1]) / (this.bounds.max[1] - this.bounds.min[1])) * this.height;
  }

  toData(px: number, py: number): [number, number] {
    return [
      this.bounds.min[0] + (px / this.width) * (this.bounds.max[0] - this.bounds.min[0]),
      this.bounds.min[1] + ((this.height - py) / this.height) * (this.bounds.max[1] - this.bounds.min[1]),
    ];
  }
}

/** The discriminator's value over the plane, one cell per grid value, smoothed by the browser. */
export function drawHeatmap(ctx: CanvasRenderingContext2D, view: View, grid: DiscriminatorGrid): void {
  const { resolution, values } = grid;
  const image = new ImageData(resolution, resolution);
  for (let row = 0; row < resolution; row++) {
    for (let column = 0; column < resolution; column++) {
      // grid row 0 is the bottom of the view; image row 0 is the top
      const [r, g, b] = discriminatorColor(values[row * resolution + column]);
      const offset = ((resolution - 1 - row) * resolution + column) * 4;
      image.data[offset] = r;
      image.data[offset + 1] = g;
      image.data[offset + 2] = b;
      image.data[offset + 3] = 255;
    }
  }
  const cells = new OffscreenCanvas(resolution, resolution);
  cells.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(cells, view.x(grid.bounds.min[0]), view.y(grid.bounds.max[1]), view.x(grid.bounds.max[0]) - view.x(grid.bounds.min[0]), view.y(grid.bounds.min[1]) - view.y(grid.bounds.max[1]));
}

export function drawPoints(ctx: CanvasRenderingContext2D, view: View, points: Float32Array, color: string, radius = 2): void {
  ctx.fillStyle = color;
  ctx.beginPath();
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = view.x(points[i]);
    const y = view.y(points[i + 1]);
    ctx.moveTo(x + radius, y);
    ctx.arc(x, y, radius, 0, Math.PI * 2);
  }
  ctx.fill();
}

/** −∂L_G/∂x at generated points, scaled so the longest arrow is a fixed length on screen. */
export function drawArrows(ctx: CanvasRenderingContext2D, view: View, arrows: GeneratorArrows, maxLength = 28): void {
  const { points, directions } = arrows;
  let longest = 0;
  for (let i = 0; i + 1 < directions.length; i += 2) longest = Math.max(longest, Math.hypot(directions[i], -directions[i + 1]));
  if (!(longest > 0)) return;
  const scale = maxLength / longest;
  ctx.strokeStyle = ARROW;
  ctx.fillStyle = ARROW;
  ctx.lineWidth = 1.2;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = view.x(points[i]);
    const y = view.y(points[i + 1]);
    const dx = directions[i] * scale;
    const dy = -directions[i + 1] * scale;
    const length = Math.hypot(dx, dy);
    if (length < 1.5) continue;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + dx, y + dy);
    const angle = Math.atan2(dy, dx);
    ctx.lineTo(x + dx - 4 * Math.cos(angle - 0.5), y + dy - 4 * Math.sin(angle - 0.5));
    ctx.moveTo(x + dx, y + dy);
    ctx.lineTo(x + dx - 4 * Math.cos(angle + 0.5), y + dy - 4 * Math.sin(angle + 0.5));
    ctx.stroke();
  }
}

/** The z grid's image under G: rows and columns of the grid drawn as polylines. */
export function drawManifold(ctx: CanvasRenderingContext2D, view: View, manifold: Manifold, dim: 1 | 2): void {
  if (dim !== 2) return;
  const { resolution, points } = manifold;
  ctx.strokeStyle = MANIFOLD;
  ctx.lineWidth = 1;
  const at = (row: number, column: number) => (row * resolution + column) * 2;
  ctx.beginPath();
  for (let row = 0; row < resolution; row++) {
    for (let column = 0; column < resolution; column++) {
      const i = at(row, column);
      if (column === 0) ctx.moveTo(view.x(points[i]), view.y(points[i + 1]));
      else ctx.lineTo(view.x(points[i]), view.y(points[i + 1]));
    }
  }
  for (let column = 0; column < resolution; column++) {
    for (let row = 0; row < resolution; row++) {
      const i = at(row, column);
      if (row === 0) ctx.moveTo(view.x(points[i]), view.y(points[i + 1]));
      else ctx.lineTo(view.x(points[i]), view.y(points[i + 1]));
    }
  }
  ctx.stroke();
}

export interface CurveStyle {
  key: 'pData' | 'pGenerated' | 'd' | 'dStar';
  label: string;
  color: string;
  dash?: number[];
  /** Densities share one scale; D and D* live on [0, 1]. */
  axis: 'density' | 'probability';
}

export const CURVES_1D: CurveStyle[] = [
  { key: 'pData', label: 'P_data', color: '#4ade80', axis: 'density' },
  { key: 'pGenerated', label: 'P_G (KDE)', color: '#60a5fa', axis: 'density' },
  { key: 'd', label: 'D(x)', color: '#facc15', axis: 'probability' },
  { key: 'dStar', label: 'D*(x) = P_data / (P_data + P_G)', color: '#f97316', dash: [6, 4], axis: 'probability' },
];

/** Goodfellow et al. 2014, Fig. 1: densities, D and the optimal D* over one axis. */
export function drawCurves1d(ctx: CanvasRenderingContext2D, width: number, height: number, curves: Curves1d): void {
  const { xs } = curves;
  const densityMax = Math.max(1e-9, ...curves.pData, ...curves.pGenerated) * 1.1;
  const pad = 24;
  const px = (x: number) => pad + ((x - xs[0]) / (xs[xs.length - 1] - xs[0])) * (width - 2 * pad);
  const py = (v: number, axis: CurveStyle['axis']) => height - pad - (axis === 'density' ? v / densityMax : v) * (height - 2 * pad);
  ctx.strokeStyle = 'rgba(148, 163, 184, 0.35)';
  ctx.setLineDash([2, 4]);
  ctx.beginPath();
  ctx.moveTo(pad, py(0.5, 'probability'));
  ctx.lineTo(width - pad, py(0.5, 'probability'));
  ctx.stroke();
  for (const style of CURVES_1D) {
    const values = curves[style.key];
    ctx.strokeStyle = style.color;
    ctx.lineWidth = 2;
    ctx.setLineDash(style.dash ?? []);
    ctx.beginPath();
    let penDown = false;
    for (let i = 0; i < xs.length; i++) {
      // D* is 0/0 where neither distribution has mass: leave a gap rather than draw noise
      const undefinedHere = style.key === 'dStar' && curves.pData[i] + curves.pGenerated[i] < 1e-3 * densityMax;
      if (undefinedHere || !Number.isFinite(values[i])) {
        penDown = false;
        continue;
      }
      const x = px(xs[i]);
      const y = py(values[i], style.axis);
      if (penDown) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      penDown = true;
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.fillStyle = 'rgba(148, 163, 184, 0.8)';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  for (let t = 0; t <= 4; t++) {
    const x = xs[0] + ((xs[xs.length - 1] - xs[0]) * t) / 4;
    ctx.fillText(x.toFixed(1), px(x), height - 6);
  }
  ctx.textAlign = 'left';
  ctx.fillText('D = 1/2', pad + 4, py(0.5, 'probability') - 4);
}
