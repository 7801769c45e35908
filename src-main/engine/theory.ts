import * as tf from '@tensorflow/tfjs';
import { ganLosses, jsdFromValue } from './losses';
import { Rng } from './rng';

/** One claim of THEORY.md, measured (REFERENCE.md has the ground truth). */
export interface TheoryCheck {
  id: 'optimal-discriminator' | 'saturation' | 'gan-1d';
  title: string;
  measured: number;
  expected: number;
  /** How measured and expected are compared, in words. */
  criterion: string;
  pass: boolean;
  /** Further numbers behind the verdict. */
  details: Record<string, number>;
  ms: number;
}

/** V* for N(0,1) vs N(2,1) (REFERENCE.md, numerical integration). */
export const V_STAR_0_2 = -0.712633;

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function normalLogPdf(x: number, mean: number, std: number): number {
  const u = (x - mean) / std;
  return -0.5 * u * u - Math.log(std) - LOG_SQRT_2PI;
}

/** JSD(N(m1, s1²) || N(m2, s2²)) in nats by the trapezoid rule: the ground truth for the 1-D GAN. */
export function gaussianJsd(m1: number, s1: number, m2: number, s2: number): number {
  const lo = Math.min(m1 - 12 * s1, m2 - 12 * s2);
  const hi = Math.max(m1 + 12 * s1, m2 + 12 * s2);
  const n = 20000;
  const h = (hi - lo) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const x = lo + i * h;
    const p = Math.exp(normalLogPdf(x, m1, s1));
    const q = Math.exp(normalLogPdf(x, m2, s2));
    const m = (p + q) / 2;
    let f = 0;
    if (p > 0) f += 0.5 * p * Math.log(p / m);
    if (q > 0) f += 0.5 * q * Math.log(q / m);
    sum += i === 0 || i === n ? f / 2 : f;
  }
  return sum * h;
}

/** A small tanh MLP on scalars, written with raw ops: cheaper per step than tf.layers for 1-D data. */
class Mlp {
  readonly vars: tf.Variable[];

  constructor(hidden: number[], rng: Rng) {
    const sizes = [1, ...hidden, 1];
    this.vars = [];
    for (let i = 0; i < sizes.length - 1; i++) {
      const std = Math.sqrt(1 / sizes[i]);
      const seed = rng.seed();
      this.vars.push(tf.tidy(() => tf.variable(tf.randomNormal([sizes[i], sizes[i + 1]], 0, std, 'float32', seed))));
      this.vars.push(tf.tidy(() => tf.variable(tf.zeros([sizes[i + 1]]))));
    }
  }

  /** Logits for x of shape [n, 1]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    let h: tf.Tensor2D = x;
    for (let i = 0; i < this.vars.length; i += 2) {
      h = tf.add(tf.matMul(h, this.vars[i] as tf.Tensor2D), this.vars[i + 1]);
      if (i < this.vars.length - 2) h = tf.tanh(h);
    }
    return h;
  }

  dispose(): void {
    tf.dispose(this.vars);
  }
}

function normalSamples(n: number, mean: number, std: number, rng: Rng): tf.Tensor2D {
  return tf.randomNormal([n, 1], mean, std, 'float32', rng.seed());
}

/** Trains D by ascent on the minibatch V between two samplers; returns nothing, D is updated in place. */
function trainDiscriminator(
  d: Mlp,
  optimizer: tf.Optimizer,
  steps: number,
  batch: number,
  real: () => tf.Tensor2D,
  fake: () => tf.Tensor2D,
): void {
  const loss = ganLosses.ns;
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const r = real();
      const f = fake();
      optimizer.minimize(() => loss.discriminator(d.apply(r), d.apply(f)), false, d.vars);
    });
  }
  void batch;
}

/** V = mean log D(x_real) + mean log(1 - D(x_fake)) on fresh samples, with its standard error. */
function valueOnSamples(d: Mlp, real: tf.Tensor2D, fake: tf.Tensor2D): { v: number; stderr: number } {
  return tf.tidy(() => {
    const a = tf.neg(tf.softplus(tf.neg(d.apply(real))));
    const b = tf.neg(tf.softplus(d.apply(fake)));
    const ma = tf.moments(a);
    const mb = tf.moments(b);
    const n = real.shape[0];
    const v = ma.mean.dataSync()[0] + mb.mean.dataSync()[0];
    const stderr = Math.sqrt((ma.variance.dataSync()[0] + mb.variance.dataSync()[0]) / n);
    return { v, stderr };
  });
}

