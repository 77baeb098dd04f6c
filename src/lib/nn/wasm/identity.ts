/**
 * Identity without a copy. tfjs clones every tensor a gradient needs when it records the tape, and the wasm
 * backend's Identity copies the values; for mnist-paper's first layer that is four 11 MB copies per step. The
 * cpu backend shares the data and counts a reference instead, which is safe because tensors are immutable
 * (a variable's assign points it at new data), and the wasm backend frees data when its count reaches zero.
 */
import type * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from './backendInternals';

export function identity({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { x } = inputs;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
