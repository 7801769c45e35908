import { densityColor, GENERATED_POINT, GMM_POINT, REAL_POINT } from './colormap';
import { drawArrows, drawCurves1d, drawHeatmap, drawManifold, drawPoints, View } from './plot';
import { DRAW_BOUNDS, GMM_CANVAS_SIZE } from './protocol';
import type { Playground } from './playground.svelte';

export { GMM_CANVAS_SIZE };

/**
 * The main plot, from the last frame the worker sent: in 2-D the layers the user picked (D's
 * heatmap, G's manifold, real and generated points, G's gradient arrows), in 1-D the curves of
 * P_data, P_G, D and D*; before a drawn distribution has a GAN, the points drawn so far. Drawing
 * only: nothing here trains or samples.
 */
export function drawPlot(canvas: HTMLCanvasElement, pg: Playground): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#12141a';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const { layers, realPoints, view: frame } = pg;
  if (!pg.hasGan) {
    if (pg.isDrawn) drawPoints(ctx, new View(DRAW_BOUNDS, canvas.width, canvas.height), Float32Array.from(pg.drawn.flat()), REAL_POINT, 4);
    return;
  }
  if (frame.curves) {
    drawCurves1d(ctx, canvas.width, canvas.height, frame.curves);
    return;
  }
  if (pg.oneD) return;
  const view = new View(pg.viewBounds(), canvas.width, canvas.height);
  if (layers.heatmap && frame.grid) drawHeatmap(ctx, view, frame.grid);
  if (layers.manifold && frame.manifold) drawManifold(ctx, view, frame.manifold, 2);
  if (layers.real && realPoints) drawPoints(ctx, view, realPoints, REAL_POINT, 1.8);
  if (layers.generated && frame.generated) drawPoints(ctx, view, frame.generated, GENERATED_POINT, 1.8);
  if (layers.arrows && frame.arrows) drawArrows(ctx, view, frame.arrows);
}

/** The mixture's log density over the view (row 0 at the bottom) as an image, painted once per fit. */
function densityImage(logDensity: Float32Array, size: number): ImageData {
  let peak = Number.NEGATIVE_INFINITY;
  for (const value of logDensity) if (value > peak) peak = value;
  const image = new ImageData(size, size);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const offset = ((size - 1 - row) * size + column) * 4;
      image.data.set([...densityColor(logDensity[row * size + column] - peak), 255], offset);
    }
  }
  return image;
}

/**
 * The EM baseline's plots (2-D only): its density (computed once per fit) and its samples over the
 * real ones. Does nothing until both canvases exist and a fit has come back from the worker.
 */
export function drawGmm(densityCanvas: HTMLCanvasElement | undefined, samplesCanvas: HTMLCanvasElement | undefined, pg: Playground): void {
  const { gmm } = pg;
  const result = gmm.result;
  if (!samplesCanvas || !densityCanvas || !result || pg.oneD) return;
  const view = new View(pg.viewBounds(), GMM_CANVAS_SIZE, GMM_CANVAS_SIZE);
  // computed once per fit; painted each time, as the canvas is new when the view comes back
  gmm.densityImage ??= densityImage(result.logDensity, result.size);
  densityCanvas.getContext('2d')!.putImageData(gmm.densityImage, 0, 0);
  const ctx = samplesCanvas.getContext('2d')!;
  ctx.fillStyle = `rgb(${densityColor(Number.NEGATIVE_INFINITY)})`;
  ctx.fillRect(0, 0, GMM_CANVAS_SIZE, GMM_CANVAS_SIZE);
  drawPoints(ctx, view, result.samples.subarray(0, 1200), GMM_POINT, 1.5);
  if (pg.layers.real && pg.realPoints) drawPoints(ctx, view, pg.realPoints, REAL_POINT, 1);
}
