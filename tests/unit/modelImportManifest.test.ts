// Bare weights manifests (face-api.js style), kernels found by shape, and quantized weights read as tfjs reads them.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { kernelFilters } from '../../src/lib/nn/convLayers';
import {
  extractLayerFilters,
  loadModelFromFiles,
  loadModelFromUrl,
  ModelImportError,
  openModel,
  readWeight,
  type ModelFiles,
} from '../../src/lib/nn/modelImport';
import { openModelFile } from '../../src/lib/nn/modelImportNode';
import { saveWeightsManifest, type ManifestTensor, type SavedManifest } from './modelImportFixture';

let root: string;
let saved: SavedManifest;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kleinscope-manifest-'));
  saved = saveWeightsManifest(join(root, 'net'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** IEEE half precision written out: (-1)^s 2^(e-15) (1 + f/1024), subnormals 2^-14 (f/1024). */
function halfFormula(bits: number): number {
  const sign = bits >> 15 ? -1 : 1;
  const e = (bits >> 10) & 31;
  const f = bits & 1023;
  return e === 0 ? sign * 2 ** -14 * (f / 1024) : sign * 2 ** (e - 15) * (1 + f / 1024);
}

/** What the formula gives for a stored tensor, rounded to float32 as tfjs stores it. */
function dequantized(t: ManifestTensor): number[] {
  const q = t.quantization;
  if (!q) return t.stored;
  if (q.dtype === 'float16') return t.stored.map((b) => Math.fround(halfFormula(b)));
  return t.stored.map((v) => Math.fround(v * q.scale + q.min));
}

function memoryFiles(json: string, bytes: Uint8Array): ModelFiles {
  return {
    label: 'mem/model.json',
    readJson: async () => json,
    shardLabel: (p) => p,
    size: async () => bytes.length,
    read: async (_p, s, e) => bytes.slice(s, e),
  };
}

async function importError(path: string): Promise<ModelImportError> {
  const e = await openModelFile(path).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelImportError);
  return e as ModelImportError;
}

describe('a bare weights manifest (face-api.js style)', () => {
  test('every 4-d [k,k,cin,cout] tensor is a kernel, in manifest order; depthwise ones by name', async () => {
    const model = await openModelFile(saved.path);
    expect(model.format).toBe('weights-manifest');
    expect(model.kernelsFrom).toBe('shape');
    expect(
      model.convLayers.map((l) => [l.index, l.name, l.kind, l.kernelShape.join('x'), l.nFilters, l.is3x3]),
    ).toEqual([
      [1, 'conv0/filters', 'conv2d', '3x3x3x16', 48, true],
      [2, 'conv1/depthwise_filter', 'depthwise', '3x3x16x1', 16, true],
      [3, 'conv1/pointwise_filter', 'conv2d', '1x1x16x32', 512, false],
      [4, 'conv2/filters', 'conv2d', '3x3x32x8', 256, true],
      [5, 'conv3/filters', 'conv2d', '5x5x8x4', 32, false],
      [6, 'conv4/filters', 'conv2d', '3x3x8x6', 48, true],
    ]);
  });

  test('uint8, uint16 and float16 tensors dequantize to v*scale+min and the IEEE half value', async () => {
    const model = await openModelFile(saved.path);
    for (const t of saved.tensors) {
      const got = Array.from(await readWeight(model, t.name));
      expect(got, t.name).toEqual(dequantized(t));
    }
    // The formula is not a tautology: spot values computed by hand.
    const conv0 = saved.tensors[0];
    const q = conv0.quantization as { scale: number; min: number };
    expect(q.min + 255 * q.scale).toBeCloseTo(0.8312, 12);
    expect(halfFormula(0x3c00)).toBe(1);
    expect(halfFormula(0xc000)).toBe(-2);
    expect(halfFormula(0x0001)).toBe(2 ** -24);
    expect(halfFormula(0x7bff)).toBe(65504);
  });

  test('every tensor reads exactly as tfjs decodes the same bytes (tf.io.decodeWeights)', async () => {
    const model = await openModelFile(saved.path);
    const json = JSON.parse(readFileSync(saved.path, 'utf8')) as Array<{ weights: tf.io.WeightsManifestEntry[] }>;
    for (const [g, group] of json.entries()) {
      const bytes = Buffer.concat(saved.shards[g].map((p) => readFileSync(join(saved.dir, p))));
      const decoded = tf.io.decodeWeights(new Uint8Array(bytes).buffer, group.weights);
      for (const spec of group.weights) {
        const ours = await readWeight(model, spec.name);
        expect(Array.from(ours), spec.name).toEqual(Array.from(decoded[spec.name].dataSync()));
      }
    }
  });

  test('all 65,536 float16 bit patterns decode as tfjs decodes them (NaN payloads aside)', async () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const bytes = new Uint8Array(bits.buffer);
    const spec = { name: 'h', shape: [65536], dtype: 'float32' as const, quantization: { dtype: 'float16' as const } };
    const json = JSON.stringify([{ paths: ['h.bin'], weights: [spec] }]);
    const ours = await readWeight(await openModel(memoryFiles(json, bytes)), 'h');
    const theirs = tf.io.decodeWeights(bytes.buffer, [spec]).h.dataSync();
    let differ = 0;
    for (let i = 0; i < 65536; i++) {
      if (Number.isNaN(theirs[i]) ? !Number.isNaN(ours[i]) : !Object.is(ours[i], theirs[i])) differ++;
    }
    expect(differ).toBe(0);
    expect(ours[0x8000]).toBe(-0);
    expect(ours[0x7c00]).toBe(Infinity);
  });

  test('a layer of quantized kernels is extracted as the spatial filters of the dequantized values', async () => {
    const model = await openModelFile(saved.path);
    for (const index of [1, 2, 4]) {
      const layer = model.convLayers[index - 1];
      const t = saved.tensors.find((x) => x.name === layer.weight)!;
      const { filters, source } = await extractLayerFilters(model, index);
      expect(filters).toEqual(kernelFilters(dequantized(t), layer.kernelShape));
      expect(source.layerName).toBe(layer.name);
      expect(source.architecture).toBe('tiny_net-weights_manifest.json');
    }
  });

  test('the same manifest inside a model.json with an empty or convolution-free topology', async () => {
    const groups = JSON.parse(readFileSync(saved.path, 'utf8'));
    const expected = (await openModelFile(saved.path)).convLayers;
    for (const topology of [{}, null, { node: [{ name: 'x', op: 'Placeholder' }] }]) {
      const path = join(saved.dir, 'model.json');
      writeFileSync(path, JSON.stringify({ modelTopology: topology, weightsManifest: groups }));
      const model = await openModelFile(path);
      expect(model.kernelsFrom).toBe('shape');
      expect(model.convLayers).toEqual(expected);
      unlinkSync(path);
    }
  });

  test('picked in the browser: a manifest, its shards (no extension) and other files of the folder', async () => {
    const file = (name: string) => new File([readFileSync(join(saved.dir, name))], name);
    const picked = [...saved.shards.flat().map(file), file('tiny_net-weights_manifest.json')];
    const model = await loadModelFromFiles(picked);
    const local = await openModelFile(saved.path);
    expect((await extractLayerFilters(model, 2)).filters).toEqual((await extractLayerFilters(local, 2)).filters);
    const other = new File(['[]'], 'other-weights_manifest.json');
    await expect(loadModelFromFiles([...picked, other])).rejects.toThrow(
      'model.json: 2 .json files were picked (other-weights_manifest.json, tiny_net-weights_manifest.json); choose one',
    );
    const chosen = await loadModelFromFiles([...picked, other], 'tiny_net-weights_manifest.json');
    expect(chosen.convLayers).toHaveLength(6);
  });

  test('from the URL of a manifest: shards fetched beside it; a missing one is named by its URL', async () => {
    const base = 'https://cdn.test/npm/face-api/model/';
    const served = new Map(
      [...saved.shards.flat(), 'tiny_net-weights_manifest.json'].map((f) => [
        base + f,
        readFileSync(join(saved.dir, f)),
      ]),
    );
    const fakeFetch = (async (input: string | URL | Request) => {
      const body = served.get(String(input));
      return body ? new Response(new Uint8Array(body)) : new Response('not found', { status: 404 });
    }) as typeof fetch;
    const url = `${base}tiny_net-weights_manifest.json`;
    const model = await loadModelFromUrl(url, { fetch: fakeFetch });
    expect(model.format).toBe('weights-manifest');
    const local = await openModelFile(saved.path);
    expect((await extractLayerFilters(model, 4)).filters).toEqual((await extractLayerFilters(local, 4)).filters);
    served.delete(base + saved.shards[1][0]);
    await expect(loadModelFromUrl(url, { fetch: fakeFetch })).rejects.toThrow(
      `${base}${saved.shards[1][0]}: not found (HTTP 404)`,
    );
  });
});

