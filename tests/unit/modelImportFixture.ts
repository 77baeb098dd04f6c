// Models the tests build and save themselves (never downloaded): a small VGG-shaped layers model saved by tfjs,
// and a hand-written graph model in the converter's format.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SavedModel {
  dir: string;
  modelJson: string;
  model: tf.LayersModel;
  /** Each conv kernel as nested arrays [kh][kw][a][b], by weight name. */
  kernels: Map<string, number[][][][]>;
}

/** VGG-shaped: 3x3 blocks with a 5x5 and a 1x1 conv mixed in, and a depthwise 3x3 near the end. */
export function vggLike(): tf.Sequential {
  const m = tf.sequential({ name: 'tiny_vgg' });
  const conv = (filters: number, kernelSize: number, name: string, inputShape?: number[]) =>
    tf.layers.conv2d({ filters, kernelSize, name, padding: 'same', activation: 'relu', inputShape });
  m.add(conv(8, 3, 'block1_conv1', [12, 12, 3]));
  m.add(conv(8, 3, 'block1_conv2'));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(conv(6, 5, 'block2_conv5x5'));
  m.add(conv(4, 1, 'block2_conv1x1'));
  m.add(conv(16, 3, 'block3_conv1'));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'block3_dw', padding: 'same' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 10, name: 'predictions' }));
  return m;
}

/**
 * Saves `model` as tfjs does (model.json plus weights), in `shards` files split at `splitAt`-byte boundaries
 * (mid-weight on purpose) so reads that cross shard boundaries are exercised.
 */
export async function saveModel(model: tf.LayersModel, dir: string, shards = 1, splitAt = 1000): Promise<SavedModel> {
  mkdirSync(dir, { recursive: true });
  const kernels = new Map<string, number[][][][]>();
  for (const w of model.weights) {
    if (w.shape.length === 4) kernels.set(w.originalName, w.read().arraySync() as number[][][][]);
  }
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!));
      const paths: string[] = [];
      for (let s = 0; s < shards; s++) {
        const name = shards === 1 ? 'weights.bin' : `group1-shard${s + 1}of${shards}.bin`;
        const end = s === shards - 1 ? data.length : (s + 1) * splitAt;
        writeFileSync(join(dir, name), data.subarray(s * splitAt, end));
        paths.push(`./${name}`);
      }
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { dir, modelJson: join(dir, 'model.json'), model, kernels };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ints = (...xs: number[]) => ({ list: { i: xs.map(String) } });
const floatAttr = { type: 'DT_FLOAT' };
const constNode = (name: string, shape: number[]) => ({
  name,
  op: 'Const',
  attr: {
    value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } },
    dtype: floatAttr,
  },
});
const convAttrs = {
  T: floatAttr,
  strides: ints(1, 1, 1, 1),
  dilations: ints(1, 1, 1, 1),
  padding: { s: b64('SAME') },
  data_format: { s: b64('NHWC') },
};

export interface SavedGraph {
  modelJson: string;
  /** Kernels in weight order: a 3x3x2x4 read through an Identity node, a fused 5x5x4x3, a 3x3x3x2. */
  kernels: Array<{ name: string; shape: number[]; values: Float32Array }>;
  bias: Float32Array;
}

/** A graph model as tfjs-converter writes one (Conv2D through Identity, _FusedConv2D with bias), seeded values. */
export function saveGraphModel(dir: string): SavedGraph {
  mkdirSync(dir, { recursive: true });
  let s = 7;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const kernel = (name: string, shape: number[]) => ({
    name,
    shape,
    values: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, rand),
  });
  const kernels = [kernel('g/conv1/filter', [3, 3, 2, 4]), kernel('g/conv2/filter', [5, 5, 4, 3])];
  kernels.push(kernel('g/conv3/filter', [3, 3, 3, 2]));
  const bias = Float32Array.from({ length: 3 }, rand);
  const nodes = [
    {
      name: 'input',
      op: 'Placeholder',
      attr: { dtype: floatAttr, shape: { shape: { dim: [-1, 6, 6, 2].map((d) => ({ size: String(d) })) } } },
    },
    ...kernels.map((k) => constNode(k.name, k.shape)),
    constNode('g/conv2/bias', [3]),
    { name: 'g/conv1/filter/read', op: 'Identity', input: ['g/conv1/filter'], attr: { T: floatAttr } },
    { name: 'g/conv1', op: 'Conv2D', input: ['input', 'g/conv1/filter/read'], attr: convAttrs },
    {
      name: 'g/conv2',
      op: '_FusedConv2D',
      input: ['g/conv1', 'g/conv2/filter', 'g/conv2/bias'],
      attr: { ...convAttrs, num_args: { i: '1' }, fused_ops: { list: { s: [b64('BiasAdd')] } } },
    },
    { name: 'g/conv3', op: 'Conv2D', input: ['g/conv2:0', 'g/conv3/filter'], attr: convAttrs },
    { name: 'output', op: 'Identity', input: ['g/conv3'], attr: { T: floatAttr } },
  ];
  const weights = [...kernels.map((k) => ({ name: k.name, shape: k.shape, dtype: 'float32' }))];
  weights.push({ name: 'g/conv2/bias', shape: [3], dtype: 'float32' });
  const parts = [...kernels.map((k) => k.values), bias];
  const data = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(data.buffer));
  const json = {
    format: 'graph-model',
    generatedBy: 'kleinscope tests',
    convertedBy: 'hand-written in the converter format',
    modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
  };
  const modelJson = join(dir, 'model.json');
  writeFileSync(modelJson, JSON.stringify(json));
  return { modelJson, kernels, bias };
}

