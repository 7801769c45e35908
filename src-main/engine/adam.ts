import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, type AdamUpdateAttrs } from './wasm-kernels/adam-update';
import { wasmKernelTuning } from './wasm-kernels/tuning';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  /** PyTorch's default; tfjs's own Adam uses the backend epsilon (1e-7 in float32). */
  epsilon?: number;
}

export interface AdamState {
  step: number;
  m: tf.Tensor[];
  v: tf.Tensor[];
}

/**
 * Adam written out (PyTorch's update rule) rather than tf.train.adam: its whole state is the step
 * count and the m/v slots, so a checkpoint restores it exactly. tf.train.adam rebuilds its beta
 * powers with pow() on restore, which differs in the last bits from the running product it keeps
 * while training, and keys its slots by variable names that change with every model instance.
 */
export class Adam {
  step = 0;
  readonly m: tf.Variable[];
  readonly v: tf.Variable[];

  constructor(
    readonly variables: tf.Variable[],
    readonly options: AdamOptions,
  ) {
    // tidy frees the zeros a variable is made from; the variables themselves outlive it.
    this.m = variables.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
    this.v = variables.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
  }

  /**
   * One update: grads[i] belongs to variables[i]. On a backend with the fused kernel (wasm:
   * wasm-kernels/adam-update.ts) each variable below wasmKernelTuning.fusedAdamBelow elements is
   * updated in one pass, with the same float32 result.
   */
  apply(grads: tf.Tensor[]): void {
    const { lr, beta1, beta2 } = this.options;
    const epsilon = this.options.epsilon ?? 1e-8;
    this.step++;
    // Bias corrections in float64 on the host, from the step count alone.
    const stepSize = lr / (1 - beta1 ** this.step);
    const sqrtCorrection2 = Math.sqrt(1 - beta2 ** this.step);
    // One pass per variable where the backend has the fused kernel (wasm), bit for bit these ops;
    // large variables keep the ops, which the thread pool splits (wasmKernelTuning.fusedAdamBelow).
    const hasKernel = tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
    const attrs: AdamUpdateAttrs = { beta1, beta2, epsilon, stepSize, sqrtCorrection2 };
    tf.tidy(() => {
      this.variables.forEach((w, i) => {
        const g = grads[i];
        if (hasKernel && w.size < wasmKernelTuning.fusedAdamBelow) {
          const [w2, m2, v2] = tf.engine().runKernel(ADAM_UPDATE, { w, g, m: this.m[i], v: this.v[i] }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
          this.m[i].assign(m2);
          this.v[i].assign(v2);
          w.assign(w2);
          return;
        }
        const m = tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtCorrection2), epsilon);
        w.assign(tf.sub(w, tf.mul(tf.div(m, denom), stepSize)));
      });
    });
  }

  setState(state: AdamState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new Error(`optimiser state has ${state.m.length} slots, the model needs ${this.m.length}`);
    }
    this.step = state.step;
    state.m.forEach((t, i) => this.m[i].assign(t));
    state.v.forEach((t, i) => this.v[i].assign(t));
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
