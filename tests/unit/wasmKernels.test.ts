// Each kernel registered for the wasm backend (src/lib/nn/wasm) against the cpu backend's own kernel, on the
// same inputs, for the stride/padding cases training uses and a few it does not (which may take a fallback).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/lib/nn/backends';
import { rng } from '../../src/lib/nn/random';
import { reluMaxPool2 } from '../../src/lib/nn/wasm/reluMaxPool';

beforeAll(async () => {
  expect((await selectBackend(['wasm'])).name).toBe('wasm');
});

/** Seeded values in [-1, 1); `levels` > 0 rounds them to that many steps so max pooling meets ties. */
function values(n: number, seed: number, levels = 0): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = 2 * r() - 1;
    out[i] = levels ? Math.round(v * levels) / levels : v;
  }
  return out;
}

type Inputs = Record<string, { data: Float32Array; shape: number[] }>;

/** Runs kernel `name` on `backend` and returns its output's values and shape; checks the wasm one leaks nothing. */
async function run(backend: 'cpu' | 'wasm', name: string, inputs: Inputs, attrs: object) {
  await tf.setBackend(backend);
  const before = tf.engine().backend.numDataIds();
  const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
  const out = tf.engine().runKernel(name, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { data: (await out.data()) as Float32Array, shape: out.shape };
  out.dispose();
  Object.values(ts).forEach((t) => t.dispose());
  expect(tf.engine().backend.numDataIds()).toBe(before);
  return result;
}

async function agree(name: string, inputs: Inputs, attrs: object) {
  const cpu = await run('cpu', name, inputs, attrs);
  const wasm = await run('wasm', name, inputs, attrs);
  expect(wasm.shape).toEqual(cpu.shape);
  let scale = 1;
  cpu.data.forEach((v) => (scale = Math.max(scale, Math.abs(v))));
  let diff = 0;
  cpu.data.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - wasm.data[i]))));
  expect(diff / scale).toBeLessThan(2e-6);
  // Guards against comparing two empty or all-zero results.
  expect(cpu.data.some((v) => v !== 0)).toBe(true);
}

const t = (shape: number[], seed: number, levels = 0) => ({
  data: values(
    shape.reduce((a, b) => a * b, 1),
    seed,
    levels,
  ),
  shape,
});

/** Output size of a conv along one axis. */
const outSize = (n: number, k: number, s: number, pad: 'valid' | 'same' | number) =>
  pad === 'same'
    ? Math.ceil(n / s)
    : pad === 'valid'
      ? Math.floor((n - k) / s) + 1
      : Math.floor((n + 2 * pad - k) / s) + 1;

const convCases: Array<[string, number[], number[], number, 'valid' | 'same' | number]> = [
  ['cin 1, cout 6, stride 1 valid', [3, 12, 12, 1], [3, 3, 1, 6], 1, 'valid'],
  ['mnist-paper conv 1 shape (cin 1, cout 64: the patches path)', [3, 12, 12, 1], [3, 3, 1, 64], 1, 'valid'],
  ['cin 2, cout 20 (patches path)', [2, 8, 7, 2], [3, 3, 2, 20], 1, 'valid'],
  ['conv 2 shape, stride 1 valid', [2, 9, 9, 6], [3, 3, 6, 4], 1, 'valid'],
  ['stride 1 same', [2, 7, 8, 3], [3, 3, 3, 5], 1, 'same'],
  ['stride 2 valid', [2, 11, 10, 3], [3, 3, 3, 4], 2, 'valid'],
  ['stride 2 same', [2, 9, 10, 2], [3, 3, 2, 3], 2, 'same'],
  ['explicit padding 1', [2, 6, 6, 2], [3, 3, 2, 3], 1, 1],
  ['5x3 kernel', [2, 8, 9, 2], [5, 3, 2, 3], 1, 'valid'],
];

describe('wasm training kernels agree with the cpu backend', () => {
  it.each(convCases)('Conv2DBackpropFilter: %s', async (_, xShape, wShape, s, pad) => {
    const [n, h, w] = xShape;
    const dy = [n, outSize(h, wShape[0], s, pad), outSize(w, wShape[1], s, pad), wShape[3]];
    await agree(
      'Conv2DBackpropFilter',
      { x: t(xShape, 1), dy: t(dy, 2) },
      { strides: s, pad, dataFormat: 'NHWC', filterShape: wShape },
    );
  });

  it.each(convCases)('Conv2DBackpropInput: %s', async (_, xShape, wShape, s, pad) => {
    const [n, h, w] = xShape;
    const dy = [n, outSize(h, wShape[0], s, pad), outSize(w, wShape[1], s, pad), wShape[3]];
    await agree(
      'Conv2DBackpropInput',
      { dy: t(dy, 3), filter: t(wShape, 4) },
      { strides: s, pad, dataFormat: 'NHWC', inputShape: xShape },
    );
  });

  it.each([
    ['2x2 stride 2 valid, even size', [2, 8, 8, 3], 2, 2, 'valid'],
    ['2x2 stride 2 valid, odd size (last row dropped)', [2, 11, 9, 4], 2, 2, 'valid'],
    ['2x2 stride 1 valid (overlapping windows)', [1, 5, 6, 2], 2, 1, 'valid'],
    ['3x3 stride 2 same', [2, 7, 7, 2], 3, 2, 'same'],
  ] as Array<[string, number[], number, number, 'valid' | 'same']>)(
    'MaxPoolGrad: %s, with ties',
    async (_, shape, f, s, pad) => {
      // Few levels make equal values in a window common, so the tie rule is exercised too.
      const input = t(shape, 5, 3);
      const pooled = await run('cpu', 'MaxPool', { x: input }, { filterSize: f, strides: s, pad });
      await agree(
        'MaxPoolGrad',
        { dy: t(pooled.shape, 6), input, output: { data: pooled.data, shape: pooled.shape } },
        { filterSize: f, strides: s, pad },
      );
    },
  );

  it.each([
    ['batch 1, plain', [1, 5, 7], [1, 7, 3], false, false],
    ['batch 1, a transposed', [1, 7, 5], [1, 7, 3], true, false],
    ['batch 1, b transposed', [1, 5, 7], [1, 3, 7], false, true],
    ['batch 4, plain (ensemble dense layer)', [4, 6, 5], [4, 5, 3], false, false],
    ['batch 4, both transposed', [4, 5, 6], [4, 3, 5], true, true],
    ['batch 3 against one matrix', [3, 4, 5], [1, 5, 2], false, false],
    ['rank 2, a transposed (dense kernel gradient)', [9, 4], [9, 6], true, false],
  ] as Array<[string, number[], number[], boolean, boolean]>)(
    'BatchMatMul: %s',
    async (_, aShape, bShape, transposeA, transposeB) => {
      await agree('BatchMatMul', { a: t(aShape, 7), b: t(bShape, 8) }, { transposeA, transposeB });
    },
  );

  it.each([
    ['leading axes of [n, h, w, c] (conv bias gradient)', [4, 5, 6, 7], [0, 1, 2], false],
    ['middle axis, keepDims (ensemble bias gradient)', [3, 8, 5], [1], true],
    ['innermost axis (original kernel)', [3, 8, 5], [2], false],
    ['non-contiguous axes (original kernel)', [3, 4, 5], [0, 2], false],
  ] as Array<[string, number[], number[], boolean]>)('Sum: %s', async (_, shape, axis, keepDims) => {
    await agree('Sum', { x: t(shape, 9) }, { axis, keepDims });
  });
});

