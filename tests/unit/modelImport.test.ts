import * as tf from '@tensorflow/tfjs';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seededSample, kernelFilters } from '../../src/lib/nn/convLayers';
import {
  extractLayerFilters,
  loadModelFromFiles,
  loadModelFromUrl,
  ModelImportError,
  openModel,
  readWeight,
  type ModelFiles,
} from '../../src/lib/nn/modelImport';
import { fileHandler, openModelFile } from '../../src/lib/nn/modelImportNode';
import { saveGraphModel, saveModel, vggLike, type SavedModel } from './modelImportFixture';

let root: string;
let saved: SavedModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'kleinscope-import-'));
  saved = await saveModel(vggLike(), join(root, 'vgg'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Filter f = co * cin + ci of a nested [3][3][cin][cout] kernel, as 9 numbers. */
function expectedFilter(kernel: number[][][][], f: number): number[] {
  const cin = kernel[0][0].length;
  const ci = f % cin;
  const co = Math.floor(f / cin);
  return [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => kernel[i][j][ci][co]));
}

function rows(filters: Float64Array): number[][] {
  return Array.from({ length: filters.length / 9 }, (_, r) => Array.from(filters.subarray(9 * r, 9 * r + 9)));
}

/** A copy of the saved model in a fresh folder, for tests that break it. */
function copyModel(name: string, files = ['model.json', 'weights.bin']): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const f of files) copyFileSync(join(saved.dir, f), join(dir, f));
  return join(dir, 'model.json');
}

async function importError(path: string): Promise<ModelImportError> {
  const e = await openModelFile(path).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelImportError);
  return e as ModelImportError;
}

describe('layers models', () => {
  test('lists conv layers in order with kernel shapes and filter counts', async () => {
    const model = await openModelFile(saved.modelJson);
    expect(model.format).toBe('layers-model');
    expect(model.modelName).toBe('tiny_vgg');
    const summary = model.convLayers.map((l) => [l.index, l.name, l.kernelShape, l.nFilters, l.is3x3, l.kind]);
    expect(summary).toEqual([
      [1, 'block1_conv1', [3, 3, 3, 8], 24, true, 'conv2d'],
      [2, 'block1_conv2', [3, 3, 8, 8], 64, true, 'conv2d'],
      [3, 'block2_conv5x5', [5, 5, 8, 6], 48, false, 'conv2d'],
      [4, 'block2_conv1x1', [1, 1, 6, 4], 24, false, 'conv2d'],
      [5, 'block3_conv1', [3, 3, 4, 16], 64, true, 'conv2d'],
      [6, 'block3_dw', [3, 3, 16, 2], 32, true, 'depthwise'],
    ]);
  });

  test('extracts exactly the in-memory kernel slices, element (i,j) of filter (ci,co) = kernel[i][j][ci][co]', async () => {
    const model = await openModelFile(saved.modelJson);
    for (const index of [1, 2, 5, 6]) {
      const layer = model.convLayers[index - 1];
      const { filters, source } = await extractLayerFilters(model, index);
      const kernel = saved.kernels.get(layer.weight)!;
      const want = Array.from({ length: layer.nFilters }, (_, f) => expectedFilter(kernel, f));
      expect(rows(filters)).toEqual(want.map((r) => r.map((v) => Math.fround(v))));
      expect(source).toMatchObject({
        kind: 'model',
        architecture: 'tiny_vgg',
        layer: index,
        layerName: layer.name,
        kernelShape: layer.kernelShape,
      });
      expect(source.subsample).toBeUndefined();
    }
  });

  test('reads weights that cross shard boundaries', async () => {
    const sharded = await saveModel(saved.model, join(root, 'sharded'), 4, 700);
    const model = await openModelFile(sharded.modelJson);
    expect(model.shardSizes[0]).toEqual([700, 700, 700, expect.any(Number)]);
    const one = await openModelFile(saved.modelJson);
    for (const layer of model.convLayers) {
      expect(await readWeight(model, layer.weight)).toEqual(await readWeight(one, layer.weight));
    }
  });

  test('refuses non-3x3 layers and missing layers with a message naming the usable ones', async () => {
    const model = await openModelFile(saved.modelJson);
    await expect(extractLayerFilters(model, 3)).rejects.toThrow(
      "layer 3 (Conv2D 'block2_conv5x5') has 5x5 kernels; the analysis takes 3x3 spatial filters only (layers with 3x3 kernels: 1, 2, 5, 6)",
    );
    await expect(extractLayerFilters(model, 4)).rejects.toThrow('has 1x1 kernels');
    await expect(extractLayerFilters(model, 7)).rejects.toThrow(
      'layer 7 does not exist: the model has conv layers 1 to 6',
    );
    await expect(extractLayerFilters(model, 0)).rejects.toThrow('layer 0 does not exist');
  });

  test('a seeded subsample is recorded in the source and picks rows of the full layer', async () => {
    const model = await openModelFile(saved.modelJson);
    const full = rows((await extractLayerFilters(model, 2)).filters);
    const a = await extractLayerFilters(model, 2, { maxFilters: 10, seed: 42 });
    expect(a.source.subsample).toEqual({ of: 64, taken: 10, seed: 42 });
    const pick = Array.from(seededSample(64, 10, 42));
    expect(rows(a.filters)).toEqual(pick.map((f) => full[f]));
    const again = await extractLayerFilters(model, 2, { maxFilters: 10, seed: 42 });
    expect(again.filters).toEqual(a.filters);
    const other = await extractLayerFilters(model, 2, { maxFilters: 10, seed: 43 });
    expect(other.filters).not.toEqual(a.filters);
  });

  test('the fs IOHandler gives tfjs a model that predicts like the original', async () => {
    const loaded = await tf.loadLayersModel(fileHandler(saved.modelJson));
    const x = tf.randomUniform([2, 12, 12, 3], 0, 1, 'float32', 3);
    const want = (saved.model.predict(x) as tf.Tensor).arraySync() as number[][];
    const got = (loaded.predict(x) as tf.Tensor).arraySync() as number[][];
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 5)));
  });
});

