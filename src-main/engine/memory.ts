/**
 * Memory a run needs, estimated before any work starts, so that a batch, width or image count too
 * large for the compute backend is refused with the limit in one line instead of failing minutes
 * later ("memory access out of bounds" in wasm, "Invalid typed array length" on the cpu backend).
 * Pure arithmetic on the configuration: no tfjs, no node: modules (the host imports it too).
 *
 * The training estimate is fitted to tf.profile's peak tensor bytes of one training iteration on
 * the cpu backend (dcgan and dcgan-ref, 32-128 px, width 4-32, batch 8-32): the peak is about
 * 7.5 bytes-of-float per parameter (weights, Adam's two moments, gradients, update temporaries)
 * plus 5.2 floats per image per layer output of G and D (the forward pass kept for the backward
 * one, its gradients, batch norm's intermediates); the formula below is within +3..+11% of it. lite
 * has factors of its own (PER_ACTIVATION_LITE).
 */
import { ARCH, type AugmentName, type Architecture, type Prior } from '../shared/schema';
import { adaOperations } from './ada';
import { generatorChannels, startSide } from './models';
import { LITE_FEATURE_SIDE, litePlan } from './models-lite';

/** What the networks' size depends on. */
export interface NetworkShape {
  arch: Architecture;
  size: number;
  width: number;
  latent: number;
}

/** What training memory depends on: a RunConfig has all of it. */
export interface TrainingShape extends NetworkShape {
  batch: number;
  replay: number;
  ema: number;
  augment: readonly AugmentName[];
  prior?: Prior;
  /** Adaptive augmentation's target (0 or absent: off); when on it augments like a non-empty `augment`. */
  ada?: number;
  /** R1 penalty weight (0 or absent: off). */
  r1?: number;
}

const FLOAT_BYTES = 4;
/** Fitted (see the module comment): floats per parameter, and per image per layer output. */
const PER_PARAMETER = 7.5;
const PER_ACTIVATION = 5.2;
/**
 * lite's networks keep less per layer output (up-samplings, gates) and its decoder runs on the real
 * half only: fitted the same way on lite at 32–128 px, width 4–16, batch 4–8 (within +4..+15%).
 */
const PER_ACTIVATION_LITE = 4.4;
const PER_AUX_ACTIVATION = 1;
/** Generating runs in inference mode: each layer's output lives until its chunk is done. */
const PER_ACTIVATION_INFERENCE = 1.5;
/**
 * The R1 penalty's double backprop through D on the real batch (r1.ts): measured with tf.profile on the
 * cpu backend (dcgan 32 px, width 8 and 16, batch 8 and 16) at about 16 more floats per image per D layer
 * output on the steps that compute it, most of it batch norm's gradient graph kept for its own gradient.
 */
const PER_ACTIVATION_R1 = 16;
/** Images generated per chunk at most: larger chunks gain nothing in speed. */
export const MAX_GENERATION_CHUNK = 256;

export interface NetworkLayout {
  /** Trainable parameters (as countTrainableParams counts them). */
  generatorParams: number;
  discriminatorParams: number;
  /** Floats of every layer's output for one image, summed (as the layers' outputShape gives them). */
  generatorActivations: number;
  discriminatorActivations: number;
  /** Floats per real image of the outputs of D's auxiliary head (lite's decoder); 0 without one. */
  auxActivations: number;
  /** Floats per image of the largest single layer output of either network. */
  largestActivation: number;
}

/**
 * Parameter and activation counts of buildGenerator/buildDiscriminator, without building them; D's
 * include its auxiliary head's (buildDiscriminatorAux: lite's decoder), which trains with it.
 */
