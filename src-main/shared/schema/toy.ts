/**
 * The playground's toy GAN (issue 6): every knob once, with the defaults `gan-studio toy` measured on ring8
 * and grid25 (see the engine's toy-gan for why these values). The playground's controls and the `toy`
 * command's flags read labels, help, bounds and defaults from here.
 */
import { LOSS, LOSS_CHOICES, PRIOR, PRIOR_CHOICES } from './names';
import { choice, defaultsOf, integer, number, type AnyOption, type OptionValue } from './option';

export const ACTIVATION_CHOICES = {
  relu: { label: 'ReLU', help: 'max(0, x)' },
  leakyRelu: { label: 'Leaky ReLU', help: 'max(0.2x, x)' },
  tanh: { label: 'tanh', help: 'smooth, saturating' },
  elu: { label: 'ELU', help: 'smooth below 0' },
} as const;

export const OPTIMIZER_CHOICES = {
  adam: { label: 'Adam', help: 'adaptive steps (β1, β2)' },
  sgd: { label: 'SGD', help: 'plain gradient steps' },
} as const;

export const TOY_OPTIONS = {
  noiseDim: integer({ label: 'Noise dim', help: 'size of the latent z', default: 2, min: 1, max: 64, group: 'toy', shape: true }),
  generatorDepth: integer({ label: 'G depth', help: "hidden layers of the generator", default: 3, min: 0, max: 8, group: 'toy', shape: true, flag: 'g-depth' }),
  generatorWidth: integer({ label: 'G width', help: "hidden units per layer of the generator", default: 128, min: 1, max: 512, group: 'toy', shape: true, flag: 'g-width' }),
  discriminatorDepth: integer({ label: 'D depth', help: 'hidden layers of the discriminator', default: 3, min: 0, max: 8, group: 'toy', shape: true, flag: 'd-depth' }),
  discriminatorWidth: integer({ label: 'D width', help: 'hidden units per layer of the discriminator', default: 128, min: 1, max: 512, group: 'toy', shape: true, flag: 'd-width' }),
  activation: choice(ACTIVATION_CHOICES, { label: 'Activation', help: 'hidden activation of both networks', default: 'relu', group: 'toy', shape: true }),
  prior: choice(PRIOR_CHOICES, { label: 'Prior', help: 'noise prior', default: PRIOR.normal, group: 'toy', resume: true }),
  loss: choice(LOSS_CHOICES, { label: 'Loss', help: 'generator loss', default: LOSS.ns, group: 'toy', resume: true }),
  k: integer({ label: 'k (D steps)', help: 'discriminator steps per iteration', default: 1, min: 1, max: 20, group: 'toy', resume: true }),
  generatorSteps: integer({ label: 'G steps', help: 'generator steps per iteration', default: 1, min: 1, max: 20, group: 'toy', resume: true, flag: 'g-steps' }),
  optimizer: choice(OPTIMIZER_CHOICES, { label: 'Optimiser', help: 'optimiser of both networks', default: 'adam', group: 'toy', shape: true }),
  lrD: number({ label: 'lr D', help: "the discriminator's learning rate", default: 2e-3, min: 0, max: 10, minExclusive: true, group: 'toy', resume: true }),
  lrG: number({ label: 'lr G', help: "the generator's learning rate", default: 2e-3, min: 0, max: 10, minExclusive: true, group: 'toy', resume: true }),
  beta1: number({ label: 'Adam β1', help: "Adam's first-moment decay", default: 0.5, min: 0, max: 1, maxExclusive: true, group: 'toy' }),
  beta2: number({ label: 'Adam β2', help: "Adam's second-moment decay", default: 0.999, min: 0, max: 1, maxExclusive: true, group: 'toy' }),
  batch: integer({ label: 'Batch', help: 'real samples per D step (and as many generated)', default: 512, min: 1, max: 4096, group: 'toy', resume: true }),
  replay: number({ label: 'Replay fraction', help: "fraction of D's generated batch from the replay buffer (0 = off)", default: 0, min: 0, max: 1, group: 'toy', resume: true }),
  replayCapacity: integer({ label: 'Replay capacity', help: 'past generator samples kept for replay', default: 10_000, min: 1, max: 1_000_000, group: 'toy', shape: true }),
  pack: integer({ label: 'Packing', help: 'PacGAN packing: D judges m samples at once (1 = plain GAN; batch must divide by it)', default: 1, min: 1, max: 16, group: 'toy', shape: true }),
  instanceNoise: number({ label: 'Instance noise σ', help: "noise on D's inputs, × the data's scale (0 = off)", default: 0.1, min: 0, max: 10, group: 'toy', resume: true }),
  ema: number({ label: 'EMA of G', help: "moving average of G's weights for the samples scored (0 = off)", default: 0, min: 0, max: 1, maxExclusive: true, group: 'toy', shape: true }),
  seed: integer({ label: 'Seed', help: 'seed of the run', default: 0, min: 0, max: 2 ** 32 - 1, group: 'toy', shape: true }),
} as const;