describe('graph models', () => {
  test('finds conv ops through Identity nodes and fused ops, and tfjs runs the same model', async () => {
    const g = saveGraphModel(join(root, 'graph'));
    const model = await openModelFile(g.modelJson);
    expect(model.format).toBe('graph-model');
    expect(model.convLayers.map((l) => [l.index, l.name, l.op, l.weight, l.kernelShape, l.nFilters])).toEqual([
      [1, 'g/conv1', 'Conv2D', 'g/conv1/filter', [3, 3, 2, 4], 8],
      [2, 'g/conv2', '_FusedConv2D', 'g/conv2/filter', [5, 5, 4, 3], 12],
      [3, 'g/conv3', 'Conv2D', 'g/conv3/filter', [3, 3, 3, 2], 6],
    ]);
    const k3 = g.kernels[2];
    const { filters, source } = await extractLayerFilters(model, 3);
    expect(filters).toEqual(kernelFilters(k3.values, [3, 3, 3, 2]));
    expect(source.architecture).toBe('model.json');
    // Filter (ci=1, co=1) is f = 1*3 + 1; element (2,0) sits at ((2*3+0)*3 + 1)*2 + 1 in the flat kernel.
    expect(filters[9 * 4 + 6]).toBe(k3.values[(6 * 3 + 1) * 2 + 1]);

    // The hand-written graph is a real one: tfjs-converter loads it and it computes the convolutions.
    const graph = await tf.loadGraphModel(fileHandler(g.modelJson));
    const x = tf.randomUniform([1, 6, 6, 2], -1, 1, 'float32', 5) as tf.Tensor4D;
    const k = g.kernels.map((kk) => tf.tensor4d(kk.values, kk.shape as [number, number, number, number]));
    const h1 = tf.conv2d(x, k[0], 1, 'same');
    const h2 = tf.add(tf.conv2d(h1, k[1], 1, 'same'), tf.tensor1d(g.bias)) as tf.Tensor4D;
    const want = tf.conv2d(h2, k[2], 1, 'same');
    const got = graph.predict(x) as tf.Tensor;
    const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0];
    expect(diff).toBeLessThan(1e-4);
  });
});

