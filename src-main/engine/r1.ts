/**
 * The R1 gradient penalty (Mescheder et al. 2018, "Which Training Methods for GANs do actually
 * Converge?"): γ/2 · E_x‖∇_x D(x)‖² over real images x, added to D's loss. Lazy as in StyleGAN2
 * (Karras et al. 2020, "Analyzing and Improving the Image Quality of StyleGAN", §3.1): computed on
 * every Nth discriminator update only (run option r1Every, 16 there) and weighted N×, so its expected
 * weight is unchanged; here it joins that update's D loss rather than taking an optimiser step of its own.
 *
 * Its gradient with respect to D's weights is a second-order one (double backprop): tf.valueAndGrad
 * inside D's tf.variableGrads, which tfjs supports for every op of the DCGAN discriminator —
 * Conv2D's input gradient (Conv2DBackpropInput) differentiates to Conv2D and Conv2DBackpropFilter,
 * batch norm's gradient is made of plain arithmetic, MatMul's of MatMul — except one: leaky ReLU's
 * gradient selects with `greater(x, 0)`, and tfjs 4.22 registers no gradient for Greater, so the
 * backward pass stops with "gradient function not found for Greater". A comparison is piecewise
 * constant, its gradient zero wherever it is defined; `registerSecondOrderGradients` registers that
 * (exact, not an approximation) unless tfjs ships one.
 */
import * as tf from '@tensorflow/tfjs';

/** Zero gradients for the comparison ops tfjs leaves without one; harmless to call again. */
export function registerSecondOrderGradients(): void {
  for (const kernelName of ['Greater', 'GreaterEqual', 'Less', 'LessEqual']) {
    if (tf.getGradient(kernelName)) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => ({ a: () => tf.zerosLike(saved[0]), b: () => tf.zerosLike(saved[1]) }),
    });
  }
}

/**
 * D's outputs on `x` [n, …] and the penalty `weight`/2 · mean_i ‖∇_{x_i} D(x)_i‖² (a scalar), from one
 * forward pass. `apply` maps a batch to D's outputs [n, 1]. Call it inside the tf.variableGrads of D's
 * loss: the penalty's gradient reaches D's weights through the recorded backward pass. With batch norm
 * in training mode D(x)_i depends on the whole batch; the gradient is then that of Σ_i D(x)_i.
 */
export function r1Penalty(apply: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D, weight: number): { logits: tf.Tensor; penalty: tf.Scalar } {
  registerSecondOrderGradients();
  const n = x.shape[0];
  const { value: logits, grad } = tf.valueAndGrad((input: tf.Tensor) => apply(input as tf.Tensor4D))(x, tf.ones([n, 1]));
  const penalty = tf.mul(weight / 2, tf.div(tf.sum(tf.square(grad)), n)) as tf.Scalar;
  return { logits, penalty };
}
