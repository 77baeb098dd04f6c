/**
 * Conv2DBackpropFilter, which tfjs-backend-wasm 4.22 lacks. The filter gradient
 * dW[i, j, c, o] = sum over n, y, x of x[n, y*s + i, x*s + j, c] * dy[n, y, x, o]
 * is itself a convolution once batch and channels swap roles: x^T [cin, h, w, n] convolved with dy^T
 * [oh, ow, n, cout] as the kernel (dilated by the stride) gives [cin, kh', kw', cout]. So one XNNPACK Conv2D
 * does the work the cpu backend does in scalar loops; padding becomes an explicit pad of x first.
 *
 * When the patches are smaller than dy (few input channels, many outputs: mnist-paper's first layer) that conv
 * would pack all of dy as its kernel; there dy^T times the im2col patches, one XNNPACK matMul, is about 4x
 * faster, for stride 1 without padding.
 */
import * as tf from '@tensorflow/tfjs';
import { callKernel, f32, release, transpose, type KernelArgs, type WasmBackend } from './backendInternals';

type Attrs = {
  strides: number | [number, number];
  pad: tf.backend_util.PadInfo['type'] | number | tf.backend_util.ExplicitPadding | 'valid' | 'same';
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
};

export function conv2dBackpropFilter({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Attrs;
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter: only NHWC (channelsLast) is supported');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad as 'valid',
    dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  const plain = !(top || bottom || left || right) && info.strideHeight === 1 && info.strideWidth === 1;
  if (plain && info.filterHeight * info.filterWidth * info.inChannels <= info.outChannels) {
    return viaPatches(backend, x, dy, info.filterHeight, info.filterWidth);
  }
  const padded =
    top || bottom || left || right
      ? callKernel(
          'PadV2',
          backend,
          { x },
          {
            paddings: [
              [0, 0],
              [top, bottom],
              [left, right],
              [0, 0],
            ],
            constantValue: 0,
          },
        )
      : null;
  const xT = transpose(backend, padded ?? x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const conv = callKernel(
    'Conv2D',
    backend,
    { x: xT, filter: dyT },
    {
      strides: 1,
      pad: 'valid',
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
    },
  );
  release(backend, xT, dyT, ...(padded ? [padded] : []));
  return crop(backend, conv, info.filterHeight, info.filterWidth);
}

/** [cin, kh', kw', cout] -> [kh, kw, cin, cout]: rows past the kernel (possible with strides > 1) are dropped. */
function crop(backend: WasmBackend, conv: tf.TensorInfo, kh: number, kw: number): tf.TensorInfo {
  const [cin, h, w, cout] = conv.shape;
  let fitted = conv;
  if (h !== kh || w !== kw) {
    fitted = callKernel('Slice', backend, { x: conv }, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] });
    release(backend, conv);
  }
  const out = transpose(backend, fitted, [1, 2, 0, 3]);
  release(backend, fitted);
  return out;
}

/** dW = (dy^T [cout, p] times patches [p, kh*kw*cin])^T, p running over every output pixel of every image. */
function viaPatches(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, kh: number, kw: number) {
  const [n, h, w, cin] = x.shape;
  const [, oh, ow, cout] = dy.shape;
  const p = n * oh * ow;
  const row = kh * kw * cin;
  const patches = backend.makeOutput([1, p, row], 'float32');
  const src = f32(backend, x);
  const dst = f32(backend, patches);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        for (let i = 0; i < kh; i++) {
          const from = ((b * h + y + i) * w + xx) * cin;
          for (let q = 0; q < kw * cin; q++) dst[o++] = src[from + q];
        }
      }
    }
  }
  const dyT = transpose(backend, { dataId: dy.dataId, shape: [1, p, cout], dtype: 'float32' }, [0, 2, 1]);
  const product = callKernel('BatchMatMul', backend, { a: dyT, b: patches }, { transposeA: false, transposeB: false });
  release(backend, dyT, patches);
  const out = transpose(backend, { dataId: product.dataId, shape: [cout, row], dtype: 'float32' }, [1, 0]);
  release(backend, product);
  return { ...out, shape: [kh, kw, cin, cout] };
}
