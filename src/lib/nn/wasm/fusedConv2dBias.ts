/**
 * FusedConv2D with a bias that is a reshaped view. The wasm kernel checks the rank of the bias's stored data,
 * not of the tensor it is given, so a [cout] reshape of a [1, 1, cout] variable (how an ensemble stores its
 * biases) is refused. Giving it a rank-1 copy (cout values) keeps the bias fused into XNNPACK's conv.
 */
import type * as tf from '@tensorflow/tfjs';
import { copyOf, release, type KernelArgs } from './backendInternals';

export function fusedConv2dVia(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args as unknown as KernelArgs;
    const bias = inputs.bias;
    if (!bias || bias.shape.length !== 1 || backend.dataIdMap.get(bias.dataId)?.shape.length === 1) {
      return original(args);
    }
    const copy = copyOf(backend, bias, bias.shape);
    try {
      return original({ ...args, inputs: { ...inputs, bias: copy } } as never) as tf.TensorInfo;
    } finally {
      release(backend, copy);
    }
  };
}
