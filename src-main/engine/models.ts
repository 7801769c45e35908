import * as tf from '@tensorflow/tfjs';
import type { Architecture } from './config';
import { Rng } from './rng';

export interface ModelConfig {
  arch: Architecture;
  size: number;
  width: number;
  latent: number;
}

/** Image sides the DCGAN family supports: 4·2^n (32, 64, 128, ...) or 6·2^n (48, 96, 192, ...). */
export function startSide(arch: Architecture, size: number): number {
  const isPow2 = (n: number) => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
  if (size >= 16 && isPow2(size / 4)) return 4;
  // 96 = 6·16: starting from 6×6 keeps the same number of up-samplings as 64 px.
  if (arch === 'dcgan' && size >= 24 && isPow2(size / 6)) return 6;
  throw new Error(
    arch === 'dcgan-ref'
      ? `dcgan-ref needs a power-of-two size of at least 16, got ${size}`
      : `image size ${size} is not supported: use 32, 64, 96 or 128`,
  );
}

/** Reasons a model configuration cannot be built, empty when it can. */
export function modelConfigErrors(config: ModelConfig): string[] {
  const errors: string[] = [];
  try {
    startSide(config.arch, config.size);
  } catch (error) {
    errors.push((error as Error).message);
  }
  if (!Number.isInteger(config.width) || config.width < 1) errors.push(`width must be a positive integer, got ${config.width}`);
  if (!Number.isInteger(config.latent) || config.latent < 1) errors.push(`latent must be a positive integer, got ${config.latent}`);
  return errors;
}

/** Channel counts of the generator: the dense layer's output channels, then each transposed conv's. */
export function generatorChannels(config: ModelConfig): { start: number; side: number; stages: number[] } {
  const side = startSide(config.arch, config.size);
  const ups = Math.round(Math.log2(config.size / side));
  // dcgan-ref follows the reference exactly (C0 = W·S/8); dcgan caps channels at 8·W so 128 px stays trainable on a CPU.
  const cap = config.arch === 'dcgan-ref' ? Infinity : 8 * config.width;
  const start = config.arch === 'dcgan-ref' ? (config.width * config.size) / 8 : Math.min(cap, config.width * 2 ** (ups - 1));
  const stages: number[] = [];
  let c = start;
  for (let i = 0; i < ups - 1; i++) {
    c = config.arch === 'dcgan-ref' ? c / 2 : Math.min(cap, config.width * 2 ** (ups - 2 - i));
    stages.push(c);
  }
  stages.push(3);
  return { start, side, stages };
}

/** DCGAN's N(0, 0.02) initialisation, seeded so the same run seed builds the same networks. */
function init(rng: Rng): ReturnType<typeof tf.initializers.randomNormal> {
  return tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: rng.seed() });
}

/** Batch norm with PyTorch's defaults (momentum 0.1 there is 0.9 here), as in the reference. */
function batchNorm(): tf.layers.Layer {
  return tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
}

/** Transposed-conv generator with batch norm and ReLU, tanh output in [-1, 1]. */
export function buildGenerator(config: ModelConfig, rng: Rng = new Rng(1)): tf.Sequential {
  const { start, side, stages } = generatorChannels(config);
  const model = tf.sequential({ name: 'generator' });
  model.add(
    tf.layers.dense({
      inputShape: [config.latent],
      units: side * side * start,
      useBias: false,
      kernelInitializer: init(rng),
    }),
  );
  model.add(batchNorm());
  model.add(tf.layers.reLU());
  model.add(tf.layers.reshape({ targetShape: [side, side, start] }));
  stages.forEach((filters, i) => {
    const last = i === stages.length - 1;
    model.add(
      tf.layers.conv2dTranspose({
        filters,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        useBias: last,
        kernelInitializer: init(rng),
      }),
    );
    if (last) {
      model.add(tf.layers.activation({ activation: 'tanh' }));
    } else {
      model.add(batchNorm());
      model.add(tf.layers.reLU());
    }
  });
  return model;
}

/** Strided-conv discriminator with leaky ReLU; one logit per image. */
export function buildDiscriminator(config: ModelConfig, rng: Rng = new Rng(2)): tf.Sequential {
  const side = startSide(config.arch, config.size);
  const cap = config.arch === 'dcgan-ref' ? Infinity : 8 * config.width;
  const model = tf.sequential({ name: 'discriminator' });
  model.add(
    tf.layers.conv2d({
      inputShape: [config.size, config.size, 3],
      filters: config.width,
      kernelSize: 4,
      strides: 2,
      padding: 'same',
      useBias: true,
      kernelInitializer: init(rng),
    }),
  );
  model.add(tf.layers.leakyReLU({ alpha: 0.2 }));
  let s = config.size / 2;
  let c = config.width;
  while (s > side) {
    c = Math.min(cap, 2 * c);
    model.add(
      tf.layers.conv2d({ filters: c, kernelSize: 4, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(rng) }),
    );
    model.add(batchNorm());
    model.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    s /= 2;
  }
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 1, kernelInitializer: init(rng) }));
  return model;
}

/** Trainable parameters, as PyTorch counts them (batch-norm running statistics excluded). */
export function countTrainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}
