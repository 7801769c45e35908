import type { AugmentName, RunConfig } from './config';
import { modelConfigErrors } from './models';

export const AUGMENT_NAMES: readonly AugmentName[] = ['flip', 'translation', 'cutout', 'color'];

/** Starting points that train on a CPU in reasonable time (DESIGN.md, "Models we know work"). */
export function defaultRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  const size = overrides.size ?? 64;
  const config: RunConfig = {
    arch: 'dcgan',
    size,
    width: 32,
    latent: 128,
    steps: 5000,
    batch: 32,
    loss: 'ns',
    k: 1,
    prior: 'normal',
    lrD: 2e-4,
    lrG: 2e-4,
    beta1: 0.5,
    beta2: 0.999,
    replay: 0,
    ema: 0.999,
    augment: [],
    seed: 1,
    sampleEvery: 100,
    checkpointEvery: 500,
    data: { folders: [], settings: { size, mode: 'crop', background: '#ffffff' } },
    ...overrides,
  };
  config.data = { ...config.data, settings: { ...config.data.settings, size: config.size } };
  return config;
}

/** Every reason the configuration cannot train, as one-line messages; empty when it is fine. */
export function runConfigErrors(config: RunConfig): string[] {
  const errors = [...modelConfigErrors(config)];
  const positiveInt = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 1) errors.push(`${name} must be a positive integer, got ${value}`);
  };
  positiveInt('steps', config.steps);
  positiveInt('batch', config.batch);
  positiveInt('k', config.k);
  positiveInt('sampleEvery', config.sampleEvery);
  positiveInt('checkpointEvery', config.checkpointEvery);
  if (!['mm', 'ns', 'hinge', 'ls'].includes(config.loss)) errors.push(`loss must be mm, ns, hinge or ls, got ${config.loss}`);
  if (!['normal', 'uniform'].includes(config.prior)) errors.push(`prior must be normal or uniform, got ${config.prior}`);
  if (!['dcgan', 'dcgan-ref'].includes(config.arch)) errors.push(`arch must be dcgan or dcgan-ref, got ${config.arch}`);
  for (const [name, value] of [
    ['lrD', config.lrD],
    ['lrG', config.lrG],
  ] as const) {
    if (!(value > 0 && value < 1)) errors.push(`${name} must be in (0, 1), got ${value}`);
  }
  for (const [name, value] of [
    ['beta1', config.beta1],
    ['beta2', config.beta2],
    ['ema', config.ema],
  ] as const) {
    if (!(value >= 0 && value < 1)) errors.push(`${name} must be in [0, 1), got ${value}`);
  }
  if (!(config.replay >= 0 && config.replay <= 1)) errors.push(`replay must be a fraction in [0, 1], got ${config.replay}`);
  for (const name of config.augment) {
    if (!AUGMENT_NAMES.includes(name)) errors.push(`unknown augmentation "${name}" (known: ${AUGMENT_NAMES.join(', ')})`);
  }
  if (!Number.isInteger(config.seed) || config.seed < 0 || config.seed >= 2 ** 32) {
    errors.push(`seed must be an integer in [0, 2^32), got ${config.seed}`);
  }
  return errors;
}
