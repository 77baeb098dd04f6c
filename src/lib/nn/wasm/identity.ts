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

/** Cast to the dtype a tensor already has (ReLU's gradient casts its float32 input) is an Identity too. */
export function castVia(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const a = args as unknown as KernelArgs;
    const { dtype } = a.attrs as { dtype: tf.DataType };
    return a.inputs.x.dtype === dtype ? identity(a) : original(args);
  };
}