describe('Keras-converted topologies', () => {
  /** An in-memory model: one shard holding `values` as float32. */
  function memModel(topology: object, weights: Array<{ name: string; shape: number[] }>, values: Float32Array) {
    const bytes = new Uint8Array(values.buffer);
    const json = JSON.stringify({
      format: 'layers-model',
      modelTopology: topology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weights.map((w) => ({ ...w, dtype: 'float32' })) }],
    });
    return openModel({
      label: 'keras/model.json',
      readJson: async () => json,
      shardLabel: (p) => p,
      size: async () => bytes.length,
      read: async (_p, a, b) => bytes.slice(a, b),
    });
  }
  const conv = (name: string, filters: number) => ({
    class_name: 'Conv2D',
    config: { name, filters, kernel_size: [3, 3] },
    name,
    inbound_nodes: [],
  });

  test('model_config wrapper, a functional model nested in another, prefixed weight names', async () => {
    const topology = {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Functional',
        config: {
          name: 'outer',
          layers: [
            { class_name: 'InputLayer', config: { name: 'input_1' } },
            { class_name: 'Functional', config: { name: 'vgg16', layers: [conv('block1_conv1', 2)] } },
            conv('head_conv', 1),
          ],
        },
      },
    };
    const values = Float32Array.from({ length: 3 * 9 * 2 + 9 * 2 }, (_, i) => i);
    const model = await memModel(
      topology,
      [
        { name: 'vgg16/block1_conv1/kernel', shape: [3, 3, 3, 2] },
        { name: 'head_conv/kernel', shape: [3, 3, 2, 1] },
      ],
      values,
    );
    expect(model.modelName).toBe('outer');
    expect(model.convLayers.map((l) => [l.name, l.weight, l.nFilters])).toEqual([
      ['block1_conv1', 'vgg16/block1_conv1/kernel', 6],
      ['head_conv', 'head_conv/kernel', 2],
    ]);
    // Filter 1 of the first layer is (ci=1, co=0): kernel[i][j][1][0] = (3 * (3i + j) + 1) * 2.
    const { filters } = await extractLayerFilters(model, 1);
    expect(Array.from(filters.subarray(9, 18))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((ij) => (3 * ij + 1) * 2));
  });

  test('an old Sequential config that is a bare array of layers', async () => {
    const model = await memModel(
      { class_name: 'Sequential', config: [conv('c1', 1)] },
      [{ name: 'c1/kernel', shape: [3, 3, 1, 1] }],
      new Float32Array(9),
    );
    expect(model.convLayers.map((l) => l.name)).toEqual(['c1']);
  });
});

