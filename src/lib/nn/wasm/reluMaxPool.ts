/**
 * ReLU then 2x2 max pooling (stride 2, valid) as one op for the wasm backend. ReLU is monotonic, so the pool of
 * the ReLU is the ReLU of the pool: the forward ReLU runs on a quarter of the values, and the gradient is one
 * pass (a window sends dy to its first maximum when that maximum is positive), where tfjs would run MaxPoolGrad,
 * then Step, Multiply and a Cast over the full-size tensor. The numbers are the cpu path's exactly: the first
 * maximum of ReLU(y) is the first maximum of y whenever it is positive, and otherwise ReLU's gradient is zero.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, type KernelArgs } from './backendInternals';

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
  const down = w * c;
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      let at = (b * h + 2 * y) * w * c;
      for (let xx = 0; xx < ow; xx++, at += c) {
        for (let ch = 0; ch < c; ch++, k++, at++) {
          // Only a positive maximum passes the gradient; among equal maxima the first in row-major order wins.
          let best = -1;
          let v = 0;
          if (src[at] > v) {
            v = src[at];
            best = at;
          }
          if (src[at + c] > v) {
            v = src[at + c];
            best = at + c;
          }
          if (src[at + down] > v) {
            v = src[at + down];
            best = at + down;
          }
          if (src[at + down + c] > v) best = at + down + c;
          out[at] = 0;
          out[at + c] = 0;
          out[at + down] = 0;
          out[at + down + c] = 0;
          if (best >= 0) out[best] = g[k];
        }
      }
    }
  }
  for (let b = 0; b < n; b++) {
    if (2 * oh < h) out.fill(0, (b * h + 2 * oh) * w * c, (b + 1) * h * w * c);
    if (2 * ow < w)
      for (let y = 0; y < 2 * oh; y++) out.fill(0, ((b * h + y) * w + 2 * ow) * c, (b * h + y + 1) * w * c);
  }
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