/** A tensor of a hand-built weights manifest: its spec and the stored (possibly quantized) numbers. */
export interface ManifestTensor {
  name: string;
  shape: number[];
  quantization?: { dtype: 'uint8' | 'uint16'; scale: number; min: number } | { dtype: 'float16' };
  /** The stored numbers: uint8/uint16 codes, float16 bit patterns, or float32 values. */
  stored: number[];
}

export interface SavedManifest {
  path: string;
  dir: string;
  /** Shard file names per group, in manifest order. */
  shards: string[][];
  tensors: ManifestTensor[];
}

/**
 * A weights manifest as face-api.js ships its networks: a bare `[{weights, paths}]` array, no topology, shards
 * without an extension, and kernels quantized to uint8, uint16 and float16 next to plain float32 ones. The second
 * group is split over two shards in the middle of a tensor.
 */
export function saveWeightsManifest(dir: string, name = 'tiny_net'): SavedManifest {
  mkdirSync(dir, { recursive: true });
  let s = 11;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const uint = (tname: string, shape: number[], dtype: 'uint8' | 'uint16', min: number, max: number) => {
    const levels = dtype === 'uint8' ? 255 : 65535;
    return {
      name: tname,
      shape,
      quantization: { dtype, scale: (max - min) / levels, min },
      stored: Array.from({ length: size(shape) }, () => Math.floor(rand() * (levels + 1))),
    };
  };
  const half = (tname: string, shape: number[]) => {
    // Random bit patterns over the finite halves (exponent < 31), subnormals and signed zeros included.
    const stored = Array.from({ length: size(shape) }, () => Math.floor(rand() * 0x7c00) | (rand() < 0.5 ? 0x8000 : 0));
    return { name: tname, shape, quantization: { dtype: 'float16' as const }, stored };
  };
  const plain = (tname: string, shape: number[]) => ({
    name: tname,
    shape,
    stored: Array.from({ length: size(shape) }, () => Math.fround(rand() * 2 - 1)),
  });
  const groups: ManifestTensor[][] = [
    [
      uint('conv0/filters', [3, 3, 3, 16], 'uint8', -0.7345, 0.8312),
      uint('conv0/bias', [16], 'uint8', -0.1, 0.2),
      uint('conv1/depthwise_filter', [3, 3, 16, 1], 'uint16', -1.25, 1.5),
      half('conv1/pointwise_filter', [1, 1, 16, 32]),
      plain('conv1/bias', [32]),
    ],
    [
      half('conv2/filters', [3, 3, 32, 8]),
      uint('conv3/filters', [5, 5, 8, 4], 'uint8', -0.3, 0.3),
      plain('conv4/filters', [3, 3, 8, 6]),
      uint('fc/weights', [24, 10], 'uint8', -0.5, 0.5),
    ],
  ];
  return writeManifest(dir, name, groups);
}

/**
 * Writes `groups` as a bare weights manifest `NAME-weights_manifest.json` with extension-less shards; a group
 * after the first is split over two shards in the middle of a tensor.
 */
export function writeManifest(dir: string, name: string, groups: ManifestTensor[][]): SavedManifest {
  mkdirSync(dir, { recursive: true });
  const bytesOf = (t: ManifestTensor): Uint8Array => {
    const q = t.quantization?.dtype;
    if (q === 'uint8') return Uint8Array.from(t.stored);
    const out = new DataView(new ArrayBuffer(t.stored.length * (q ? 2 : 4)));
    t.stored.forEach((v, i) => (q ? out.setUint16(2 * i, v, true) : out.setFloat32(4 * i, v, true)));
    return new Uint8Array(out.buffer);
  };
  const shards: string[][] = [];
  const manifest = groups.map((tensors, g) => {
    const parts = tensors.map(bytesOf);
    const data = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    const cut = g === 0 ? [data.length] : [Math.floor(data.length / 2) + 1, data.length];
    const paths = cut.map((_, i) => `${name}-group${g + 1}-shard${i + 1}`);
    cut.forEach((end, i) => writeFileSync(join(dir, paths[i]), data.subarray(i ? cut[i - 1] : 0, end)));
    shards.push(paths);
    return {
      weights: tensors.map((t) => ({
        name: t.name,
        shape: t.shape,
        dtype: 'float32',
        ...(t.quantization ? { quantization: t.quantization } : {}),
      })),
      paths,
    };
  });
  const path = join(dir, `${name}-weights_manifest.json`);
  writeFileSync(path, JSON.stringify(manifest));
  return { path, dir, shards, tensors: groups.flat() };
}
