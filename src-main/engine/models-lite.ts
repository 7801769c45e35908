/**
 * The "lite" architecture for small image sets, after FastGAN (Liu et al. 2021, "Towards Faster and
 * Stabilized GAN Training for High-fidelity Few-shot Image Synthesis", §3.1–3.2), kept narrow so that
 * it trains on a CPU:
 *
 * - G: a dense layer to a 4×4 map, then up-sampling blocks (nearest ×2, conv 3×3, batch norm,
 *   activation), and skip-layer excitation (SLE): a low-resolution map, average-pooled to 4×4,
 *   conv 4×4 → LeakyReLU(0.1) → conv 1×1 → sigmoid, gates the channels of a map three blocks later
 *   (8×8 gates 64×64, 16×16 gates 128×128, 32×32 gates 256×256; at 32 px, 8×8 gates 32×32).
 *   A conv 3×3 and tanh make the RGB image.
 * - D: DCGAN's stride-2 blocks down to 4×4 and one logit, plus a small decoder that redraws the real
 *   image at 32×32 from D's own 8×8 features; the L1 reconstruction error on real images is added to
 *   D's loss with weight 1 (the paper's self-supervised regularisation, without its perceptual loss and
 *   its cropped-part decoder).
 *
 * Every layer is a stock tfjs layer, so the exported generator loads with tf.loadLayersModel alone.
 */
import * as tf from '@tensorflow/tfjs';
import { ARCH_CHOICES, supportsSize } from '../shared/schema';
import { batchNorm, init, type ModelConfig } from './models';
import type { Rng } from './rng';

/** A feature map: its side in px and its channels. */
export interface LiteMap {
  side: number;
  channels: number;
}

/** The layout of the lite networks for one configuration: what the builders build, and memory.ts counts. */
export interface LitePlan {
  /** G's maps, from the 4×4 map made by the dense layer to the size × size map before the RGB conv. */
  generator: LiteMap[];
  /** Skip-layer excitations: the G map of side `from` gates the channels of the G map of side `to`. */
  excitations: Array<{ from: number; to: number }>;
  /** D's maps after each stride-2 conv, from size/2 down to 4×4 (the 8×8 one feeds the decoder). */
  discriminator: LiteMap[];
  /** The decoder's maps after each up-sampling block, from D's 8×8 features to 32×32. */
  decoder: LiteMap[];
}

/** Side of D's features that the decoder redraws from, and of the image it redraws. */
export const LITE_FEATURE_SIDE = 8;
export const LITE_RECONSTRUCTION_SIDE = 32;
/** Weight of the reconstruction loss in D's loss (the paper's 1). */
export const LITE_RECONSTRUCTION_WEIGHT = 1;
/** Name of the layer whose output is D's 8×8 features: the decoder starts there. */
const FEATURES_LAYER = 'lite_d_features';

/**
 * The lite networks' maps for a size the architecture supports (32, 64, 128, 256 px). G's channels
 * halve as the side doubles: the map at side s has min(8w, w·size/(2s)) channels, w/2 (at least 1)
 * at full size; D's follow DCGAN's (w at size/2, doubling, capped at 8w). Throws for another size.
 */
export function litePlan(config: ModelConfig): LitePlan {
  const { size, width } = config;
  if (!supportsSize(config.arch, size) || !ARCH_CHOICES[config.arch].startSides.includes(4)) {
    throw new Error(`${ARCH_CHOICES[config.arch]?.label ?? config.arch} cannot make ${size} px images`);
  }
  const generator: LiteMap[] = [];
  for (let side = 4; side <= size; side *= 2) {
    generator.push({ side, channels: side === size ? Math.max(1, Math.ceil(width / 2)) : Math.min(8 * width, (width * size) / (2 * side)) });
  }
  const excitations = [8, 16, 32].filter((from) => 8 * from <= size).map((from) => ({ from, to: 8 * from }));
  if (excitations.length === 0) excitations.push({ from: 8, to: size });
  const discriminator: LiteMap[] = [];
  for (let side = size / 2, channels = width; side >= 4; side /= 2, channels = Math.min(8 * width, 2 * channels)) {
    discriminator.push({ side, channels });
  }
  const decoder: LiteMap[] = [
    { side: 16, channels: width },
    { side: 32, channels: Math.max(1, Math.ceil(width / 2)) },
  ];
  return { generator, excitations, discriminator, decoder };
}