describe('quantized weights', () => {
  test('uint8 (scale, min) and float16 weights are dequantized as tfjs does', async () => {
    const bytes = new Uint8Array([0, 10, 255, 0x00, 0x3c, 0x00, 0xc0, 0x00, 0x35]);
    const json = JSON.stringify({
      format: 'graph-model',
      modelTopology: { node: [] },
      weightsManifest: [
        {
          paths: ['w.bin'],
          weights: [
            { name: 'a', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
            { name: 'b', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
          ],
        },
      ],
    });
    const files: ModelFiles = {
      label: 'mem/model.json',
      readJson: async () => json,
      shardLabel: (p) => p,
      size: async () => bytes.length,
      read: async (_p, s, e) => bytes.slice(s, e),
    };
    const model = await openModel(files);
    expect(Array.from(await readWeight(model, 'a'))).toEqual([-1, 4, 126.5]);
    expect(Array.from(await readWeight(model, 'b'))).toEqual([1, -2, 0.3125]);
  });
});

describe('bad models get one line naming the file', () => {
  test('a missing shard', async () => {
    const path = copyModel('missing');
    unlinkSync(join(root, 'missing', 'weights.bin'));
    const e = await importError(path);
    expect(e.file).toBe(join(root, 'missing', 'weights.bin'));
    expect(e.message).toBe(`${join(root, 'missing', 'weights.bin')}: missing: no such file (listed in ${path})`);
  });

  test('a truncated shard, and one with extra bytes', async () => {
    const path = copyModel('truncated');
    const bin = join(root, 'truncated', 'weights.bin');
    const size = readFileSync(bin).length;
    truncateSync(bin, size - 4);
    let e = await importError(path);
    expect(e.message).toBe(
      `${bin}: truncated or from another model: ${size - 4} bytes, but the weights model.json lists there need ${size} bytes`,
    );
    writeFileSync(bin, new Uint8Array(size + 8));
    e = await importError(path);
    expect(e.message).toContain('longer than the manifest says');
  });

  test('a manifest that does not match the topology', async () => {
    const path = copyModel('manifest');
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const specs = json.weightsManifest[0].weights;
    // Same byte count, wrong layout: the topology says 3x3 kernels and 8 filters.
    specs[0].shape = [1, 9, 3, 8];
    writeFileSync(path, JSON.stringify(json));
    expect((await importError(path)).message).toBe(
      `${path}: weight 'block1_conv1/kernel' has shape [1,9,3,8], but Conv2D layer 'block1_conv1' has kernel_size 3x3`,
    );
    specs[0].shape = [3, 3, 3, 8];
    specs[0].name = 'something/else';
    writeFileSync(path, JSON.stringify(json));
    expect((await importError(path)).message).toBe(
      `${path}: weightsManifest has no 'block1_conv1/kernel' for Conv2D layer 'block1_conv1'`,
    );
    specs[0].dtype = 'float64';
    writeFileSync(path, JSON.stringify(json));
    expect((await importError(path)).message).toMatch(
      new RegExp(`^${path}: not a valid TensorFlow.js model.json at weightsManifest.0.weights.0.dtype: `),
    );
  });

  test('not JSON, and JSON that is not a tfjs model', async () => {
    const path = copyModel('junk', []);
    const dir = join(root, 'junk');
    writeFileSync(path, '{"modelTopology": ');
    expect((await importError(path)).message).toMatch(new RegExp(`^${path}: not JSON \\(`));
    writeFileSync(path, JSON.stringify({ schema: 'kleinscope/analysis@1', source: {} }));
    expect((await importError(path)).message).toBe(
      `${path}: not a TensorFlow.js model or weights manifest: it has no 'modelTopology' or 'weightsManifest'`,
    );
    writeFileSync(path, JSON.stringify({ modelTopology: { foo: 1 }, weightsManifest: [] }));
    expect((await importError(path)).message).toBe(
      `${path}: not a TensorFlow.js model: modelTopology is neither a layers nor a graph model`,
    );
    expect((await importError(join(dir, 'nope.json'))).message).toBe(
      `${join(dir, 'nope.json')}: missing: no such file`,
    );
  });
});

describe('browser sources', () => {
  test('from a URL: shards are fetched beside model.json; a 404 names the shard URL', async () => {
    const served = new Map([
      ['http://models.test/vgg/model.json', readFileSync(saved.modelJson)],
      ['http://models.test/vgg/weights.bin', readFileSync(join(saved.dir, 'weights.bin'))],
    ]);
    const fakeFetch = (async (input: string | URL | Request) => {
      const body = served.get(String(input));
      return body ? new Response(new Uint8Array(body)) : new Response('not found', { status: 404 });
    }) as typeof fetch;
    const model = await loadModelFromUrl('http://models.test/vgg/model.json', { fetch: fakeFetch });
    const local = await openModelFile(saved.modelJson);
    expect((await extractLayerFilters(model, 5)).filters).toEqual((await extractLayerFilters(local, 5)).filters);
    served.delete('http://models.test/vgg/weights.bin');
    await expect(loadModelFromUrl('http://models.test/vgg/model.json', { fetch: fakeFetch })).rejects.toThrow(
      'http://models.test/vgg/weights.bin: not found (HTTP 404)',
    );
  });

  test('from picked files: matched by name; a shard not picked is named', async () => {
    const json = new File([readFileSync(saved.modelJson)], 'model.json');
    const bin = new File([readFileSync(join(saved.dir, 'weights.bin'))], 'weights.bin');
    const model = await loadModelFromFiles([bin, json]);
    const local = await openModelFile(saved.modelJson);
    expect((await extractLayerFilters(model, 1)).filters).toEqual((await extractLayerFilters(local, 1)).filters);
    await expect(loadModelFromFiles([json])).rejects.toThrow(
      'weights.bin: missing: model.json lists it, but it was not picked',
    );
    await expect(loadModelFromFiles([bin])).rejects.toThrow('no .json file was picked');
  });
});
