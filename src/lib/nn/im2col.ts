/**
 * im2col for 3x3 valid convolutions: x [n, h, w, c] -> patches [n, h-2, w-2, 9c], the last axis ordered
 * (i, j, c) like the rows of a flattened [3, 3, c, cout] kernel, so a conv becomes one (batched) matMul.
 *
 * On GPU backends it is nine slices and a concat. The cpu backend runs strided slices (and their gradient,
 * SplitV) through generic per-element index arithmetic, which took 80% of a training step there, so on cpu it
 * is a custom op with plain loops both ways: copy out, and scatter-add the gradient back. Max pooling likewise.
 */
import * as tf from '@tensorflow/tfjs';

const K = 3;

function im2colLoops(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const oh = h - K + 1;
  const ow = w - K + 1;
  const out = new Float32Array(n * oh * ow * K * K * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        for (let i = 0; i < K; i++) {
          for (let j = 0; j < K; j++) {
            const src = ((b * h + y + i) * w + xx + j) * c;
            for (let ch = 0; ch < c; ch++) out[o++] = x[src + ch];
          }
        }
      }
    }
  }
  return out;
}

function col2imLoops(dy: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const oh = h - K + 1;
  const ow = w - K + 1;
  const dx = new Float32Array(n * h * w * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        for (let i = 0; i < K; i++) {
          for (let j = 0; j < K; j++) {
            const dst = ((b * h + y + i) * w + xx + j) * c;
            for (let ch = 0; ch < c; ch++) dx[dst + ch] += dy[o++];
          }
        }
      }
    }
  }
  return dx;
}

const im2colCpu = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const value = tf.tensor4d(im2colLoops(x.dataSync() as Float32Array, n, h, w, c), [n, h - 2, w - 2, 9 * c]);
  return {
    value,
    gradFunc: (dy: tf.Tensor) => tf.tensor4d(col2imLoops(dy.dataSync() as Float32Array, n, h, w, c), [n, h, w, c]),
  };
});

export function im2col(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (tf.getBackend() === 'cpu') return im2colCpu(x) as tf.Tensor4D;
  const cols: tf.Tensor4D[] = [];
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) cols.push(tf.slice(x, [0, i, j, 0], [n, h - 2, w - 2, c]));
  return tf.concat(cols, 3);
}

/** 2x2 max pooling, stride 2, valid. cpu: plain loops that remember each window's winner for the gradient. */
export function maxPool2(x: tf.Tensor4D): tf.Tensor4D {
  if (tf.getBackend() !== 'cpu') return tf.maxPool(x, 2, 2, 'valid');
  return maxPoolCpu(x) as tf.Tensor4D;
}

const maxPoolCpu = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const ph = Math.floor(h / 2);
  const pw = Math.floor(w / 2);
  const src = x.dataSync() as Float32Array;
  const out = new Float32Array(n * ph * pw * c);
  const winner = new Int32Array(out.length);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < ph; y++) {
      for (let xx = 0; xx < pw; xx++) {
        const base = ((b * h + 2 * y) * w + 2 * xx) * c;
        for (let ch = 0; ch < c; ch++, o++) {
          let best = base + ch;
          for (const d of [c, w * c, w * c + c]) if (src[base + ch + d] > src[best]) best = base + ch + d;
          out[o] = src[best];
          winner[o] = best;
        }
      }
    }
  }
  return {
    value: tf.tensor4d(out, [n, ph, pw, c]),
    gradFunc: (dy: tf.Tensor) => {
      const g = dy.dataSync() as Float32Array;
      const dx = new Float32Array(n * h * w * c);
      for (let k = 0; k < g.length; k++) dx[winner[k]] += g[k];
      return tf.tensor4d(dx, [n, h, w, c]);
    },
  };
});
