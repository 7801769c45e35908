/**
 * Adaptive discriminator augmentation (Karras et al. 2020, "Training Generative Adversarial Networks
 * with Limited Data", StyleGAN2-ADA): the DiffAugment operations are applied to each image D sees
 * with a probability p, and p is steered by the overfitting heuristic r_t = E[sign(D(x_real))]
 * toward a target (the run option `ada`, 0.6 in the paper). After every ADA_INTERVAL discriminator
 * minibatches, p += sign(r_t − target) · (batch · ADA_INTERVAL) / adaImages, clamped to [0, 1]: p can
 * go from 0 to 1 in `adaImages` real images (the paper's 500k suits runs of millions of images; the
 * run schema's default is 100k, so that p can respond within the 64k–256k images of a run here).
 *
 * Pure arithmetic on plain numbers (float64): the same inputs give the same p on every backend, and
 * the state is three numbers a checkpoint stores in its JSON header.
 */
import { AUGMENT, type AugmentName, type RunConfig } from '../shared/schema';

/** Discriminator minibatches between adjustments of p (StyleGAN2-ADA's ada_interval). */
export const ADA_INTERVAL = 4;

/** The paper's target for r_t: the value a remedy turns adaptive augmentation on with. */
export const ADA_TARGET = 0.6;

/** The operations adaptive augmentation steers when the run lists none (DiffAugment's set for small data). */
export const ADA_DEFAULT_OPS: readonly AugmentName[] = [AUGMENT.translation, AUGMENT.cutout, AUGMENT.color];

/** Training state of adaptive augmentation; a checkpoint holds it. */
export interface AdaState {
  /** Probability in [0, 1] that each operation is applied to an image. */
  p: number;
  /** Sum of the per-minibatch r_t since the last adjustment, and how many minibatches it holds. */
  rtSum: number;
  rtBatches: number;
}

export type AdaConfig = Pick<RunConfig, 'ada' | 'adaImages' | 'batch'>;

/** p = 0 and an empty accumulator: a run's start, or a run that turns adaptive augmentation on at resume. */
export function initialAda(): AdaState {
  return { p: 0, rtSum: 0, rtBatches: 0 };
}

/** Whether D's inputs go through an augmentation function at all (always-on or adaptive). */
export function usesAugmentation(config: Pick<RunConfig, 'ada' | 'augment'>): boolean {
  return config.ada > 0 || config.augment.length > 0;
}

/** The operations adaptive augmentation applies with probability p: the run's list, or ADA_DEFAULT_OPS when empty. */
export function adaOperations(config: { readonly augment: readonly AugmentName[] }): AugmentName[] {
  return config.augment.length > 0 ? [...config.augment] : [...ADA_DEFAULT_OPS];
}

/**
 * Feeds the r_t of each discriminator minibatch (mean sign of D's outputs on the real images it saw,
 * in [-1, 1]) in training order; after every ADA_INTERVAL of them p moves one step toward the target
 * and the accumulator restarts. Mutates and returns `state`. A no-op when adaptive augmentation is off.
 */
export function observeRt(state: AdaState, rts: readonly number[], config: AdaConfig): AdaState {
  if (!(config.ada > 0)) return state;
  for (const rt of rts) {
    state.rtSum += rt;
    state.rtBatches += 1;
    if (state.rtBatches >= ADA_INTERVAL) {
      const mean = state.rtSum / state.rtBatches;
      const stepSize = (config.batch * state.rtBatches) / config.adaImages;
      state.p = Math.min(1, Math.max(0, state.p + Math.sign(mean - config.ada) * stepSize));
      state.rtSum = 0;
      state.rtBatches = 0;
    }
  }
  return state;
}

/**
 * Reads the state from a checkpoint's JSON; a missing or malformed entry (checkpoints written before
 * adaptive augmentation existed) gives the initial state.
 */
export function adaFromJson(json: unknown): AdaState {
  const j = json as Partial<AdaState> | null | undefined;
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (!j || !ok(j.p) || !ok(j.rtSum) || !ok(j.rtBatches)) return initialAda();
  return { p: Math.min(1, Math.max(0, j.p)), rtSum: j.rtSum, rtBatches: Math.max(0, Math.floor(j.rtBatches)) };
}