export function networkLayout(shape: NetworkShape): NetworkLayout {
  if (shape.arch === ARCH.lite) return liteLayout(shape);
  const { start, side, stages } = generatorChannels(shape);
  // The first batch norm normalises each of the dense layer's side²·start outputs.
  let generatorParams = (shape.latent + 2) * side * side * start;
  let generatorActivations = 4 * side * side * start; // dense, batch norm, ReLU, reshape
  let largestActivation = side * side * start;
  let s = side;
  let c = start;
  stages.forEach((filters, i) => {
    const last = i === stages.length - 1;
    s *= 2;
    generatorParams += 16 * c * filters + (last ? filters : 2 * filters);
    generatorActivations += (last ? 2 : 3) * s * s * filters; // conv, batch norm + ReLU or tanh
    largestActivation = Math.max(largestActivation, s * s * filters);
    c = filters;
  });

  const cap = shape.arch === 'dcgan-ref' ? Infinity : 8 * shape.width;
  const dSide = startSide(shape.arch, shape.size);
  s = shape.size / 2;
  c = shape.width;
  let discriminatorParams = 16 * 3 * c + c;
  let discriminatorActivations = 2 * s * s * c; // conv, leaky ReLU
  largestActivation = Math.max(largestActivation, s * s * c);
  while (s > dSide) {
    const next = Math.min(cap, 2 * c);
    s /= 2;
    discriminatorParams += 16 * c * next + 2 * next;
    discriminatorActivations += 3 * s * s * next;
    largestActivation = Math.max(largestActivation, s * s * next);
    c = next;
  }
  discriminatorParams += s * s * c + 1;
  discriminatorActivations += s * s * c + 1; // flatten, dense
  return { generatorParams, discriminatorParams, generatorActivations, discriminatorActivations, auxActivations: 0, largestActivation };
}

/** networkLayout of the lite networks (models-lite.ts), layer by layer as litePlan lays them out. */
function liteLayout(shape: NetworkShape): NetworkLayout {
  const plan = litePlan(shape);
  let largestActivation = 0;
  /** Adds the floats of layer outputs of side² · channels each; returns their sum. */
  const outputs = (side: number, channels: number, count = 1): number => {
    largestActivation = Math.max(largestActivation, side * side * channels);
    return count * side * side * channels;
  };
  // An up-sampling block: up-sampling, conv 3×3 without bias, batch norm, ReLU.
  const upBlock = (side: number, inChannels: number, outChannels: number) => ({
    params: 9 * inChannels * outChannels + 2 * outChannels,
    activations: outputs(side, inChannels) + outputs(side, outChannels, 3),
  });
  const toRgb = (side: number, inChannels: number) => ({ params: 27 * inChannels + 3, activations: outputs(side, 3, 2) });

  const [first, ...rest] = plan.generator;
  let generatorParams = shape.latent * 16 * first.channels + 2 * first.channels;
  let generatorActivations = outputs(4, first.channels, 4); // dense, reshape, batch norm, ReLU
  let previous = first;
  for (const map of rest) {
    const block = upBlock(map.side, previous.channels, map.channels);
    generatorParams += block.params;
    generatorActivations += block.activations;
    for (const { from, to } of plan.excitations.filter((e) => e.to === map.side)) {
      const source = plan.generator.find((m) => m.side === from)!;
      // Average pool to 4×4 (when larger), conv 4×4, LeakyReLU, conv 1×1, sigmoid, the gating product.
      generatorParams += 16 * source.channels * map.channels + map.channels * map.channels;
      generatorActivations += (from > 4 ? outputs(4, source.channels) : 0) + outputs(1, map.channels, 4) + outputs(map.side, map.channels);
    }
    previous = map;
  }
  const rgb = toRgb(shape.size, previous.channels);
  generatorParams += rgb.params;
  generatorActivations += rgb.activations;

  let discriminatorParams = 0;
  let discriminatorActivations = 0;
  let channels = 3;
  plan.discriminator.forEach((map, i) => {
    // Conv 4×4 stride 2 (with bias on the first, batch norm after the others), LeakyReLU.
    discriminatorParams += 16 * channels * map.channels + (i === 0 ? map.channels : 2 * map.channels);
    discriminatorActivations += outputs(map.side, map.channels, i === 0 ? 2 : 3);
    channels = map.channels;
  });
  discriminatorParams += 16 * channels + 1;
  discriminatorActivations += 16 * channels + 1; // flatten, dense
  // The decoder, from D's 8×8 features.
  let side = LITE_FEATURE_SIDE;
  channels = plan.discriminator.find((m) => m.side === side)!.channels;
  let auxActivations = 0;
  for (const map of plan.decoder) {
    const block = upBlock(map.side, channels, map.channels);
    discriminatorParams += block.params;
    auxActivations += block.activations;
    ({ side, channels } = map);
  }
  const reconstruction = toRgb(side, channels);
  discriminatorParams += reconstruction.params;
  auxActivations += reconstruction.activations;
  return { generatorParams, discriminatorParams, generatorActivations, discriminatorActivations, auxActivations, largestActivation };
}

