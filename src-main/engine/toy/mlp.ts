import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import { standardNormal } from './distributions';

import type { Activation } from '../../shared/schema';

export type { Activation };

export interface MlpShape {
  input: number;
  /** Hidden layers. */
  depth: number;
  /** Units per hidden layer. */
  width: number;
  output: number;
  activation: Activation;
}

/**
 * A dense network on raw variables. The playground trains it thousands of times a second in tiny
 * batches, where tf.layers' bookkeeping would cost more than the arithmetic.
 */
export class Mlp {
  readonly weights: tf.Variable[] = [];
  readonly biases: tf.Variable[] = [];

  constructor(
    readonly shape: MlpShape,
    rng: Rng,
    name: string,
  ) {
    const sizes = [shape.input, ...Array.from({ length: shape.depth }, () => shape.width), shape.output];
    for (let layer = 0; layer + 1 < sizes.length; layer++) {
      const fanIn = sizes[layer];
      const fanOut = sizes[layer + 1];
      // He initialisation keeps activations at unit scale through ReLU-family layers; tanh wants Glorot
      const std = shape.activation === 'tanh' ? Math.sqrt(2 / (fanIn + fanOut)) : Math.sqrt(2 / fanIn);
      const values = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < values.length; i++) values[i] = std * standardNormal(rng);
      // tidy: the initial values are copied into the variables and would otherwise outlive the network
      this.weights.push(tf.tidy(() => tf.variable(tf.tensor2d(values, [fanIn, fanOut]), true, `${name}/w${layer}`)));
      this.biases.push(tf.tidy(() => tf.variable(tf.zeros([fanOut]), true, `${name}/b${layer}`)));
    }
  }

  get variables(): tf.Variable[] {
    return [...this.weights, ...this.biases];
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return this.applyWith(x, this.weights, this.biases);
  }

  /** The same network with other parameters of the same shapes (e.g. an exponential moving average). */
  applyWith(x: tf.Tensor2D, weights: tf.Tensor[], biases: tf.Tensor[]): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = x;
      for (let layer = 0; layer < weights.length; layer++) {
        const hidden = layer + 1 < weights.length;
        const w = weights[layer] as tf.Tensor2D;
        // one fused kernel instead of three ops; tfjs can differentiate it for linear and relu only
        if (!hidden || this.shape.activation === 'relu') {
          h = tf.fused.matMul({ a: h, b: w, bias: biases[layer], activation: hidden ? 'relu' : 'linear' }) as tf.Tensor2D;
        } else {
          h = activate(tf.add(tf.matMul(h, w), biases[layer]), this.shape.activation);
        }
      }
      return h;
    });
  }

  dispose(): void {
    for (const variable of this.variables) variable.dispose();
  }
}

function activate(x: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, 0.2);
    case 'tanh':
      return tf.tanh(x);
    case 'elu':
      return tf.elu(x);
  }
}
