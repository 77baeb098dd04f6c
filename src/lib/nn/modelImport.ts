// Imports a TensorFlow.js model (layers or graph, model.json plus weight shards as tfjs publishes them, or a bare
// weights manifest as face-api.js ships its networks) and reads the kernels of its conv layers straight from the
// weight bytes, without building the model: that works for every format, needs no tfjs (the Web Worker can do
// it), and reads only the bytes of the layer asked for.
import { z } from 'zod';
import type { Source } from '../result/schema';
import { publicFileName } from '../result/sourceFile';
import {
  graphModelConvLayers,
  kernelsByShape,
  layersModelConvLayers,
  layersModelName,
  refuseNon3x3,
  seededSample,
  kernelFilters,
  TopologyError,
  type ConvLayer,
} from './convLayers';

/** A problem with the model's files; `file` names the one at fault (model.json or a shard). */
export class ModelImportError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** Where a model's files come from: a folder, a URL, or files picked in the browser. */
export interface ModelFiles {
  /** How messages name model.json or the weights manifest (its path, URL or file name). */
  readonly label: string;
  readJson(): Promise<string>;
  /** How messages name the shard at manifest path `path`. */
  shardLabel(path: string): string;
  /** Byte size of a shard; throws ModelImportError when it is missing. */
  size(path: string): Promise<number>;
  /** Bytes [start, end) of a shard. */
  read(path: string, start: number, end: number): Promise<Uint8Array>;
}

const weightSpecSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32', 'bool', 'complex64', 'string']),
  quantization: z
    .object({
      dtype: z.enum(['uint8', 'uint16', 'float16']),
      scale: z.number().finite().optional(),
      min: z.number().finite().optional(),
    })
    .optional(),
});

const manifestSchema = z.array(z.object({ paths: z.array(z.string().min(1)), weights: z.array(weightSpecSchema) }));

const modelJsonSchema = z.object({
  format: z.string().optional(),
  // tfjs saves weights-only artifacts with no topology (absent or null); they are read like a bare manifest.
  modelTopology: z.record(z.string(), z.unknown()).nullish(),
  weightsManifest: manifestSchema,
});

export type WeightSpec = z.infer<typeof weightSpecSchema>;

/** A manifest weight and where its bytes are: `offset` within its group's shards laid end to end. */
export interface WeightEntry extends WeightSpec {
  group: number;
  offset: number;
  byteLength: number;
}

/**
 * `weights-manifest`: no topology, only `[{paths, weights}]` (face-api.js's `*-weights_manifest.json`, or a
 * model.json whose topology is empty).
 */
export type ModelFormat = 'layers-model' | 'graph-model' | 'weights-manifest';

export interface ImportedModel {
  /** model.json (or the manifest) as messages name it. */
  label: string;
  format: ModelFormat;
  /**
   * How the conv kernels were found: through the topology, or by shape (every 4-d [k, k, cin, cout] float tensor,
   * in manifest order) when there is no topology or it names no convolution.
   */
  kernelsFrom: 'topology' | 'shape';
  /** The model's own name when the topology has one (e.g. `vgg16`). */
  modelName?: string;
  /** The raw topology, for callers that want to build the model with tfjs (empty for a weights manifest). */
  topology: Record<string, unknown>;
  /** The manifest as read, shard paths and specs in file order. */
  manifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
  weights: Map<string, WeightEntry>;
  /** Shard byte sizes per manifest group, checked against the manifest. */
  shardSizes: number[][];
  convLayers: ConvLayer[];
  files: ModelFiles;
}

const ELEMENT_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') || '(top level)';
  return `${path}: ${issue?.message ?? 'invalid'}`;
}

interface ParsedModel {
  format: ModelFormat;
  topology: Record<string, unknown>;
  manifest: z.infer<typeof manifestSchema>;
}

/**
 * Parses model.json or a bare weights manifest, and says plainly when it is not JSON or not a tfjs model.
 */