/**
 * THEORY.md §3: a discriminator trained to convergence between N(0,1) (real) and N(2,1)
 * (generated) approaches D*(x) = p/(p+q) = sigmoid(2 − 2x), and its V approaches V* = −0.7126
 * from below.
 */
export function checkOptimalDiscriminator(seed = 1): TheoryCheck {
  const t0 = performance.now();
  const rng = new Rng(seed);
  const d = new Mlp([8], rng);
  const optimizer = tf.train.adam(0.02, 0.9, 0.999);
  const batch = 512;
  trainDiscriminator(d, optimizer, 200, batch, () => normalSamples(batch, 0, 1, rng), () => normalSamples(batch, 2, 1, rng));
  // A second, smaller step size settles the minibatch noise of the first phase.
  const fine = tf.train.adam(0.003, 0.9, 0.999);
  trainDiscriminator(d, fine, 100, 2048, () => normalSamples(2048, 0, 1, rng), () => normalSamples(2048, 2, 1, rng));

  const grid = Array.from({ length: 121 }, (_, i) => -2 + (6 * i) / 120);
  const dx = tf.tidy(() => tf.sigmoid(d.apply(tf.tensor2d(grid, [grid.length, 1]))).dataSync());
  const mae = grid.reduce((s, x, i) => s + Math.abs(dx[i] - 1 / (1 + Math.exp(-(2 - 2 * x)))), 0) / grid.length;
  const n = 50000;
  const real = normalSamples(n, 0, 1, rng);
  const fake = normalSamples(n, 2, 1, rng);
  const { v, stderr } = valueOnSamples(d, real, fake);
  tf.dispose([real, fake]);
  d.dispose();
  optimizer.dispose();
  fine.dispose();
  const pass = mae < 0.05 && Math.abs(v - V_STAR_0_2) < 0.05 && v <= V_STAR_0_2 + 3 * stderr;
  return {
    id: 'optimal-discriminator',
    title: 'Trained D matches D* = p/(p+q); V reaches V* (N(0,1) vs N(2,1))',
    measured: v,
    expected: V_STAR_0_2,
    criterion: '|V − V*| < 0.05, V ≤ V* + 3·s.e., MAE(D, D*) on [−2, 4] < 0.05',
    pass,
    details: { maeVsDStar: mae, v, vStandardError: stderr, jsdEstimate: jsdFromValue(v), jsdTrue: 0.336831 },
    ms: performance.now() - t0,
  };
}

/**
 * THEORY.md §4: where D(G(z)) ≈ 0.01 the minimax generator loss is nearly flat. Its gradient with
 * respect to the logit is −D/n against −(1 − D)/n for the non-saturating loss: ratio D/(1 − D).
 */
export function checkSaturation(): TheoryCheck {
  const t0 = performance.now();
  const dTarget = 0.01;
  const logit0 = Math.log(dTarget / (1 - dTarget));
  const count = 64;
  const offsets = Array.from({ length: count }, (_, i) => logit0 + 0.1 * (i / (count - 1) - 0.5));
  const { mm, ns, dMean } = tf.tidy(() => {
    const logits = tf.tensor1d(offsets);
    const gMm = tf.grad((l: tf.Tensor) => ganLosses.mm.generator(l))(logits).dataSync();
    const gNs = tf.grad((l: tf.Tensor) => ganLosses.ns.generator(l))(logits).dataSync();
    return { mm: Array.from(gMm), ns: Array.from(gNs), dMean: tf.mean(tf.sigmoid(logits)).dataSync()[0] };
  });
  const sameSign = mm.every((g, i) => Math.sign(g) === Math.sign(ns[i]) && g !== 0);
  const ratios = mm.map((g, i) => g / ns[i]);
  const expectedRatios = offsets.map((l) => {
    const d = 1 / (1 + Math.exp(-l));
    return d / (1 - d);
  });
  const measured = ratios.reduce((a, b) => a + b, 0) / count;
  const expected = expectedRatios.reduce((a, b) => a + b, 0) / count;
  const maxRelError = Math.max(...ratios.map((r, i) => Math.abs(r / expectedRatios[i] - 1)));
  return {
    id: 'saturation',
    title: 'mm gradient ≈ D/(1−D) × ns gradient at D(G(z)) ≈ 0.01',
    measured,
    expected,
    criterion: 'same sign; ratio within 1% of D/(1 − D) at every logit',
    pass: sameSign && maxRelError < 0.01,
    details: { meanD: dMean, nsOverMm: 1 / measured, maxRelativeError: maxRelError, sameSign: sameSign ? 1 : 0 },
    ms: performance.now() - t0,
  };
}

