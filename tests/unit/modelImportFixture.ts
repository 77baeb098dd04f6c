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