function parseModelJson(label: string, text: string): ParsedModel {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ModelImportError(label, `not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (Array.isArray(value)) {
    const parsed = manifestSchema.safeParse(value);
    if (!parsed.success) {
      throw new ModelImportError(label, `not a valid TensorFlow.js weights manifest at ${firstIssue(parsed.error)}`);
    }
    return { format: 'weights-manifest', topology: {}, manifest: parsed.data };
  }
  const obj = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (!('weightsManifest' in obj)) {
    const what = 'modelTopology' in obj ? "'weightsManifest'" : "'modelTopology' or 'weightsManifest'";
    throw new ModelImportError(label, `not a TensorFlow.js model or weights manifest: it has no ${what}`);
  }
  const parsed = modelJsonSchema.safeParse(value);
  if (!parsed.success) {
    throw new ModelImportError(label, `not a valid TensorFlow.js model.json at ${firstIssue(parsed.error)}`);
  }
  const json = parsed.data;
  const topology = json.modelTopology ?? {};
  return { format: formatOf(label, json.format, topology), topology, manifest: json.weightsManifest };
}

function formatOf(label: string, declared: string | undefined, t: Record<string, unknown>): ModelFormat {
  if (declared === 'graph-model' || Array.isArray(t.node)) return 'graph-model';
  if (declared === 'layers-model' || 'class_name' in t || 'model_config' in t) return 'layers-model';
  if (Object.keys(t).length === 0) return 'weights-manifest';
  throw new ModelImportError(label, 'not a TensorFlow.js model: modelTopology is neither a layers nor a graph model');
}

/** Refuses quantization metadata that tfjs itself would refuse, before any byte is read. */
function checkQuantization(label: string, spec: WeightSpec): void {
  const q = spec.quantization;
  if (!q) return;
  if ((q.dtype === 'uint8' || q.dtype === 'uint16') && (q.scale === undefined || q.min === undefined)) {
    throw new ModelImportError(label, `weight '${spec.name}' is quantized to ${q.dtype} but has no 'scale' and 'min'`);
  }
  if (q.dtype === 'float16' && spec.dtype !== 'float32') {
    throw new ModelImportError(
      label,
      `weight '${spec.name}' is ${spec.dtype} quantized to float16 (tfjs takes float32 only)`,
    );
  }
  if (spec.dtype !== 'float32' && spec.dtype !== 'int32') {
    throw new ModelImportError(label, `weight '${spec.name}' is ${spec.dtype}, which tfjs does not quantize`);
  }
}

/**
 * Opens a model: parses model.json (or a bare weights manifest), checks that every shard exists and that the
 * shards hold exactly the bytes the manifest's dtypes and shapes need, and lists the conv layers. Reads no
 * weights yet.
 * @throws ModelImportError naming the file at fault.
 */
export async function openModel(files: ModelFiles): Promise<ImportedModel> {
  const { label } = files;
  const { format, topology, manifest } = parseModelJson(label, await files.readJson());
  const jsonName = label.split(/[\\/]/).pop() || label;
  const weights = new Map<string, WeightEntry>();
  const shardSizes: number[][] = [];
  for (const [g, group] of manifest.entries()) {
    let offset = 0;
    for (const spec of group.weights) {
      if (spec.dtype === 'string') {
        throw new ModelImportError(label, `weight '${spec.name}' holds strings, which Kleinscope cannot read`);
      }
      checkQuantization(label, spec);
      if (weights.has(spec.name)) throw new ModelImportError(label, `weight '${spec.name}' appears twice`);
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const byteLength = count * ELEMENT_BYTES[spec.quantization?.dtype ?? spec.dtype];
      weights.set(spec.name, { ...spec, group: g, offset, byteLength });
      offset += byteLength;
    }
    if (offset > 0 && group.paths.length === 0) {
      throw new ModelImportError(label, `weightsManifest.${g} lists weights but no weight files`);
    }
    const sizes = await Promise.all(group.paths.map((p) => files.size(p)));
    shardSizes.push(sizes);
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== offset) {
      const shards = group.paths.map((p) => files.shardLabel(p)).join(', ');
      const what = total < offset ? 'truncated or from another model' : 'longer than the manifest says';
      throw new ModelImportError(
        shards,
        `${what}: ${total} bytes, but the weights ${jsonName} lists there need ${offset} bytes`,
      );
    }
  }
  const shapes = [...weights.values()].map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype }));
  let convLayers: ConvLayer[] = [];
  try {
    if (format === 'graph-model') convLayers = graphModelConvLayers(topology, shapes);
    else if (format === 'layers-model') convLayers = layersModelConvLayers(topology, shapes);
  } catch (e) {
    if (e instanceof TopologyError) throw new ModelImportError(label, e.message);
    throw e;
  }
  // A topology that names no convolution (or none at all) still has its kernels in the manifest.
  const kernelsFrom = convLayers.length ? 'topology' : 'shape';
  if (kernelsFrom === 'shape') convLayers = kernelsByShape(shapes);
  return {
    label,
    format,
    kernelsFrom,
    modelName: format === 'layers-model' ? layersModelName(topology) : undefined,
    topology,
    manifest,
    weights,
    shardSizes,
    convLayers,
    files,
  };
}

/** The raw bytes of one weight, read from whichever shards of its group hold them. */
export async function readWeightBytes(model: ImportedModel, name: string): Promise<Uint8Array> {
  const w = model.weights.get(name);
  if (!w) throw new ModelImportError(model.label, `weightsManifest has no weight '${name}'`);
  const paths = model.manifest[w.group].paths;
  const sizes = model.shardSizes[w.group];
  const out = new Uint8Array(w.byteLength);
  let shardStart = 0;
  for (let s = 0; s < paths.length && shardStart < w.offset + w.byteLength; s++) {
    const shardEnd = shardStart + sizes[s];
    const from = Math.max(w.offset, shardStart);
    const to = Math.min(w.offset + w.byteLength, shardEnd);
    if (from < to) {
      const bytes = await model.files.read(paths[s], from - shardStart, to - shardStart);
      if (bytes.length !== to - from) {
        throw new ModelImportError(model.files.shardLabel(paths[s]), `changed while reading (short read)`);
      }
      out.set(bytes, from - w.offset);
    }
    shardStart = shardEnd;
  }
  return out;
}

// Exact: every half-precision value, subnormals and infinities included, is a float32, and this gives the same
// float32 as tfjs's table decoder (getFloat16Decoder) for every one of the 65,536 bit patterns but NaN payloads.
function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A numeric weight's values, dequantized (uint8/uint16 scale and min, float16) as tfjs would. */
export async function readWeight(model: ImportedModel, name: string): Promise<Float32Array> {
  const bytes = await readWeightBytes(model, name);
  const w = model.weights.get(name)!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = w.quantization;
  const n = bytes.byteLength / ELEMENT_BYTES[q?.dtype ?? w.dtype];
  const out = new Float32Array(n);
  if (q) {
    // checkQuantization made sure uint8 and uint16 weights have both; float16 needs neither.
    const scale = q.scale ?? 0;
    const min = q.min ?? 0;
    for (let i = 0; i < n; i++) {
      if (q.dtype === 'float16') out[i] = float16(view.getUint16(2 * i, true));
      else out[i] = (q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(2 * i, true)) * scale + min;
      // tfjs rounds a dequantized int32 weight back to an integer.
      if (w.dtype === 'int32') out[i] = Math.round(out[i]);
    }
  } else if (w.dtype === 'float32') {
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  } else if (w.dtype === 'int32') {
    for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
  } else {
    throw new ModelImportError(model.label, `weight '${name}' has dtype ${w.dtype}, not a number type`);
  }
  return out;
}

/** Looks a conv layer up by its 1-based index, with a message listing the valid range. */
export function convLayer(model: ImportedModel, index: number): ConvLayer {
  const layer = model.convLayers[index - 1];
  if (!Number.isInteger(index) || !layer) {
    const n = model.convLayers.length;
    const range = n ? `the model has conv layers 1 to ${n}` : 'the model has no conv layers';
    throw new RangeError(`layer ${index} does not exist: ${range}`);
  }
  return layer;
}

export interface ExtractOptions {
  /** Most filters to analyse; a larger layer gets a seeded subsample of this size. Default 50,000. */
  maxFilters?: number;
  /** Seed of the subsample. Default 1. */
  seed?: number;
  /** `source.dataset` of the result (what the model was trained on); default 'unknown'. */
  dataset?: string;
}

export const DEFAULT_MAX_FILTERS = 50_000;

/**
 * The 3x3 spatial filters of conv layer `index` (1-based), 9 numbers each (see `kernelFilters` for the order),
 * and the `source` block for the result document (layer, kernel shape, and the subsample when one was taken).
 * @throws RangeError for a layer that does not exist or is not 3x3 (the message says which layers are),
 *   ModelImportError for unreadable or non-finite weights.
 */
export async function extractLayerFilters(
  model: ImportedModel,
  index: number,
  options: ExtractOptions = {},
): Promise<{ filters: Float64Array; source: Source; layer: ConvLayer }> {
  const layer = convLayer(model, index);
  const refusal = refuseNon3x3(layer, model.convLayers);
  if (refusal) throw new RangeError(refusal);
  const maxFilters = options.maxFilters ?? DEFAULT_MAX_FILTERS;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(maxFilters) || maxFilters < 1) throw new RangeError(`maxFilters must be a positive integer`);
  const kernel = await readWeight(model, layer.weight);
  const bad = kernel.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new ModelImportError(model.label, `weight '${layer.weight}' holds a non-finite value at element ${bad}`);
  }
  const pick = layer.nFilters > maxFilters ? seededSample(layer.nFilters, maxFilters, seed) : undefined;
  const filters = kernelFilters(kernel, layer.kernelShape, pick);
  const fileName = publicFileName(model.label);
  const baseName = fileName.split('/').pop() ?? fileName;
  const source: Source = {
    kind: 'model',
    dataset: (options.dataset ?? 'unknown').slice(0, 80),
    architecture: (model.modelName ?? baseName).slice(0, 80),
    layer: layer.index,
    layerName: layer.name.slice(0, 200),
    kernelShape: [...layer.kernelShape],
    // The manifest's name (or public URL), never the local folder it sits in: documents get published.
    file: fileName,
  };
  if (pick) source.subsample = { of: layer.nFilters, taken: pick.length, seed };
  return { filters, source, layer };
}

/** Resolves shard paths against model.json's URL, as tfjs does, and fetches each shard once. */
function urlFiles(url: string, fetchFn: typeof fetch): ModelFiles {
  const base = new URL(url, globalThis.location?.href);
  const shards = new Map<string, Promise<Uint8Array>>();
  const get = async (target: string, label: string): Promise<Response> => {
    let response: Response;
    try {
      response = await fetchFn(target);
    } catch (e) {
      throw new ModelImportError(label, `cannot fetch (${(e as Error).message})`);
    }
    if (response.status === 404 || response.status === 410)
      throw new ModelImportError(label, `not found (HTTP ${response.status})`);
    if (!response.ok) throw new ModelImportError(label, `cannot fetch (HTTP ${response.status})`);
    return response;
  };
  // A web server's page for a missing file (a single-page app answers 200 with its shell) is not a model.json
  // that failed to parse: the file is not there.
  const readJson = async () => {
    const response = await get(base.href, base.href);
    if (/^text\/html\b/i.test(response.headers.get('content-type') ?? ''))
      throw new ModelImportError(base.href, 'not found: the server answered with a web page, not a model.json');
    return response.text();
  };
  const shard = (path: string) => {
    let p = shards.get(path);
    if (!p) {
      const target = new URL(path, base).href;
      p = get(target, target).then(async (r) => new Uint8Array(await r.arrayBuffer()));
      shards.set(path, p);
    }
    return p;
  };
  return {
    label: base.href,
    readJson,
    shardLabel: (path) => new URL(path, base).href,
    size: async (path) => (await shard(path)).byteLength,
    read: async (path, start, end) => (await shard(path)).subarray(start, end),
  };
}

/**
 * Loads a model from the URL of its model.json (the shards are fetched from beside it, all of them up front, to
 * check their sizes). Pass `fetch` to use another fetch (tests, credentials).
 */
export function loadModelFromUrl(url: string, options: { fetch?: typeof fetch } = {}): Promise<ImportedModel> {
  return openModel(urlFiles(url, options.fetch ?? globalThis.fetch.bind(globalThis)));
}

/** The parts of a browser `File` this module uses, so Node tests can pass `Blob`-backed stand-ins. */
export interface PickedFile {
  name: string;
  size: number;
  text(): Promise<string>;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** The `.json` files among picked files: the model.json or weights manifests a folder may hold. */
export function jsonFiles<F extends { name: string }>(picked: Iterable<F>): F[] {
  return [...picked].filter((f) => f.name.toLowerCase().endsWith('.json'));
}

/**
 * Loads a model from files picked in the browser (`<input type=file multiple>`, a folder, or a drop): a
 * model.json or weights manifest plus its shards, matched to the manifest's paths by file name, as
 * `tf.io.browserFiles` does. A folder may hold several manifests (face-api.js ships one per network): `choose`
 * names the one to open.
 */
export function loadModelFromFiles(picked: Iterable<PickedFile>, choose?: string): Promise<ImportedModel> {
  const all = [...picked];
  const jsons = jsonFiles(all);
  const chosen = choose === undefined ? undefined : jsons.find((f) => f.name === choose);
  if (choose !== undefined && !chosen) {
    return Promise.reject(new ModelImportError(choose, 'was not among the picked files'));
  }
  if (!chosen && jsons.length !== 1) {
    const names = jsons.map((f) => f.name).sort();
    const problem = jsons.length
      ? `${jsons.length} .json files were picked (${names.join(', ')}); choose one`
      : 'no .json file was picked; pick a model.json or weights manifest and its weight files';
    return Promise.reject(new ModelImportError('model.json', problem));
  }
  const json = chosen ?? jsons[0];
  const byName = new Map(all.map((f) => [f.name, f]));
  const baseName = (path: string) => path.split('/').pop() ?? path;
  const file = (path: string) => {
    const f = byName.get(baseName(path));
    if (!f) throw new ModelImportError(baseName(path), `missing: ${json.name} lists it, but it was not picked`);
    return f;
  };
  return openModel({
    label: json.name,
    readJson: () => json.text(),
    shardLabel: baseName,
    size: async (path) => file(path).size,
    read: async (path, start, end) => new Uint8Array(await file(path).slice(start, end).arrayBuffer()),
  });
}
