import { LOSS, PRIOR, type Prior } from '../../src-main/shared/schema';
import { Rng } from '../../src-main/engine/rng';
import { standardNormal } from '../../src-main/engine/toy/distributions';

/** The two losses of THEORY.md §4, written in terms of D's probability D(G(z)). */
export type ProbabilisticLoss = typeof LOSS.mm | typeof LOSS.ns;

/** Samples of one latent coordinate under the prior the engine uses: N(0, 1) or U[-1, 1]. */
export function priorSamples(prior: Prior, count: number, seed = 7): number[] {
  // Seeded, so the preview looks the same on every render.
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => (prior === PRIOR.uniform ? rng.next() * 2 - 1 : standardNormal(rng)));
}

/** Counts of values in `bins` equal bins over [lo, hi]; values outside are left out. */
export function histogram(values: readonly number[], bins: number, lo: number, hi: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (const value of values) {
    if (value < lo || value > hi) continue;
    counts[Math.min(bins - 1, Math.floor((value - lo) / width))]++;
  }
  return counts;
}

/**
 * The generator's loss as a function of D(G(z)) (THEORY.md §4):
 * MMGAN minimises log(1 − D), flat near D = 0 where training starts (it saturates);
 * NSGAN minimises −log D, steep there, so the generator gets a strong signal early.
 */
export function generatorLoss(loss: ProbabilisticLoss, d: number): number {
  return loss === LOSS.mm ? Math.log(1 - d) : -Math.log(d);
}

/** Points of one loss curve over D ∈ (0, 1), denser near the ends where the curves bend. */
export function lossCurve(loss: ProbabilisticLoss, points = 120): Array<{ d: number; value: number }> {
  const out: Array<{ d: number; value: number }> = [];
  for (let i = 0; i < points; i++) {
    // A sine-spaced grid over (0.005, 0.995): more samples near 0 and 1.
    const t = i / (points - 1);
    const d = 0.005 + 0.99 * (0.5 - 0.5 * Math.cos(Math.PI * t));
    out.push({ d, value: generatorLoss(loss, d) });
  }
  return out;
}

/** |d loss / d D| at D: how hard the generator is pushed at that point. */
export function lossSlope(loss: ProbabilisticLoss, d: number): number {
  return loss === LOSS.mm ? 1 / (1 - d) : 1 / d;
}

/** log 2 in nats: the JSD ceiling, reached when D tells real from generated perfectly. */
export const LOG2 = Math.LN2;