/** The replay buffer's capacity in images (GanOptions.replayCapacity's default): about 32 MiB, at least 8 batches. */
export function defaultReplayCapacity(shape: { size: number; batch: number }): number {
  const bytes = shape.size * shape.size * 3 * FLOAT_BYTES;
  return Math.max(8 * shape.batch, Math.min(2048, Math.floor((32 * 2 ** 20) / bytes)));
}

export interface MemoryEstimate {
  /** Peak bytes of tensors. */
  bytes: number;
  /** Bytes of the largest single tensor. */
  largestTensor: number;
}

/**
 * Peak extra batch-sized tensors each augmentation operation adds to an iteration (real and generated batch,
 * forward and backward), measured on the cpu backend over sizes 16–64 px with tf.profile's peakBytes against
 * the same run without augmentation, rounded up. Always-on operations (p = 1); adaptive augmentation at its
 * worst p, 0.5, where the blend keeps both the augmented and the plain images. memory.test.ts checks the
 * estimate against real iterations.
 */
const AUGMENT_COPIES = {
  always: { translation: 30, color: 20, flip: 10, cutout: 3 },
  adaptive: { translation: 38, color: 28, flip: 17, cutout: 11 },
} satisfies Record<string, Record<AugmentName, number>>;

/** Peak tensor memory of one training iteration (k discriminator updates run one after another). */
export function estimateTrainingBytes(shape: TrainingShape): MemoryEstimate {
  const layout = networkLayout(shape);
  const params = layout.generatorParams + layout.discriminatorParams;
  const perImage = layout.generatorActivations + layout.discriminatorActivations;
  const image = shape.size * shape.size * 3;
  const perActivation = shape.arch === ARCH.lite ? PER_ACTIVATION_LITE : PER_ACTIVATION;
  let floats = PER_PARAMETER * params + perActivation * shape.batch * perImage + PER_AUX_ACTIVATION * shape.batch * layout.auxActivations;
  if (shape.ema > 0) floats += layout.generatorParams;
  // The replay buffer is a Float32Array of the app (not a tensor), filled up to its capacity.
  if (shape.replay > 0) floats += defaultReplayCapacity(shape) * image;
  // Augmentation keeps differentiable copies of the real and the generated batch, per operation.
  const adaptive = (shape.ada ?? 0) > 0;
  for (const op of adaptive ? adaOperations(shape) : shape.augment) floats += AUGMENT_COPIES[adaptive ? 'adaptive' : 'always'][op] * shape.batch * image;
  if ((shape.r1 ?? 0) > 0) floats += PER_ACTIVATION_R1 * shape.batch * layout.discriminatorActivations;
  return {
    bytes: Math.ceil(floats * FLOAT_BYTES),
    largestTensor: shape.batch * Math.max(layout.largestActivation, image) * FLOAT_BYTES,
  };
}

/** Peak tensor memory of generating `chunk` images at once (and scoring them with D when `score`). */
export function estimateGenerationBytes(shape: NetworkShape, chunk: number, score = false): MemoryEstimate {
  const layout = networkLayout(shape);
  const params = layout.generatorParams + (score ? layout.discriminatorParams : 0);
  const perImage = layout.generatorActivations + (score ? layout.discriminatorActivations : 0);
  return {
    bytes: Math.ceil((2 * params + PER_ACTIVATION_INFERENCE * chunk * perImage + chunk * shape.latent) * FLOAT_BYTES),
    largestTensor: chunk * layout.largestActivation * FLOAT_BYTES,
  };
}

/** What a backend can hold: all tensors together, and one tensor. */
export interface MemoryLimit {
  backend: string;
  bytes: number;
  tensorBytes: number;
}

const GiB = 2 ** 30;

/**
 * The memory a backend can give the run. wasm: its heap stops at 4 GiB (tfjs-backend-wasm's
 * maximum), of which 3 GiB are counted usable (allocator and kernel scratch), a tensor at most
 * 2 GiB (32-bit offsets). cpu: tensors are JavaScript typed arrays (at most 2^32 elements). The
 * native backends use the machine's memory. In every case at most 3/4 of `systemBytes` (the
 * machine's memory, os.totalmem()) is counted, leaving the rest to the system and the app.
 */
