import type { GeneratorLossName } from './losses';
import type { ImportSettings } from '../data/types';

/** Types of a training run (issue 4). The contract re-exports them; define them only here. */
export type Prior = 'normal' | 'uniform';
export type Architecture = 'dcgan' | 'dcgan-ref';
export type AugmentName = 'flip' | 'translation' | 'cutout' | 'color';

export interface RunConfig {
  arch: Architecture;
  size: number;
  /** Base channel count of both networks. */
  width: number;
  latent: number;
  steps: number;
  batch: number;
  loss: GeneratorLossName;
  /** Discriminator updates per generator update (k ≥ 1). */
  k: number;
  prior: Prior;
  lrD: number;
  lrG: number;
  beta1: number;
  beta2: number;
  /** Fraction (0..1) of each generated batch for D drawn from the replay buffer; 0 = off. */
  replay: number;
  /** EMA decay of the generator's weights; 0 = off. */
  ema: number;
  augment: AugmentName[];
  seed: number;
  sampleEvery: number;
  checkpointEvery: number;
  data: { folders: string[]; settings: ImportSettings; datasetId?: string; demo?: boolean };
}

/** One logged training step (THEORY.md §3-4). */
export interface StepMetrics {
  step: number;
  dLoss: number;
  gLoss: number;
  /** mean D(x) on real images */
  dReal: number;
  /** mean D(G(z)) */
  dFake: number;
  /** minibatch estimate of V(G, D) */
  v: number;
  /** clamp((v + 2 log 2) / 2, 0, log 2), nats */
  jsd: number;
  imgPerSec: number;
  /** seconds since the run (or its resumption) started */
  time: number;
}
