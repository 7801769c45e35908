import * as tf from '@tensorflow/tfjs';
import { ARCH, ARCH_CHOICES, supportsSize, type Architecture } from '../shared/schema';
import { buildLiteDiscriminator, buildLiteDiscriminatorAux, buildLiteGenerator, type DiscriminatorAux } from './models-lite';
import { Rng } from './rng';
import { SpectralNormalized } from './spectral-norm';

export interface ModelConfig {
  arch: Architecture;
  size: number;
  width: number;
  latent: number;
  /** Spectrally normalised D (spectral-norm.ts), without batch norm; absent: off. */
  spectralNorm?: boolean;
}

/**
 * The side of the generator's first feature map for an image side the architecture supports (run schema:
 * ARCH_CHOICES[arch].startSides, e.g. 4 for 32/64/128 px, 6 for 48/96 px). Throws for an unsupported side.
 */
export function startSide(arch: Architecture, size: number): number {
  if (!supportsSize(arch, size)) throw new Error(`${ARCH_CHOICES[arch]?.label ?? arch} cannot make ${size} px images`);
  // The smallest start side wins: 96 = 6·16 starts from 6×6 with the same number of up-samplings as 64 px.
  return ARCH_CHOICES[arch].startSides.find((side) => Number.isInteger(size / side) && ((size / side) & (size / side - 1)) === 0)!;
}

/** Channel counts of the generator: the dense layer's output channels, then each transposed conv's. */
export function generatorChannels(config: ModelConfig): { start: number; side: number; stages: number[] } {
  const side = startSide(config.arch, config.size);
  const ups = Math.round(Math.log2(config.size / side));
  // dcgan-ref follows the reference exactly (C0 = W·S/8); dcgan caps channels at 8·W so 128 px stays trainable on a CPU.
  const cap = config.arch === ARCH['dcgan-ref'] ? Infinity : 8 * config.width;
  const start = config.arch === ARCH['dcgan-ref'] ? (config.width * config.size) / 8 : Math.min(cap, config.width * 2 ** (ups - 1));
  const stages: number[] = [];
  let c = start;
  for (let i = 0; i < ups - 1; i++) {
    c = config.arch === ARCH['dcgan-ref'] ? c / 2 : Math.min(cap, config.width * 2 ** (ups - 2 - i));
    stages.push(c);
  }
  stages.push(3);
  return { start, side, stages };
}

/** DCGAN's N(0, 0.02) initialisation, seeded so the same run seed builds the same networks. */
export function init(rng: Rng): ReturnType<typeof tf.initializers.randomNormal> {
  return tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: rng.seed() });
}

/** Batch norm with PyTorch's defaults (momentum 0.1 there is 0.9 here), as in the reference. */
export function batchNorm(): tf.layers.Layer {
  return tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
}

/**
 * The architecture's generator, z (N, latent) → images (N, size, size, 3) in [-1, 1]. DCGAN's:
 * transposed convs with batch norm and ReLU, tanh output; lite: models-lite.ts.
 */
export function buildGenerator(config: ModelConfig, rng: Rng = new Rng(1)): tf.LayersModel {
  if (config.arch === ARCH.lite) return buildLiteGenerator(config, rng);
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

/**
 * The architecture's discriminator, images (N, size, size, 3) → one logit each (N, 1). DCGAN's:
 * strided convs with leaky ReLU; lite: models-lite.ts. With config.spectralNorm (DCGAN only) every conv
 * and the dense layer are spectrally normalised and the batch norms are left out (as in SN-GAN: batch
 * norm would rescale each channel again, undoing the normalisation); the convs then have biases.
 */
export function buildDiscriminator(config: ModelConfig, rng: Rng = new Rng(2)): tf.LayersModel {
  if (config.arch === ARCH.lite) return buildLiteDiscriminator(config, rng);
  const side = startSide(config.arch, config.size);
  const cap = config.arch === ARCH['dcgan-ref'] ? Infinity : 8 * config.width;
  const sn = config.spectralNorm === true;
  const conv = (filters: number, useBias: boolean, inputShape?: number[]): tf.layers.Layer =>
    sn
      ? new SpectralNormalized({ kind: 'conv2d', units: filters, kernelSize: 4, strides: 2, useBias, seed: rng.seed(), inputShape })
      : tf.layers.conv2d({ inputShape, filters, kernelSize: 4, strides: 2, padding: 'same', useBias, kernelInitializer: init(rng) });
  const model = tf.sequential({ name: 'discriminator' });
  model.add(conv(config.width, true, [config.size, config.size, 3]));
  model.add(tf.layers.leakyReLU({ alpha: 0.2 }));
  let s = config.size / 2;
  let c = config.width;
  while (s > side) {
    c = Math.min(cap, 2 * c);
    model.add(conv(c, sn));
    if (!sn) model.add(batchNorm());
    model.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    s /= 2;
  }
  model.add(tf.layers.flatten());
  model.add(sn ? new SpectralNormalized({ kind: 'dense', units: 1, useBias: true, seed: rng.seed() }) : tf.layers.dense({ units: 1, kernelInitializer: init(rng) }));
  return model;
}

/**
 * The architecture's extra term in D's loss on real images, built on `discriminator` (from
 * buildDiscriminator with the same config): lite's reconstruction decoder; null for the DCGANs.
 */
export function buildDiscriminatorAux(config: ModelConfig, discriminator: tf.LayersModel, rng: Rng = new Rng(3)): DiscriminatorAux | null {
  return config.arch === ARCH.lite ? buildLiteDiscriminatorAux(config, discriminator, rng) : null;
}

/** Trainable parameters, as PyTorch counts them (batch-norm running statistics excluded). */
export function countTrainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}