describe('bad manifests: one line naming the file', () => {
  function copy(name: string): SavedManifest {
    return saveWeightsManifest(join(root, name));
  }

  test('a truncated shard and a missing shard are refused before any read', async () => {
    const m = copy('truncated');
    const shard = join(m.dir, m.shards[1][1]);
    const size = readFileSync(shard).length;
    truncateSync(shard, size - 1);
    const e = await importError(m.path);
    const both = m.shards[1].map((p) => join(m.dir, p)).join(', ');
    expect(e.message).toMatch(
      new RegExp(
        `^${both}: truncated or from another model: \\d+ bytes, but the weights tiny_net-weights_manifest.json lists there need \\d+ bytes$`,
      ),
    );
    expect(e.message.split('\n')).toHaveLength(1);
    unlinkSync(join(m.dir, m.shards[0][0]));
    const missing = await importError(m.path);
    expect(missing.message).toBe(`${join(m.dir, m.shards[0][0])}: missing: no such file (listed in ${m.path})`);
  });

  test('quantization tfjs would refuse, and JSON that is no manifest', async () => {
    const m = copy('quant');
    const json = JSON.parse(readFileSync(m.path, 'utf8'));
    delete json[0].weights[0].quantization.scale;
    writeFileSync(m.path, JSON.stringify(json));
    expect((await importError(m.path)).message).toBe(
      `${m.path}: weight 'conv0/filters' is quantized to uint8 but has no 'scale' and 'min'`,
    );
    json[0].weights[0].quantization = { dtype: 'float16' };
    json[0].weights[0].dtype = 'int32';
    writeFileSync(m.path, JSON.stringify(json));
    expect((await importError(m.path)).message).toBe(
      `${m.path}: weight 'conv0/filters' is int32 quantized to float16 (tfjs takes float32 only)`,
    );
    writeFileSync(m.path, JSON.stringify([{ paths: ['a'], weights: [{ name: 'x', shape: [2] }] }]));
    expect((await importError(m.path)).message).toMatch(
      new RegExp(`^${m.path}: not a valid TensorFlow.js weights manifest at 0.weights.0.dtype: `),
    );
  });
});
