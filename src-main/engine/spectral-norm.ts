/**
 * Spectral normalisation of the discriminator (Miyato et al. 2018, "Spectral Normalization for
 * Generative Adversarial Networks"): each layer uses W / σ(W), σ its largest singular value, so each
 * layer — and with leaky ReLU the whole D — is at most 1-Lipschitz.
 *
 * σ comes from power iteration on the kernel reshaped to a [rows, out] matrix (a conv's [kH, kW, in,
 * out] to [kH·kW·in, out]; PyTorch's [out, in·kH·kW] transposed, same σ), with vectors u (out) and v
 * (rows) kept between steps as non-trainable weights of the layer: they are part of D's weights, so a
 * checkpoint stores them and a resume continues the iteration. `powerIterate` runs one iteration per
 * discriminator update (the paper's Algorithm 1), outside the gradient; the layer's forward pass then
 * computes σ = vᵀ W u with u and v constants and W the variable, so gradients flow through W / σ
 * including σ's dependence on W, as in the paper's implementation (u, v under stop-gradient).
 */
import * as tf from '@tensorflow/tfjs';

/** PyTorch's spectral_norm epsilon: the floor of a vector's norm when normalising it. */
const EPS = 1e-12;

export interface SpectralLayerArgs {
  kind: 'conv2d' | 'dense';
  /** Output channels (conv) or units (dense). */
  units: number;
  /** Conv only: square kernel side and stride; padding is 'same'. */
  kernelSize?: number;
  strides?: number;
  useBias: boolean;
  /** Seed of the kernel's N(0, 0.02) initialisation (DCGAN's), and of u's N(0, 1) start. */
  seed: number;
  inputShape?: number[];
  name?: string;
}

function l2normalize(x: tf.Tensor): tf.Tensor {
  return tf.div(x, tf.maximum(tf.norm(x), EPS));
}

/** The kernel as the [rows, out] matrix whose largest singular value is σ. */
function kernelMatrix(kernel: tf.Tensor): tf.Tensor2D {
  const out = kernel.shape[kernel.rank - 1];
  return tf.reshape(kernel, [-1, out]);
}

/**
 * W / σ with σ = vᵀ W u for fixed unit vectors u [out] and v [rows]: differentiable in W (σ included).
 * Exported for tests.
 */
export function normalizedKernel(kernel: tf.Tensor, u: tf.Tensor, v: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const w = kernelMatrix(kernel);
    const sigma = tf.sum(tf.mul(tf.matMul(tf.reshape(v, [1, -1]), w), tf.reshape(u, [1, -1])));
    return tf.div(kernel, sigma);
  });
}

/** A conv2d ('same' padding) or dense layer whose kernel is spectrally normalised. */
export class SpectralNormalized extends tf.layers.Layer {
  static className = 'GanStudioSpectralNormalized';
  private readonly args: SpectralLayerArgs;
  kernel: tf.LayerVariable | null = null;
  bias: tf.LayerVariable | null = null;
  /** Right singular vector estimate [out] and left one [rows]: non-trainable state. */
  u: tf.LayerVariable | null = null;
  v: tf.LayerVariable | null = null;

  constructor(args: SpectralLayerArgs) {
    super({ inputShape: args.inputShape, name: args.name });
    this.args = { ...args };
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inChannels = shape[shape.length - 1] as number;
    const { kind, units, kernelSize = 1, seed } = this.args;
    const kernelShape = kind === 'conv2d' ? [kernelSize, kernelSize, inChannels, units] : [inChannels, units];
    const rows = kernelShape.slice(0, -1).reduce((a, b) => a * b, 1);
    this.kernel = this.addWeight('kernel', kernelShape, 'float32', tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed }));
    if (this.args.useBias) this.bias = this.addWeight('bias', [units], 'float32', tf.initializers.zeros());
    this.u = this.addWeight('sn_u', [units], 'float32', tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: (seed ^ 0x2545f491) >>> 1 }), undefined, false);
    this.v = this.addWeight('sn_v', [rows], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
    // One iteration now, so that σ is defined before the first update (v starts at zero).
    this.powerIterate();
  }

  /** One power iteration: v ← normalise(W u), u ← normalise(Wᵀ v). No gradient; assigns u and v. */
  powerIterate(): void {
    tf.tidy(() => {
      const w = kernelMatrix(this.kernel!.read());
      const v = l2normalize(tf.matMul(w, tf.reshape(this.u!.read(), [-1, 1])));
      const u = l2normalize(tf.matMul(tf.reshape(v, [1, -1]), w));
      this.v!.write(tf.reshape(v, [-1]));
      this.u!.write(tf.reshape(u, [-1]));
    });
  }

  /** σ = vᵀ W u for the current vectors: the spectral norm estimate the forward pass divides by. */
  sigma(): number {
    return tf.tidy(() => {
      const w = kernelMatrix(this.kernel!.read());
      return tf.sum(tf.mul(tf.matMul(tf.reshape(this.v!.read(), [1, -1]), w), tf.reshape(this.u!.read(), [1, -1]))).dataSync()[0];
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const w = normalizedKernel(this.kernel!.read(), this.u!.read(), this.v!.read());
      const { kind, strides = 1 } = this.args;
      let y = kind === 'conv2d' ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, 'same') : tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
      if (this.bias) y = tf.add(y, this.bias.read());
      return y;
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const { kind, units, strides = 1 } = this.args;
    if (kind === 'dense') return [...shape.slice(0, -1), units];
    const side = (n: number | null) => (n === null ? null : Math.ceil(n / strides));
    return [shape[0], side(shape[1]), side(shape[2]), units];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { inputShape: _, ...args } = this.args;
    return { ...super.getConfig(), ...args };
  }
}
tf.serialization.registerClass(SpectralNormalized);

/** The spectrally normalised layers of a model, in order. */
export function spectralLayers(model: tf.LayersModel): SpectralNormalized[] {
  return model.layers.filter((layer): layer is SpectralNormalized => layer instanceof SpectralNormalized);
}

/** One power iteration in every spectrally normalised layer: once per discriminator update. */
export function powerIterateAll(model: tf.LayersModel): void {
  for (const layer of spectralLayers(model)) layer.powerIterate();
}