/**
 * Batch norm then ReLU, as in DCGAN's G. The paper's GLU needs two convs per block: it made a lite
 * iteration take about 1.5× the CPU time (32 px, width 32, batch 32, wasm on 2 threads).
 */
function normAct(x: tf.SymbolicTensor): tf.SymbolicTensor {
  return tf.layers.reLU().apply(batchNorm().apply(x)) as tf.SymbolicTensor;
}

/** Nearest-neighbour ×2, conv 3×3, batch norm, ReLU. */
function upBlock(x: tf.SymbolicTensor, channels: number, rng: Rng): tf.SymbolicTensor {
  const up = tf.layers.upSampling2d({ size: [2, 2], interpolation: 'nearest' }).apply(x) as tf.SymbolicTensor;
  const conv = tf.layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(rng) });
  return normAct(conv.apply(up) as tf.SymbolicTensor);
}

/**
 * Skip-layer excitation: `target` (N, t, t, c) times a per-channel gate in (0, 1) computed from
 * `source` (N, s, s, c'): average pool to 4×4, conv 4×4 (valid) → 1×1×c, LeakyReLU(0.1), conv 1×1, sigmoid.
 */
function excite(source: tf.SymbolicTensor, target: tf.SymbolicTensor, channels: number, rng: Rng): tf.SymbolicTensor {
  const side = source.shape[1]!;
  let gate = source;
  if (side > 4) gate = tf.layers.averagePooling2d({ poolSize: side / 4, strides: side / 4 }).apply(gate) as tf.SymbolicTensor;
  gate = tf.layers.conv2d({ filters: channels, kernelSize: 4, padding: 'valid', useBias: false, kernelInitializer: init(rng) }).apply(gate) as tf.SymbolicTensor;
  gate = tf.layers.leakyReLU({ alpha: 0.1 }).apply(gate) as tf.SymbolicTensor;
  gate = tf.layers.conv2d({ filters: channels, kernelSize: 1, useBias: false, kernelInitializer: init(rng) }).apply(gate) as tf.SymbolicTensor;
  gate = tf.layers.activation({ activation: 'sigmoid' }).apply(gate) as tf.SymbolicTensor;
  return tf.layers.multiply().apply([target, gate]) as tf.SymbolicTensor;
}

/** Conv 3×3 to RGB with bias, then tanh: images in [-1, 1]. */
function toRgb(x: tf.SymbolicTensor, rng: Rng): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', useBias: true, kernelInitializer: init(rng) });
  return tf.layers.activation({ activation: 'tanh' }).apply(conv.apply(x)) as tf.SymbolicTensor;
}

/** The lite generator: z (N, latent) → images (N, size, size, 3) in [-1, 1]. */
export function buildLiteGenerator(config: ModelConfig, rng: Rng): tf.LayersModel {
  const plan = litePlan(config);
  const z = tf.input({ shape: [config.latent] });
  const [first, ...rest] = plan.generator;
  const dense = tf.layers.dense({ units: 16 * first.channels, useBias: false, kernelInitializer: init(rng) }).apply(z) as tf.SymbolicTensor;
  let x = normAct(tf.layers.reshape({ targetShape: [4, 4, first.channels] }).apply(dense) as tf.SymbolicTensor);
  const maps = new Map<number, tf.SymbolicTensor>([[4, x]]);
  for (const { side, channels } of rest) {
    x = upBlock(x, channels, rng);
    for (const { from, to } of plan.excitations) if (to === side) x = excite(maps.get(from)!, x, channels, rng);
    maps.set(side, x);
  }
  return tf.model({ inputs: z, outputs: toRgb(x, rng), name: 'generator' });
}

