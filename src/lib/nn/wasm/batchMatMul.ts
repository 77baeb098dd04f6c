/**
 * BatchMatMul through XNNPACK for every case. tfjs-backend-wasm 4.22 uses XNNPACK only for one matrix pair
 * with neither operand transposed; every gradient matmul (transposed) and every ensemble's batched dense layer
 * falls into a scalar triple loop, 3-5x slower. Here operands are transposed explicitly (the wasm Transpose
 * kernel) and each batch entry goes through the original kernel's XNNPACK path on its own.
 */
import * as tf from '@tensorflow/tfjs';
import { copyOf, f32, release, transpose, type KernelArgs } from './backendInternals';

export function batchMatMulVia(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as unknown as KernelArgs;
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
    if (!transposeA && !transposeB && batchA === 1 && batchB === 1) return original(args);
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batch = tf.util.sizeFromShape(outer);
    // Only plain broadcasting of a single matrix against a batch is taken over; anything else stays original.
    if ((batchA !== 1 && batchA !== batch) || (batchB !== 1 && batchB !== batch)) return original(args);
    const as3 = { dataId: a.dataId, dtype: a.dtype, shape: [batchA, a.shape[ra - 2], a.shape[ra - 1]] };
    const bs3 = { dataId: b.dataId, dtype: b.dtype, shape: [batchB, b.shape[rb - 2], b.shape[rb - 1]] };
    const aN = transposeA ? transpose(backend, as3, [0, 2, 1]) : as3;
    const bN = transposeB ? transpose(backend, bs3, [0, 2, 1]) : bs3;
    const [, m, k] = aN.shape;
    const n = bN.shape[2];
    if (bN.shape[1] !== k) {
      throw new Error(`Error in matMul: inner shapes (${k}) and (${bN.shape[1]}) of [${a.shape}] and [${b.shape}]`);
    }
    const mm = (x: tf.TensorInfo, y: tf.TensorInfo) =>
      original({
        inputs: { a: x, b: y },
        attrs: { transposeA: false, transposeB: false },
        backend: backend as never,
      }) as tf.TensorInfo;
    let out: tf.TensorInfo;
    if (batch === 1) {
      out = mm(aN, bN);
    } else {
      out = backend.makeOutput([batch, m, n], 'float32');
      for (let r = 0; r < batch; r++) {
        const ar = batchA === 1 ? aN : copyOf(backend, aN, [1, m, k], r * m * k);
        const br = batchB === 1 ? bN : copyOf(backend, bN, [1, k, n], r * k * n);
        const part = mm(ar, br);
        f32(backend, out).set(f32(backend, part), r * m * n);
        release(backend, part, ...(ar === aN ? [] : [ar]), ...(br === bN ? [] : [br]));
      }
    }
    if (aN !== as3) release(backend, aN);
    if (bN !== bs3) release(backend, bN);
    return { ...out, shape: [...outer, m, n] };
  };
}