/**
 * THEORY.md §4: the algorithm itself, in 1-D. P_data = N(0,1); G(z) = a·z + b starts at N(4, 0.5²);
 * D is a small MLP; ns loss, k = 1. The JSD estimated by a discriminator trained against the
 * generator goes down, and ends below 0.1 nats (checked against the exact JSD of the final G too).
 */
export function checkGan1d(seed = 1, steps = 600): TheoryCheck {
  const t0 = performance.now();
  const rng = new Rng(seed);
  const batch = 256;
  const d = new Mlp([8], rng);
  const a = tf.tidy(() => tf.variable(tf.scalar(0.5)));
  const b = tf.tidy(() => tf.variable(tf.scalar(4)));
  const optD = tf.train.adam(0.01, 0.5, 0.999);
  const optG = tf.train.adam(0.01, 0.5, 0.999);
  const loss = ganLosses.ns;
  const real = () => normalSamples(batch, 0, 1, rng);
  const generate = (z: tf.Tensor2D) => tf.add(tf.mul(z, a), b) as tf.Tensor2D;
  const fake = () => generate(normalSamples(batch, 0, 1, rng));

  /** JSD lower bound from a fresh D trained against the current G (THEORY.md §3). */
  const estimateJsd = (): number => {
    const probe = new Mlp([8], rng);
    const opt = tf.train.adam(0.02, 0.9, 0.999);
    trainDiscriminator(probe, opt, 200, 1024, () => normalSamples(1024, 0, 1, rng), () => generate(normalSamples(1024, 0, 1, rng)));
    const r = normalSamples(20000, 0, 1, rng);
    const f = tf.tidy(() => generate(normalSamples(20000, 0, 1, rng)));
    const { v } = valueOnSamples(probe, r, f);
    tf.dispose([r, f]);
    probe.dispose();
    opt.dispose();
    return jsdFromValue(v);
  };

  const initialEstimate = estimateJsd();
  const initialTrue = gaussianJsd(0, 1, 4, 0.5);
  for (let step = 0; step < steps; step++) {
    tf.tidy(() => {
      const r = real();
      const f = fake();
      optD.minimize(() => loss.discriminator(d.apply(r), d.apply(f)), false, d.vars);
    });
    tf.tidy(() => {
      const z = normalSamples(batch, 0, 1, rng);
      optG.minimize(() => loss.generator(d.apply(generate(z))), false, [a, b]);
    });
  }
  const finalEstimate = estimateJsd();
  const finalA = Math.abs(a.dataSync()[0]);
  const finalB = b.dataSync()[0];
  const finalTrue = gaussianJsd(0, 1, finalB, Math.max(finalA, 1e-6));
  tf.dispose([a, b]);
  d.dispose();
  optD.dispose();
  optG.dispose();
  return {
    id: 'gan-1d',
    title: `1-D GAN (ns, k = 1) from N(4, 0.5²) to N(0, 1): estimated JSD goes down`,
    measured: finalEstimate,
    expected: 0.1,
    criterion: 'final JSD estimate < 0.1 nats and below the initial estimate; exact JSD of the final G < 0.1',
    pass: finalEstimate < 0.1 && finalEstimate < initialEstimate && finalTrue < 0.1,
    details: { initialJsdEstimate: initialEstimate, initialJsdTrue: initialTrue, finalJsdTrue: finalTrue, finalMean: finalB, finalStd: finalA, steps },
    ms: performance.now() - t0,
  };
}

/** All theory checks, in the order of THEORY.md. */
export function runTheoryChecks(): TheoryCheck[] {
  return [checkOptimalDiscriminator(), checkSaturation(), checkGan1d()];
}
