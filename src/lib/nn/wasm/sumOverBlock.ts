/**
 * Sum over a contiguous block of axes that are not the innermost ones (bias gradients: [n, h, w, c] summed over
 * n, h, w; an ensemble's [runs, batch, units] over batch). tfjs-backend-wasm transposes such a tensor before
 * summing; one pass over the heap, accumulating in float64 as the cpu backend does, is several times faster.
 * Any other reduction keeps the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, type KernelArgs } from './backendInternals';

export function sumOverBlockVia(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as unknown as KernelArgs;
    const { x } = inputs;
    const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const first = axes[0];
    const last = axes[axes.length - 1];
    const contiguous = axes.length > 0 && last - first + 1 === axes.length;
    const inner = tf.util.sizeFromShape(x.shape.slice(last + 1));
    if (x.dtype !== 'float32' || !contiguous || inner === 1) return original(args);
    const outer = tf.util.sizeFromShape(x.shape.slice(0, first));
    const mid = tf.util.sizeFromShape(x.shape.slice(first, last + 1));
    const shape = keepDims
      ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d))
      : x.shape.filter((_, i) => i < first || i > last);
    const out = backend.makeOutput(shape, 'float32');
    const src = f32(backend, x);
    const dst = f32(backend, out);
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      let at = o * mid * inner;
      let m = 0;
      // Four rows per pass: a quarter of the loads and stores of the accumulator.
      for (; m + 4 <= mid; m += 4, at += 4 * inner) {
        for (let i = 0; i < inner; i++) {
          const j = at + i;
          acc[i] += src[j] + src[j + inner] + src[j + 2 * inner] + src[j + 3 * inner];
        }
      }
      for (; m < mid; m++, at += inner) for (let i = 0; i < inner; i++) acc[i] += src[at + i];
      dst.set(acc, o * inner);
    }
    return out;
  };
}
