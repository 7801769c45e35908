/**
 * The toy GAN's settings come from the run schema (src-main/shared/schema/toy.ts): every knob, its bounds and
 * the defaults `gan-studio toy` measured on ring8 and grid25 — without instance noise grid25 kept 12–19 of 25
 * modes at any batch and learning rate tried; with it all 25 are found, batch 512 keeps them while the noise
 * fades, and the learning-rate decay is what lifts HQ (20–50% → 75–95%). The playground starts from them too;
 * without a fixed run length it has no schedule, so it keeps the noise unless the user turns it down.
 */
import { describeErrors, objectOf, TOY_OPTIONS, validateWith, type ToyGanConfig } from '../../shared/schema';

export { DEFAULT_TOY_CONFIG, type Activation, type ToyGanConfig, type ToyOptimizer } from '../../shared/schema';

const ToyConfigSchema = objectOf(TOY_OPTIONS);

/** Throws a one-line message naming each field out of range (the run schema's rules), or the packing rule. */
export function validateToyConfig(config: ToyGanConfig): void {
  const checked = validateWith(ToyConfigSchema, config, 'config');
  if (!checked.ok) throw new Error(describeErrors(checked.errors));
  if (config.batch % config.pack !== 0) throw new Error(`batch (${config.batch}) must be a multiple of pack (${config.pack})`);
}
