/**
 * ReLU then 2x2 max pooling (stride 2, valid) as one op for the wasm backend. ReLU is monotonic, so the pool of
 * the ReLU is the ReLU of the pool: the forward ReLU runs on a quarter of the values, and the gradient is one
 * pass (a window sends dy to its first maximum when that maximum is positive), where tfjs would run MaxPoolGrad,
 * then Step, Multiply and a Cast over the full-size tensor. The numbers are the cpu path's exactly: the first
 * maximum of ReLU(y) is the first maximum of y whenever it is positive, and otherwise ReLU's gradient is zero.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, type KernelArgs } from './backendInternals';
import { pool2x2Gradient } from './maxPoolGrad';

export const RELU_MAX_POOL_GRAD = 'KleinscopeReluMaxPool2Grad';

/** The gradient kernel: inputs dy [n, h/2, w/2, c] and x [n, h, w, c] (the values before ReLU). */
export function reluMaxPoolGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { dy, x } = inputs;
  const [n, h, w, c] = x.shape;
  const oh = Math.floor(h / 2);
  const ow = Math.floor(w / 2);
  const dx = backend.makeOutput(x.shape, 'float32');
  const src = f32(backend, x);
  const g = f32(backend, dy);
  const out = f32(backend, dx);
  pool2x2Gradient(src, g, out, n, h, w, c, oh, ow, 0);
  return dx;
}

/** relu then 2x2 max pool of x [n, h, w, c]; needs the wasm backend with registerWasmTrainingKernels(). */
export const reluMaxPool2 = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor4D;
  const save = args[1] as tf.GradSaveFunc;
  save([x]);
  return {
    value: tf.relu(tf.maxPool(x, 2, 2, 'valid')),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.engine().runKernel(RELU_MAX_POOL_GRAD, { dy, x: saved[0] }, {}) as tf.Tensor,
  };
}) as (x: tf.Tensor4D) => tf.Tensor4D;
