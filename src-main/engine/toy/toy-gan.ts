import * as tf from '@tensorflow/tfjs';
import { PRIOR } from '../../shared/schema';
import { ganLosses, jsdFromValue, valueEstimate } from '../losses';
import type { Bounds } from './distributions';
import { kde1d, linspace } from './kde';
import { discriminatorGap, histogramJsd, ksDistance, meanAndStd, modeMetrics, optimalDiscriminator, type ModeMetrics } from './metrics';
import { ToyGanTrainer } from './toy-trainer';

/** D over a regular grid: values[row * resolution + column], row 0 at bounds.min[1] (1-D: one row). */
export interface DiscriminatorGrid {
  resolution: number;
  bounds: Bounds;
  values: Float32Array;
}

export interface GeneratorArrows {
  /** Generated points, flattened n × dim. */
  points: Float32Array;
  /** −∂L_G/∂x at each point: where the generator's loss pushes that sample. */
  directions: Float32Array;
}

/** G applied to a resolution × resolution grid in the first two noise dimensions (others 0). */
export interface Manifold {
  resolution: number;
  /** The z range of both axes. */
  zRange: [number, number];
  /** points[(row * resolution + column) * dim + d]; neighbours in the grid are neighbours in z. */
  points: Float32Array;
}

export interface ToyEvaluation {
  /** Generated samples the metrics used, flattened n × dim. */
  generated: Float32Array;
  /**
   * REFERENCE.md mode metrics, where a 2-D distribution has modes. Never in 1-D: there a generator
   * collapsed to a spike on one mode would read as high quality with a balanced mode histogram.
   */
  modes?: ModeMetrics;
  /** JSD between histograms of real and generated samples, nats (0 … ln 2). */
  histogramJsd: number;
  /** 1-D only: Kolmogorov–Smirnov distance between the real and generated samples (metrics.ksDistance, 0 … 1). */
  ks?: number;
  /**
   * V(G, D) over the evaluation samples, and its JSD lower bound. With packing these are about the
   * packed distributions: JSD(P_data^m || P_G^m), which is at least JSD(P_data || P_G).
   */
  value: number;
  jsdEstimate: number;
  /** Standard deviation of D(x) over real samples: 0 for Goodfellow's flat D*, large for a landscape. */
  dFlatness: number;
  /** Mean D(x) on real and on generated samples. */
  dReal: number;
  dFake: number;
}

export interface Curves1d {
  xs: Float64Array;
  /** Exact density where the distribution has one, otherwise a KDE of real samples. */
  pData: Float64Array;
  /** KDE (Silverman bandwidth) of generated samples. */
  pGenerated: Float64Array;
  d: Float64Array;
  /** p_data / (p_data + p_G): what D would be if it were optimal for the current G. */
  dStar: Float64Array;
  /** Mean |D − D*| weighted by p_data + p_G (metrics.discriminatorGap). */
  gapToOptimal: number;
}

/**
 * A GAN on a 1-D or 2-D toy distribution: the step API the playground drives (ToyGanTrainer) and
 * the read-outs it draws (samples, D over a grid, G's arrows, the z manifold, the evaluation). The
 * read-outs draw from their own random stream, so looking at the model never changes how it trains.
 */
export class ToyGan extends ToyGanTrainer {
  /** n generated samples, flattened n × dim. */
  sample(n: number): Float32Array {
    return tf.tidy(() => this.generateForView(this.prior(n, this.evalRng)).dataSync() as Float32Array).slice();
  }

  /** n real samples, flattened n × dim (for drawing the green points). */
  sampleReal(n: number): Float32Array {
    return this.distribution.sample(n, this.evalRng);
  }

  /**
   * D(x) = sigmoid(logit) at arbitrary points (n × dim). For the hinge and least-squares losses the
   * output is no calibrated probability, but the sigmoid still orders points the way D does.
   */
  discriminate(points: Float32Array): Float32Array {
    const n = points.length / this.dim;
    return tf.tidy(() => tf.sigmoid(this.pointLogits(tf.tensor2d(points, [n, this.dim]))).dataSync() as Float32Array).slice();
  }

  /** D over the view for the background heatmap. */
  discriminatorGrid(resolution = 64, bounds: Bounds = this.distribution.bounds): DiscriminatorGrid {
    return { resolution, bounds, values: this.discriminate(gridPoints(this.dim, resolution, bounds)) };
  }

