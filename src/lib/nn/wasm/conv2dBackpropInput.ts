/**
 * Conv2DBackpropInput for stride 1: the input gradient is the convolution of dy, padded by kernel-1 minus the
 * forward padding, with the kernel flipped in space and its channel axes swapped. tfjs-backend-wasm 4.22 has
 * this op as scalar loops (45 ms for mnist-paper's conv 2); one XNNPACK Conv2D takes about 5. Strided or
 * dilated cases keep the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { callKernel, f32, release, type KernelArgs } from './backendInternals';

type Attrs = {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
};

export function conv2dBackpropInputVia(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as unknown as KernelArgs;
    const { dy, filter } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Attrs;
    const [kh, kw, cin, cout] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      [kh, kw, cin, cout],
      strides,
      1,
      pad as 'valid',
      dimRoundingMode,
    );
    const p = info.padInfo;
    const full = [kh - 1 - p.top, kh - 1 - p.bottom, kw - 1 - p.left, kw - 1 - p.right];
    if (dataFormat === 'NCHW' || info.strideHeight !== 1 || info.strideWidth !== 1 || full.some((v) => v < 0)) {
      return original(args);
    }
    const flipped = backend.makeOutput([kh, kw, cout, cin], 'float32');
    const src = f32(backend, filter);
    const dst = f32(backend, flipped);
    // flipped[i, j, o, c] = filter[kh-1-i, kw-1-j, c, o]
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const from = ((kh - 1 - i) * kw + (kw - 1 - j)) * cin * cout;
        const to = (i * kw + j) * cout * cin;
        for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) dst[to + o * cin + c] = src[from + c * cout + o];
      }
    }
    const dx = callKernel(
      'Conv2D',
      backend,
      { x: dy, filter: flipped },
      {
        strides: 1,
        pad: [
          [0, 0],
          [full[0], full[1]],
          [full[2], full[3]],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: 1,
      },
    );
    release(backend, flipped);
    return dx;
  };
}
