/**
 * The closed sets the theory names — generator losses, priors, architectures, augmentations — with each
 * value's label and help. These are the only place the values are spelled; code that branches on one uses the
 * typed constants below (LOSS.mm, PRIOR.uniform, ...), never a string of its own.
 */
import type { ChoiceInfo } from './option';

/** Generator losses (THEORY.md §4; hinge: Lim & Ye 2017; least squares: Mao et al. 2017). */
export const LOSS_CHOICES = {
  mm: {
    label: 'MMGAN',
    help: 'MMGAN (minimax): G minimises log(1 − D(G(z))). Early on D(G(z)) ≈ 0, where this curve is flat, so G learns slowly.',
    formula: 'log(1 − D(G(z)))',
    probabilistic: true,
  },
  ns: {
    label: 'NSGAN',
    help: 'NSGAN (non-saturating): G minimises −log D(G(z)). Same goal, but steep near 0, so G gets a strong push early.',
    formula: '−log D(G(z))',
    probabilistic: true,
  },
  hinge: {
    label: 'Hinge',
    help: 'Hinge (SAGAN, BigGAN): D is pushed to score real images above +1 and fakes below −1; G raises its score on fakes.',
    formula: '−D(G(z))',
    probabilistic: false,
  },
  ls: {
    label: 'Least squares',
    help: 'Least squares (LSGAN): D regresses real images to 1 and fakes to 0; G pulls its fakes toward 1. Smooth, never saturates.',
    formula: '½ (D(G(z)) − 1)²',
    probabilistic: false,
  },
} as const satisfies Record<string, ChoiceInfo & { formula: string; probabilistic: boolean }>;

export type GeneratorLossName = keyof typeof LOSS_CHOICES;

/** Latent priors (THEORY.md §2): which is better is the lecture's open question, so both are offered. */
export const PRIOR_CHOICES = {
  normal: {
    label: 'Normal',
    help: 'Normal: each of the latent numbers is drawn from a bell curve around 0 (most near 0, a few far out).',
    formula: 'N(0, I)',
  },
  uniform: {
    label: 'Uniform',
    help: 'Uniform: each latent number is equally likely anywhere between −1 and 1, with hard edges.',
    formula: 'U[−1, 1]',
  },
} as const satisfies Record<string, ChoiceInfo & { formula: string }>;

export type Prior = keyof typeof PRIOR_CHOICES;

/**
 * Architectures. `startSides`: the generator starts from a startSide × startSide map and doubles it, so a
 * size must be startSide · 2^n (32, 64, 128 from 4; 48, 96 from 6). `minSize`, `maxSize`: the sides it is
 * made for, in px.
 */
export const ARCH_CHOICES = {
  dcgan: {
    label: 'DCGAN',
    help: 'DCGAN (Radford et al. 2016) with channels capped at 8 × width, so 128 px stays trainable on a CPU',
    startSides: [4, 6],
    minSize: 16,
    maxSize: 1024,
  },
  'dcgan-ref': {
    label: 'DCGAN (reference)',
    help: 'exactly the PyTorch reference network of the speed benchmark (../shared/bench): powers of two only',
    startSides: [4],
    minSize: 16,
    maxSize: 1024,
  },
  lite: {
    label: 'Lite (few-shot)',
    help: 'after FastGAN (Liu et al. 2021), for small sets: G with skip-layer excitation, D that also learns to redraw real images from its own features',
    startSides: [4],
    minSize: 32,
    maxSize: 256,
  },
} as const satisfies Record<string, ChoiceInfo & { startSides: readonly number[]; minSize: number; maxSize: number }>;

export type Architecture = keyof typeof ARCH_CHOICES;

/** DiffAugment-style operations (Zhao et al. 2020), applied to real and generated images before D. */
export const AUGMENT_CHOICES = {
  flip: { label: 'Flip', help: 'mirror images left–right' },
  translation: { label: 'Shift', help: 'move images by a few pixels' },
  cutout: { label: 'Cutout', help: 'blank out a random square' },
  color: { label: 'Colour', help: 'jitter brightness, saturation and contrast' },
} as const satisfies Record<string, ChoiceInfo>;

export type AugmentName = keyof typeof AUGMENT_CHOICES;

/** `{ mm: 'mm', ns: 'ns', … }`: a set's values as typed constants. */
function constants<K extends string>(choices: Record<K, unknown>): { readonly [P in K]: P } {
  return Object.fromEntries(Object.keys(choices).map((k) => [k, k])) as { readonly [P in K]: P };
}

export const LOSS = constants(LOSS_CHOICES);
export const PRIOR = constants(PRIOR_CHOICES);
export const ARCH = constants(ARCH_CHOICES);
export const AUGMENT = constants(AUGMENT_CHOICES);

export const LOSS_NAMES = Object.keys(LOSS_CHOICES) as GeneratorLossName[];
export const PRIOR_NAMES = Object.keys(PRIOR_CHOICES) as Prior[];
export const ARCH_NAMES = Object.keys(ARCH_CHOICES) as Architecture[];
export const AUGMENT_NAMES = Object.keys(AUGMENT_CHOICES) as AugmentName[];

/**
 * Whether `size` is an image side the architecture can generate: startSide · 2^n with at least two
 * up-samplings (16 px and up from 4, 24 px and up from 6), within the architecture's minSize … maxSize.
 */
export function supportsSize(arch: Architecture, size: number): boolean {
  const { minSize, maxSize } = ARCH_CHOICES[arch];
  if (size < minSize || size > maxSize) return false;
  return ARCH_CHOICES[arch].startSides.some((side) => {
    const ratio = size / side;
    return Number.isInteger(ratio) && ratio >= 4 && (ratio & (ratio - 1)) === 0;
  });
}

/** The sides the architecture supports within [min, max], ascending: the Resolution choices of the form. */
export function supportedSizes(arch: Architecture, min = 32, max = 128): number[] {
  const sizes: number[] = [];
  for (let size = min; size <= max; size += 8) if (supportsSize(arch, size)) sizes.push(size);
  return sizes;
}