describe('wasm kernels that change how data is held', () => {
  it('FusedConv2D takes a bias that is a reshaped [1, 1, c] tensor, with the cpu result', async () => {
    const x = values(2 * 7 * 7 * 3, 10);
    const w = values(3 * 3 * 3 * 5, 11);
    const b = values(5, 12);
    const conv = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      return tf.tidy(() =>
        tf.fused.conv2d({
          x: tf.tensor4d(x, [2, 7, 7, 3]),
          filter: tf.tensor4d(w, [3, 3, 3, 5]),
          strides: 1,
          pad: 'valid',
          bias: tf.reshape(tf.tensor3d(b, [1, 1, 5]), [5]),
        }),
      );
    };
    const cpu = await conv('cpu');
    const wasm = await conv('wasm');
    const [a, c] = [await cpu.data(), await wasm.data()];
    tf.dispose([cpu, wasm]);
    let diff = 0;
    a.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - c[i]))));
    expect(diff).toBeLessThan(1e-5);
  });

  it('Identity shares the data and counts a reference, so a clone outlives its source', async () => {
    await tf.setBackend('wasm');
    const before = tf.engine().backend.numDataIds();
    const source = tf.tensor2d(values(12, 13), [3, 4]);
    const copy = tf.clone(source);
    expect(tf.engine().backend.numDataIds()).toBe(before + 1);
    const expected = Array.from(await source.data());
    source.dispose();
    expect(Array.from(await copy.data())).toEqual(expected);
    copy.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
  });

  it('Cast to the same dtype shares the data; to another dtype it still converts', async () => {
    await tf.setBackend('wasm');
    const before = tf.engine().backend.numDataIds();
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const same = tf.cast(x, 'float32');
    expect(tf.engine().backend.numDataIds()).toBe(before + 1);
    const ints = tf.cast(x, 'int32');
    expect(ints.dtype).toBe('int32');
    expect(Array.from(await ints.data())).toEqual([1, -2, 3]);
    x.dispose();
    expect(Array.from(await same.data())).toEqual([1.5, -2.25, 3]);
    tf.dispose([same, ints]);
    expect(tf.engine().backend.numDataIds()).toBe(before);
  });

  it.each([[[2, 8, 8, 3]], [[2, 11, 9, 4]]])(
    'reluMaxPool2 on wasm: the values and gradient of maxPool(relu(x)) on cpu, ties and negatives included (%j)',
    async (shape) => {
      // Few levels: windows with equal maxima, all-negative windows and zeros are all common.
      const x = t(shape, 14, 2);
      const dy = t([shape[0], Math.floor(shape[1] / 2), Math.floor(shape[2] / 2), shape[3]], 15);
      const both = async (backend: 'cpu' | 'wasm') => {
        await tf.setBackend(backend);
        const pool = (v: tf.Tensor4D) =>
          backend === 'wasm' ? reluMaxPool2(v) : (tf.maxPool(tf.relu(v), 2, 2, 'valid') as tf.Tensor4D);
        const xs = tf.tensor4d(x.data, shape as [number, number, number, number]);
        const weights = tf.tensor(dy.data, dy.shape);
        const value = pool(xs);
        const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pool(v as tf.Tensor4D), weights)))(xs);
        const out = { value: await value.data(), grad: await grad.data() };
        tf.dispose([xs, weights, value, grad]);
        return out;
      };
      const cpu = await both('cpu');
      const wasm = await both('wasm');
      // Exactly equal, though the cpu path's gradient has -0 where dy < 0 meets ReLU's zero slope.
      const exact = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).every((v, i) => v === b[i]);
      expect(exact(wasm.value, cpu.value)).toBe(true);
      expect(exact(wasm.grad, cpu.grad)).toBe(true);
      expect(cpu.grad.some((v) => v !== 0)).toBe(true);
      expect(cpu.value.some((v) => v === 0)).toBe(true);
    },
  );
});