/**
 * The lite discriminator: images (N, size, size, 3) → one logit each (N, 1). Its 8×8 features feed
 * the decoder of buildLiteDiscriminatorAux.
 */
export function buildLiteDiscriminator(config: ModelConfig, rng: Rng): tf.LayersModel {
  const plan = litePlan(config);
  const image = tf.input({ shape: [config.size, config.size, 3] });
  let x: tf.SymbolicTensor = image;
  plan.discriminator.forEach(({ side, channels }, i) => {
    const first = i === 0;
    x = tf.layers.conv2d({ filters: channels, kernelSize: 4, strides: 2, padding: 'same', useBias: first, kernelInitializer: init(rng) }).apply(x) as tf.SymbolicTensor;
    if (!first) x = batchNorm().apply(x) as tf.SymbolicTensor;
    const name = side === LITE_FEATURE_SIDE ? FEATURES_LAYER : undefined;
    x = tf.layers.leakyReLU({ alpha: 0.2, name }).apply(x) as tf.SymbolicTensor;
  });
  const logit = tf.layers.dense({ units: 1, kernelInitializer: init(rng) }).apply(tf.layers.flatten().apply(x)) as tf.SymbolicTensor;
  return tf.model({ inputs: image, outputs: logit, name: 'discriminator' });
}

/**
 * An architecture's extra term in D's loss on real images. Its own weights (`head`) are trained with
 * D's and saved with them; D's part of the computation shares D's layers.
 */
export interface DiscriminatorAux {
  /** The weights beyond the discriminator's own (lite: the decoder, 8×8×c features → 32×32×3 image). */
  readonly head: tf.LayersModel;
  /**
   * D's logits on `real` (N, size, size, 3) and the auxiliary loss (a weighted scalar), from one
   * forward pass of D, with batch norm in training mode when `training`.
   */
  realPass(real: tf.Tensor4D, training: boolean): { logits: tf.Tensor; loss: tf.Scalar };
  /** Frees the head's weights (D's stay with the discriminator). */
  dispose(): void;
}

/**
 * The decoder on `discriminator`'s (built by buildLiteDiscriminator) 8×8 features and its L1
 * reconstruction loss against the real images average-pooled to 32×32 (FastGAN's L_recons, on real
 * images only, weight LITE_RECONSTRUCTION_WEIGHT).
 */
export function buildLiteDiscriminatorAux(config: ModelConfig, discriminator: tf.LayersModel, rng: Rng): DiscriminatorAux {
  const plan = litePlan(config);
  const features = discriminator.getLayer(FEATURES_LAYER).output as tf.SymbolicTensor;
  // A second view of D's graph that also outputs the features: no weights of its own, so never disposed.
  const trunk = tf.model({ inputs: discriminator.inputs, outputs: [discriminator.outputs[0], features] });
  const input = tf.input({ shape: features.shape.slice(1) as number[] });
  let x: tf.SymbolicTensor = input;
  for (const { channels } of plan.decoder) x = upBlock(x, channels, rng);
  const head = tf.model({ inputs: input, outputs: toRgb(x, rng), name: 'discriminator_decoder' });
  const pool = config.size / LITE_RECONSTRUCTION_SIDE;
  return {
    head,
    realPass(real, training) {
      const [logits, feats] = trunk.apply(real, { training }) as tf.Tensor[];
      const reconstruction = head.apply(feats, { training }) as tf.Tensor4D;
      const target = pool > 1 ? tf.avgPool(real, pool, pool, 'valid') : real;
      const loss = tf.mul(tf.mean(tf.abs(tf.sub(reconstruction, target))), LITE_RECONSTRUCTION_WEIGHT) as tf.Scalar;
      return { logits, loss };
    },
    dispose: () => head.dispose(),
  };
}
