import { gmmDensity, gridPoints, type GaussianMixture } from '../../src-main/engine/toy';
import { densityColor, GENERATED_POINT, GMM_POINT, REAL_POINT } from './colormap';
import { drawArrows, drawCurves1d, drawHeatmap, drawManifold, drawPoints, View } from './plot';
import { DRAW_BOUNDS, type Playground } from './playground.svelte';

/** Side of the EM baseline's two square plots, in canvas pixels. */
export const GMM_CANVAS_SIZE = 256;

/**
 * The main plot: in 2-D the layers the user picked (D's heatmap, G's manifold, real and generated
 * points, G's gradient arrows), in 1-D the curves of P_data, P_G, D and D* (and their gap, stored
 * in pg.gapToOptimal); before a drawn distribution has a GAN, the points drawn so far.
 */
export function drawPlot(canvas: HTMLCanvasElement, pg: Playground): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#12141a';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const { gan, layers, realPoints } = pg;
  if (!gan || !pg.distribution) {
    if (pg.isDrawn) drawPoints(ctx, new View(DRAW_BOUNDS, canvas.width, canvas.height), Float32Array.from(pg.drawn.flat()), REAL_POINT, 4);
    return;
  }
  if (gan.dim === 1) {
    const curves = gan.curves1d(200, 2000);
    pg.gapToOptimal = curves.gapToOptimal;
    drawCurves1d(ctx, canvas.width, canvas.height, curves);
    return;
  }
  const view = new View(pg.viewBounds(), canvas.width, canvas.height);
  if (layers.heatmap) drawHeatmap(ctx, view, gan.discriminatorGrid(48, view.bounds));
  if (layers.manifold) drawManifold(ctx, view, gan.manifold(21), gan.dim);
  if (layers.real && realPoints) drawPoints(ctx, view, realPoints, REAL_POINT, 1.8);
  const generated = layers.generated || layers.arrows ? gan.sample(600) : null;
  if (layers.generated && generated) drawPoints(ctx, view, generated, GENERATED_POINT, 1.8);
  if (layers.arrows && generated) drawArrows(ctx, view, gan.generatorArrows(150, generated.slice(0, 300)));
}

/** The mixture's density over the view, drawn once per fit: it does not change while the GAN trains. */
function densityImage(model: GaussianMixture, view: View): ImageData {
  const { width, height } = view;
  const logDensity = Array.from(gmmDensity(model, gridPoints(2, width, view.bounds)), Math.log);
  const peak = logDensity.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const image = new ImageData(width, height);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const offset = ((height - 1 - row) * width + column) * 4;
      image.data.set([...densityColor(logDensity[row * width + column] - peak), 255], offset);
    }
  }
  return image;
}

/**
 * The EM baseline's plots (2-D only): its density (painted once per fit) and its samples over the
 * real ones. Does nothing until both canvases exist and a mixture is fitted.
 */
export function drawGmm(densityCanvas: HTMLCanvasElement | undefined, samplesCanvas: HTMLCanvasElement | undefined, pg: Playground): void {
  const { gmm, distribution } = pg;
  if (!samplesCanvas || !densityCanvas || !gmm.model || !distribution || distribution.dim !== 2) return;
  const view = new View(pg.viewBounds(), GMM_CANVAS_SIZE, GMM_CANVAS_SIZE);
  if (!gmm.densityImage) {
    gmm.densityImage = densityImage(gmm.model, view);
    densityCanvas.getContext('2d')!.putImageData(gmm.densityImage, 0, 0);
  }
  const ctx = samplesCanvas.getContext('2d')!;
  ctx.fillStyle = `rgb(${densityColor(Number.NEGATIVE_INFINITY)})`;
  ctx.fillRect(0, 0, GMM_CANVAS_SIZE, GMM_CANVAS_SIZE);
  if (gmm.samples) drawPoints(ctx, view, gmm.samples.slice(0, 1200), GMM_POINT, 1.5);
  if (pg.layers.real && pg.realPoints) drawPoints(ctx, view, pg.realPoints, REAL_POINT, 1);
}
