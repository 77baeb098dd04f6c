/**
 * Makes tfjs-backend-wasm a training backend: registers, for backend 'wasm', the gradient kernels it lacks and
 * faster versions of those it runs as scalar loops, all built on its own XNNPACK operators (see each module).
 * Call after importing '@tensorflow/tfjs-backend-wasm'; idempotent. selectBackend('wasm') calls it.
 */
import * as tf from '@tensorflow/tfjs';
import { override, type KernelArgs } from './backendInternals';
import { batchMatMulVia } from './batchMatMul';
import { conv2dBackpropFilter } from './conv2dBackpropFilter';
import { conv2dBackpropInputVia } from './conv2dBackpropInput';
import { fusedConv2dVia } from './fusedConv2dBias';
import { castVia, identity } from './identity';
import { maxPoolGrad } from './maxPoolGrad';
import { RELU_MAX_POOL_GRAD, reluMaxPoolGrad } from './reluMaxPool';
import { sumOverBlockVia } from './sumOverBlock';

let registered = false;

/** The kernels this module registers for 'wasm', for tests and diagnostics. */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'BatchMatMul',
  'Sum',
  'Identity',
  'FusedConv2D',
  'Cast',
  RELU_MAX_POOL_GRAD,
] as const;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  if (!tf.getKernel('Conv2D', 'wasm')) {
    throw new Error("registerWasmTrainingKernels: import '@tensorflow/tfjs-backend-wasm' first");
  }
  const asKernel = (f: (args: KernelArgs) => tf.TensorInfo) => f as unknown as tf.KernelFunc;
  override('Conv2DBackpropFilter', () => asKernel(conv2dBackpropFilter));
  override('Conv2DBackpropInput', (original) => conv2dBackpropInputVia(original!.kernelFunc));
  override('MaxPoolGrad', () => asKernel(maxPoolGrad));
  override('BatchMatMul', (original) => batchMatMulVia(original!.kernelFunc));
  override('Sum', (original) => sumOverBlockVia(original!.kernelFunc));
  override('Identity', () => asKernel(identity));
  override('FusedConv2D', (original) => fusedConv2dVia(original!.kernelFunc));
  override('Cast', (original) => castVia(original!.kernelFunc));
  override(RELU_MAX_POOL_GRAD, () => asKernel(reluMaxPoolGrad));
  registered = true;
}