export type ToyOptionKey = keyof typeof TOY_OPTIONS;
export type ToyGanConfig = ReturnType<typeof defaultsOf<typeof TOY_OPTIONS>>;
export type Activation = OptionValue<typeof TOY_OPTIONS.activation>;
export type ToyOptimizer = OptionValue<typeof TOY_OPTIONS.optimizer>;

export const DEFAULT_TOY_CONFIG: ToyGanConfig = defaultsOf(TOY_OPTIONS);

/**
 * The options a running toy GAN takes at its next step (the playground applies them as they change):
 * the `resume` ones, which change how a step is taken but nothing the networks or optimisers hold.
 * Every other option (network shapes, activation, optimiser, Adam's betas, packing, EMA, replay
 * capacity, seed) needs new networks: the playground's "Apply and reset".
 */
export const TOY_LIVE_KEYS: readonly ToyOptionKey[] = (Object.keys(TOY_OPTIONS) as ToyOptionKey[]).filter(
  (key) => (TOY_OPTIONS[key] as AnyOption).resume === true,
);

/** Whether a running toy GAN takes this option at its next step (see TOY_LIVE_KEYS). */
export function isLiveToyOption(key: ToyOptionKey): boolean {
  return TOY_LIVE_KEYS.includes(key);
}

/** Run-level settings of `gan-studio toy` (not part of a ToyGan). */
export const TOY_RUN_OPTIONS = {
  decay: choice(
    {
      none: { label: 'None', help: 'constant learning rates' },
      linear: { label: 'Linear', help: 'constant, then to 0 over the settling phase' },
    },
    { label: 'Learning-rate schedule', help: 'learning-rate schedule (linear: constant, then to 0 over the settling phase)', default: 'linear', group: 'toy-run' },
  ),
  settle: number({ label: 'Settling share', help: 'share of the run at the end without instance noise, with decaying learning rates', default: 0.6, min: 0, max: 1, group: 'toy-run' }),
} as const;

export type LearningRateDecay = OptionValue<typeof TOY_RUN_OPTIONS.decay>;

/** `gan-studio toy` shorthands that set a pair of options at once (an explicit --lr-d etc. wins). */
export const TOY_SHORTHANDS = {
  lr: {
    sets: ['lrD', 'lrG'],
    option: number({ label: 'Learning rate', help: 'learning rate of both networks', default: TOY_OPTIONS.lrD.default, min: 0, max: 10, minExclusive: true, group: 'toy' }),
  },
  width: {
    sets: ['generatorWidth', 'discriminatorWidth'],
    option: integer({ label: 'Width', help: 'hidden units per layer of both networks', default: TOY_OPTIONS.generatorWidth.default, min: 1, max: 512, group: 'toy' }),
  },
  depth: {
    sets: ['generatorDepth', 'discriminatorDepth'],
    option: integer({ label: 'Depth', help: 'hidden layers of both networks', default: TOY_OPTIONS.generatorDepth.default, min: 0, max: 8, group: 'toy' }),
  },
} as const satisfies Record<string, { sets: readonly ToyOptionKey[]; option: AnyOption }>;
