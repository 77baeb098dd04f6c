/**
 * Conv2DBackpropFilter, which tfjs-backend-wasm 4.22 lacks. The filter gradient
 * dW[i, j, c, o] = sum over n, y, x of x[n, y*s + i, x*s + j, c] * dy[n, y, x, o]
 * is itself a convolution once batch and channels swap roles: x^T [cin, h, w, n] convolved with dy^T
 * [oh, ow, n, cout] as the kernel (dilated by the stride) gives [cin, kh', kw', cout]. So one XNNPACK Conv2D
 * does the work the cpu backend does in scalar loops; padding becomes an explicit pad of x first.
 */
import * as tf from '@tensorflow/tfjs';
import { callKernel, release, transpose, type KernelArgs, type WasmBackend } from './backendInternals';

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
