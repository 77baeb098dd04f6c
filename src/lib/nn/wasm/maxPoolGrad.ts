/**
 * MaxPoolGrad as one pass over the heap: each pooling window sends its dy to the first position holding the
 * window's maximum (row-major, strict >), which is the cpu backend's choice on ties. The wasm backend's own
 * kernel took 70 ms for mnist-paper's first layer; this takes 10-14.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, type KernelArgs } from './backendInternals';

type Attrs = {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

export function maxPoolGrad({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as Attrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const dilH = info.dilationHeight;
  const dilW = info.dilationWidth;
  const { top, left } = info.padInfo;
  const dx = backend.makeOutput(input.shape, 'float32');
  const x = f32(backend, input);
  const g = f32(backend, dy);
  const out = f32(backend, dx);
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && dilH === 1 && dilW === 1) {
    pool2x2Gradient(x, g, out, n, h, w, c, oh, ow, -Infinity);
    return dx;
  }
  out.fill(0);
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const y0 = y * sh - top;
      for (let xx = 0; xx < ow; xx++) {
        const x0 = xx * sw - left;
        for (let ch = 0; ch < c; ch++, k++) {
          let best = -1;
          let bestValue = -Infinity;
          for (let i = 0; i < fh; i += dilH) {
            const r = y0 + i;
            if (r < 0 || r >= h) continue;
            for (let j = 0; j < fw; j += dilW) {
              const col = x0 + j;
              if (col < 0 || col >= w) continue;
              const at = ((b * h + r) * w + col) * c + ch;
              if (x[at] > bestValue) {
                bestValue = x[at];
                best = at;
              }
            }
          }
          if (best >= 0) out[best] += g[k];
        }
      }
    }
  }
  return dx;
}

/**
 * The training graph's case, 2x2 windows with stride 2 and no padding, unrolled: four candidates per window.
 * Windows do not overlap, so each writes all four of its cells (no separate zeroing pass over dx); only a last
 * odd row or column, which no window covers, is zeroed apart. Each window sends g to its first strict maximum
 * above `floor` in row-major order (NaN never wins): -Infinity for a plain max pool, as the cpu backend picks it;
 * 0 for ReLU then max pool, where only a positive maximum passes the gradient.
 */
export function pool2x2Gradient(
  x: Float32Array,
  g: Float32Array,
  out: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
  floor: number,
): void {
  const down = w * c;
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      let at = (b * h + 2 * y) * w * c;
      for (let xx = 0; xx < ow; xx++, at += c) {
        for (let ch = 0; ch < c; ch++, k++, at++) {
          let best = -1;
          let v = floor;
          if (x[at] > v) {
            v = x[at];
            best = at;
          }
          if (x[at + c] > v) {
            v = x[at + c];
            best = at + c;
          }
          if (x[at + down] > v) {
            v = x[at + down];
            best = at + down;
          }
          if (x[at + down + c] > v) best = at + down + c;
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
}