export function backendMemoryLimit(backend: string, systemBytes: number): MemoryLimit {
  const system = Math.floor(systemBytes * 0.75);
  switch (backend) {
    case 'wasm':
      return { backend, bytes: Math.min(3 * GiB, system), tensorBytes: 2 * GiB };
    case 'cpu':
      return { backend, bytes: system, tensorBytes: 2 ** 32 * FLOAT_BYTES };
    default:
      return { backend, bytes: system, tensorBytes: system };
  }
}

/** "1.2 GB", "640 MB", "980 kB": decimal units, as disks and memory are sold. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(bytes >= 1e11 ? 0 : 1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(0)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

function fits(estimate: MemoryEstimate, limit: MemoryLimit): boolean {
  return estimate.bytes <= limit.bytes && estimate.largestTensor <= limit.tensorBytes;
}

/** The largest batch whose training fits the limit (0 when not even one image does). */
export function largestTrainingBatch(shape: TrainingShape, limit: MemoryLimit): number {
  let low = 0;
  let high = Math.max(1, shape.batch);
  while (fits(estimateTrainingBytes({ ...shape, batch: high }), limit)) {
    low = high;
    high *= 2;
    if (high > 2 ** 40) return low;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(estimateTrainingBytes({ ...shape, batch: middle }), limit)) low = middle;
    else high = middle;
  }
  return low;
}

/**
 * Null when training fits the backend's memory, else the one-line refusal: what is needed, what
 * the backend can use, and the largest batch that fits (or that the networks are too wide even
 * for a batch of 1). `field` names the setting as the caller's user knows it (`--batch`, `batch`).
 */
export function trainingMemoryError(shape: TrainingShape, limit: MemoryLimit, field = 'batch'): string | null {
  const estimate = estimateTrainingBytes(shape);
  if (fits(estimate, limit)) return null;
  const what = `${shape.size} px, width ${shape.width}, latent ${shape.latent}`;
  const need = `${field} ${shape.batch} needs about ${formatBytes(estimate.bytes)} of memory to train (${what}); the ${limit.backend} backend can use ${formatBytes(limit.bytes)}`;
  const largest = largestTrainingBatch(shape, limit);
  return largest >= 1
    ? `${need}: use a ${field} of at most ${largest}, or a smaller width or size`
    : `${need}, too little even for a ${field} of 1: use a smaller width, latent or size`;
}

/**
 * Images to generate per chunk so that a chunk fits the limit (at most MAX_GENERATION_CHUNK);
 * 0 when not even one image fits.
 */
export function generationChunk(shape: NetworkShape, limit: MemoryLimit, score = false): number {
  for (let chunk = MAX_GENERATION_CHUNK; chunk >= 1; chunk = Math.floor(chunk / 2)) {
    if (fits(estimateGenerationBytes(shape, chunk, score), limit)) return chunk;
  }
  return 0;
}

/** Bytes a grid of n images needs while it is drawn and encoded (the tiles, the raw grid, the PNG). */
export function gridBytes(n: number, size: number, pad = 2): number {
  const columns = Math.max(1, Math.ceil(Math.sqrt(n)));
  const rows = Math.ceil(n / columns);
  const raw = (columns * (size + pad) + pad) * (rows * (size + pad) + pad) * 3;
  return n * size * size * 3 + 2 * raw;
}

/** sharp's default limit on an input's pixels (0x3FFF²); a GIF's frames go in as one tall image. */
export const SHARP_PIXEL_LIMIT = 0x3fff * 0x3fff;

/**
 * Null when an animated GIF of `frames` frames of side × side px can be made within `limitBytes`
 * of memory (the frames, their stacked copy and the encoder's) and sharp's pixel limit, else the
 * one-line refusal with the largest frame count that can. `field` names the setting for the user.
 */
export function gifFramesError(frames: number, side: number, limitBytes: number, field = 'frames'): string | null {
  const bytesPerFrame = side * side * 3 * 3;
  const most = Math.min(Math.floor(SHARP_PIXEL_LIMIT / (side * side)), Math.floor(limitBytes / bytesPerFrame));
  if (frames <= most) return null;
  return `${field} ${frames} is more than a GIF of ${side} px frames can hold here (about ${formatBytes(frames * bytesPerFrame)} of memory, ${Math.round((frames * side * side) / 1e6)} million pixels): use at most ${most} frames`;
}
