import { LOSS, LOSS_CHOICES, type GeneratorLossName } from '../../src-main/shared/schema';
import { formatMetric } from './format';

/** σ(x) = 1 / (1 + e^−x): a logit as a probability in (0, 1). */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** A probability to two decimals; the ends read "<0.01" and ">0.99" rather than a rounded 0 or 1 D never says. */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p)) return '—';
  if (p < 0.005) return '<0.01';
  if (p > 0.995) return '>0.99';
  return p.toFixed(2);
}

/**
 * How one image ranked by the discriminator is labelled ("Best by discriminator", Generate). For the
 * losses whose D outputs a probability (MMGAN, NSGAN: D = σ(logit)) the label is that probability; for
 * the others (hinge, least squares) D's output is a raw score, so the label is the rank (1 = most
 * real-looking to D) and the score. `title`: the longer tooltip.
 */
export function dScoreLabel(loss: GeneratorLossName, score: number, rank: number): { label: string; title: string } {
  if (LOSS_CHOICES[loss].probabilistic) {
    const p = formatProbability(sigmoid(score));
    return { label: p, title: `D finds this image real with probability ${p} (σ of its logit ${formatMetric(score)})` };
  }
  return { label: `#${rank} · ${formatMetric(score)}`, title: `Rank ${rank} by D's raw ${LOSS_CHOICES[loss].label} score ${formatMetric(score)}: higher looks more real to D` };
}

/** The one line above ranked images: what their numbers mean for the run's loss. */
export function dScoreExplanation(loss: GeneratorLossName): string {
  if (LOSS_CHOICES[loss].probabilistic) {
    return 'How real D finds each image: its probability σ(logit) of being a training image (near 1: real to D; near 0: a fake).';
  }
  const target = loss === LOSS.hinge ? 'at least +1 for real images and at most −1 for fakes' : loss === LOSS.ls ? '1 for real images and 0 for fakes' : 'higher for real images';
  return `How real D finds each image: ${LOSS_CHOICES[loss].label} D gives a raw score, not a probability (it aims at ${target}); each image shows its rank among those kept (#1 looks most real to D) and its score.`;
}
