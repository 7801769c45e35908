import type { GeneratorLossName, Prior } from '../../src-main/shared/contract';
import { Rng } from '../../src-main/engine/rng';
import { standardNormal } from '../../src-main/engine/toy/distributions';

/** Samples of one latent coordinate under the prior the engine uses: N(0, 1) or U[-1, 1]. */
export function priorSamples(prior: Prior, count: number, seed = 7): number[] {
  // Seeded, so the preview looks the same on every render.
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => (prior === 'uniform' ? rng.next() * 2 - 1 : standardNormal(rng)));
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

export const PRIOR_TEXT: Record<Prior, string> = {
  normal: 'Normal: each of the latent numbers is drawn from a bell curve around 0 (most near 0, a few far out).',
  uniform: 'Uniform: each latent number is equally likely anywhere between −1 and 1, with hard edges.',
};

/**
 * The generator's loss as a function of D(G(z)) (THEORY.md §4):
 * MMGAN minimises log(1 − D), flat near D = 0 where training starts (it saturates);
 * NSGAN minimises −log D, steep there, so the generator gets a strong signal early.
 */
export function generatorLoss(loss: Extract<GeneratorLossName, 'mm' | 'ns'>, d: number): number {
  return loss === 'mm' ? Math.log(1 - d) : -Math.log(d);
}

/** Points of one loss curve over D ∈ (0, 1), denser near the ends where the curves bend. */
export function lossCurve(loss: Extract<GeneratorLossName, 'mm' | 'ns'>, points = 120): Array<{ d: number; value: number }> {
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
export function lossSlope(loss: Extract<GeneratorLossName, 'mm' | 'ns'>, d: number): number {
  return loss === 'mm' ? 1 / (1 - d) : 1 / d;
}

export const LOSS_TEXT: Record<'mm' | 'ns', string> = {
  mm: 'MMGAN (minimax): G minimises log(1 − D(G(z))). Early on D(G(z)) ≈ 0, where this curve is flat, so G learns slowly.',
  ns: 'NSGAN (non-saturating): G minimises −log D(G(z)). Same goal, but steep near 0, so G gets a strong push early.',
};

/** log 2 in nats: the JSD ceiling, reached when D tells real from generated perfectly. */
export const LOG2 = Math.LN2;
