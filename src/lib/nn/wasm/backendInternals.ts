/**
 * The few internals of @tensorflow/tfjs-backend-wasm 4.22.0 (pinned exactly in package.json) that training
 * kernels need: a tensor's place on the wasm heap, making an output there, and calling the backend's own
 * kernels (XNNPACK Conv2D, Transpose, ...) from inside another kernel. Everything version-specific lives here,
 * so an upgrade of the wasm backend is checked in one file (and by tests/unit/wasmKernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;

/** What this project uses of tfjs-backend-wasm's BackendWasm class. */
export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number; shape: number[] } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

export type KernelArgs = {
  inputs: Record<string, TensorInfo>;
  attrs?: Record<string, unknown>;
  backend: WasmBackend;
};

/** A float32 view of a tensor's values on the heap. Take it after the last allocation: the heap may grow. */
export function f32(backend: WasmBackend, t: TensorInfo): Float32Array {
  const entry = backend.dataIdMap.get(t.dataId);
  if (!entry) throw new Error('wasm kernel: tensor has no data on the wasm backend');
  return new Float32Array(backend.wasm.HEAPU8.buffer, entry.memoryOffset, tf.util.sizeFromShape(t.shape));
}

/** Runs the wasm backend's registered kernel `name` (resolved at call time, so our own overrides apply). */
export function callKernel(
  name: string,
  backend: WasmBackend,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown> = {},
): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm kernel '${name}' is not registered`);
  return kernel.kernelFunc({ inputs, attrs, backend } as never) as TensorInfo;
}

/** Frees intermediate tensors a kernel made; the engine only tracks the one it returns. */
export function release(backend: WasmBackend, ...tensors: TensorInfo[]): void {
  for (const t of tensors) backend.disposeData(t.dataId);
}

/** A new tensor holding a copy of `t`'s values in another shape (the wasm Reshape shares data, we need a copy). */
export function copyOf(backend: WasmBackend, t: TensorInfo, shape: number[], from = 0, count?: number): TensorInfo {
  const n = count ?? tf.util.sizeFromShape(shape);
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).set(f32(backend, t).subarray(from, from + n));
  return out;
}

export const transpose = (backend: WasmBackend, x: TensorInfo, perm: number[]) =>
  callKernel('Transpose', backend, { x }, { perm });

/** Registers `config` for 'wasm' in place of the existing kernel, returning the kernel it replaced (if any). */
export function override(kernelName: string, make: (original: tf.KernelConfig | undefined) => tf.KernelFunc): void {
  const original = tf.getKernel(kernelName, 'wasm');
  if (original) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    kernelFunc: make(original),
    // Delegating kernels still need the original's setup (it binds the wasm functions) when the backend starts.
    setupFunc: original?.setupFunc,
  });
}