  /**
   * Arrows at n freshly generated points (or the given ones): −∂L_G/∂x per sample. With packing, n
   * is rounded up to whole packs; given points that do not fill whole packs are judged as copies.
   */
  generatorArrows(n = 200, points?: Float32Array): GeneratorArrows {
    const loss = ganLosses[this.config.loss];
    const { pack } = this.config;
    const at = points ?? this.sample(Math.ceil(n / pack) * pack);
    const count = at.length / this.dim;
    const logitsOf = count % pack === 0 ? (x: tf.Tensor2D) => this.logits(x) : (x: tf.Tensor2D) => this.pointLogits(x);
    const terms = count % pack === 0 ? count / pack : count;
    const directions = tf.tidy(() => {
      const x = tf.tensor2d(at, [count, this.dim]);
      // L_G is a mean over D's outputs; × their count gives each one's own gradient, independent of n
      const gradient = tf.grad((input: tf.Tensor) => tf.mul(loss.generator(logitsOf(input as tf.Tensor2D)), terms))(x);
      return tf.neg(gradient).dataSync() as Float32Array;
    }).slice();
    return { points: at, directions };
  }

  /** The image of a z grid under G: how the prior's plane is folded onto the data (issue 6). */
  manifold(resolution = 21): Manifold {
    const zRange: [number, number] = this.config.prior === PRIOR.normal ? [-2.5, 2.5] : [-1, 1];
    const { noiseDim } = this.config;
    const z = new Float32Array(resolution * resolution * noiseDim);
    const axis = linspace(zRange[0], zRange[1], resolution);
    for (let row = 0; row < resolution; row++) {
      for (let column = 0; column < resolution; column++) {
        const offset = (row * resolution + column) * noiseDim;
        z[offset] = axis[column];
        if (noiseDim > 1) z[offset + 1] = axis[row];
      }
    }
    const points = tf
      .tidy(() => this.generateForView(tf.tensor2d(z, [resolution * resolution, noiseDim])).dataSync() as Float32Array)
      .slice();
    return { resolution, zRange, points };
  }

  /** The playground's read-outs on n fresh real and generated samples (REFERENCE.md uses 2,500). */
  evaluate(n = 2500): ToyEvaluation {
    const generated = this.sample(n);
    const real = this.sampleReal(n);
    // D and V need whole packs; the mode metrics use every sample
    const packed = n - (n % this.config.pack);
    const { value, dReal, dFake, dFlatness } = tf.tidy(() => {
      const realLogits = this.logits(tf.tensor2d(real.subarray(0, packed * this.dim), [packed, this.dim]));
      const fakeLogits = this.logits(tf.tensor2d(generated.subarray(0, packed * this.dim), [packed, this.dim]));
      const onReal = meanAndStd(tf.sigmoid(realLogits).dataSync());
      return {
        value: valueEstimate(realLogits, fakeLogits).dataSync()[0],
        dReal: onReal.mean,
        dFake: tf.mean(tf.sigmoid(fakeLogits)).dataSync()[0],
        dFlatness: onReal.std,
      };
    });
    const { modes, sigma } = this.distribution;
    return {
      generated,
      modes: modes && sigma && this.dim === 2 ? modeMetrics(generated, this.dim, modes, sigma) : undefined,
      histogramJsd: histogramJsd(real, generated, this.dim, this.distribution.bounds),
      ks: this.dim === 1 ? ksDistance(real, generated) : undefined,
      value,
      jsdEstimate: jsdFromValue(value),
      dFlatness,
      dReal,
      dFake,
    };
  }

  /** 1-D read-outs over the view: P_data, P_G, D and D* (Goodfellow et al. 2014, Fig. 1). */
  curves1d(resolution = 200, samples = 5000): Curves1d {
    if (this.dim !== 1) throw new Error('curves1d needs a 1-D distribution');
    const xs = linspace(this.distribution.bounds.min[0], this.distribution.bounds.max[0], resolution);
    const density = this.distribution.density?.bind(this.distribution);
    const pData = density ? xs.map((x) => density([x])) : kde1d(this.sampleReal(samples), xs);
    const pGenerated = kde1d(this.sample(samples), xs);
    const d = Float64Array.from(this.discriminate(Float32Array.from(xs)));
    const dStar = pData.map((p, i) => optimalDiscriminator(p, pGenerated[i]));
    return { xs, pData, pGenerated, d, dStar, gapToOptimal: discriminatorGap(d, dStar, pData, pGenerated) };
  }
}

/** Grid points over bounds, row-major with x varying fastest; 1-D: resolution points. */
export function gridPoints(dim: 1 | 2, resolution: number, bounds: Bounds): Float32Array {
  if (dim === 1) return Float32Array.from(linspace(bounds.min[0], bounds.max[0], resolution));
  const xs = linspace(bounds.min[0], bounds.max[0], resolution);
  const ys = linspace(bounds.min[1], bounds.max[1], resolution);
  const out = new Float32Array(resolution * resolution * 2);
  for (let row = 0; row < resolution; row++) {
    for (let column = 0; column < resolution; column++) {
      out[(row * resolution + column) * 2] = xs[column];
      out[(row * resolution + column) * 2 + 1] = ys[row];
    }
  }
  return out;
}
