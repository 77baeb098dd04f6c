// Conv layers of an imported TensorFlow.js model, and their 3x3 spatial filters as points in R^9.
// Plain data only: no tfjs, so the Web Worker can use it without loading TensorFlow.js.
import { rng } from './random';

/** How the layer's kernel is laid out; all are [kh, kw, a, b] with slice (a, b) a kh x kw spatial filter. */
export type ConvKind = 'conv2d' | 'depthwise' | 'transpose';

export interface ConvLayer {
  /** 1-based position among the model's conv layers, in topology order (the CLI's `--layer N`). */
  index: number;
  /** Layer name (layers models) or op node name (graph models). */
  name: string;
  /** The layer's class (`Conv2D`, `DepthwiseConv2D`, ...) or graph op (`Conv2D`, `_FusedConv2D`, ...). */
  op: string;
  kind: ConvKind;
  /** Name of the kernel in the weights manifest. */
  weight: string;
  /** [kh, kw, cin, cout] (depthwise: [kh, kw, cin, multiplier]; transpose: [kh, kw, cout, cin]). */
  kernelShape: [number, number, number, number];
  /** Number of kh x kw spatial slices: kernelShape[2] * kernelShape[3]. */
  nFilters: number;
  /** Whether the slices are 3x3, the only size the analysis pipeline takes. */
  is3x3: boolean;
}

/** A weight as the manifest describes it; `shape` is what the kernel check needs. */
export interface WeightShape {
  name: string;
  shape: number[];
  dtype?: string;
}

/** Thrown for a topology that contradicts its manifest; `problem` has no file name, the caller adds it. */
export class TopologyError extends Error {}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const LAYER_KERNELS: Record<string, { kind: ConvKind; weight: string }> = {
  Conv2D: { kind: 'conv2d', weight: 'kernel' },
  Conv2DTranspose: { kind: 'transpose', weight: 'kernel' },
  DepthwiseConv2D: { kind: 'depthwise', weight: 'depthwise_kernel' },
  SeparableConv2D: { kind: 'depthwise', weight: 'depthwise_kernel' },
};

// The converter fuses bias and activation into _FusedConv2D; in all of these the filter is input 1.
const GRAPH_OPS: Record<string, ConvKind> = {
  Conv2D: 'conv2d',
  _FusedConv2D: 'conv2d',
  Conv2DBackpropInput: 'transpose',
  DepthwiseConv2dNative: 'depthwise',
  FusedDepthwiseConv2dNative: 'depthwise',
};

/** Keras-converted models wrap the config in `model_config`; tfjs-saved ones do not. */
export function layersRoot(topology: Json): Json {
  return isObject(topology.model_config) ? topology.model_config : topology;
}

/** The model's own name from a layers topology (`vgg16`, `sequential_1`), if it has one. */
export function layersModelName(topology: Json): string | undefined {
  const root = layersRoot(topology);
  const name = isObject(root.config) ? root.config.name : undefined;
  return typeof name === 'string' && name ? name : undefined;
}

function pair(v: unknown): [number, number] | undefined {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
  return undefined;
}

function describe(layer: ConvLayer): string {
  return `${layer.op} '${layer.name}'`;
}

function finish(
  found: Array<Omit<ConvLayer, 'index' | 'kernelShape' | 'nFilters' | 'is3x3'> & { shape: number[] }>,
): ConvLayer[] {
  return found.map((f, i) => {
    const { shape, ...rest } = f;
    if (shape.length !== 4) {
      throw new TopologyError(
        `kernel '${f.weight}' of ${f.op} '${f.name}' has shape [${shape}], expected 4 dimensions`,
      );
    }
    const kernelShape = shape as [number, number, number, number];
    return {
      ...rest,
      index: i + 1,
      kernelShape,
      nFilters: kernelShape[2] * kernelShape[3],
      is3x3: kernelShape[0] === 3 && kernelShape[1] === 3,
    };
  });
}

/** Finds a layer's weight: tfjs names it `layer/kernel`; nested or converted models may add a prefix. */
function findWeight(weights: Map<string, WeightShape>, layer: string, weight: string): WeightShape | undefined {
  const exact = weights.get(`${layer}/${weight}`);
  if (exact) return exact;
  const suffix = `/${layer}/${weight}`;
  const matches = [...weights.values()].filter((w) => w.name.endsWith(suffix));
  return matches.length === 1 ? matches[0] : undefined;
}

/** Conv layers of a layers model (Sequential or functional, nested models included), in topology order. */
export function layersModelConvLayers(topology: Json, manifest: WeightShape[]): ConvLayer[] {
  const weights = new Map(manifest.map((w) => [w.name, w]));
  const found: Parameters<typeof finish>[0] = [];
  const visit = (node: unknown): void => {
    if (!isObject(node)) return;
    const cls = typeof node.class_name === 'string' ? node.class_name : '';
    const config = node.config;
    // Old Keras Sequential configs are a bare array of layers.
    if (Array.isArray(config)) return config.forEach(visit);
    if (!isObject(config)) return;
    if (Array.isArray(config.layers)) return config.layers.forEach(visit);
    if (isObject(config.layer)) return visit(config.layer); // wrappers such as TimeDistributed
    const spec = LAYER_KERNELS[cls];
    if (!spec) return;
    const name = typeof config.name === 'string' ? config.name : '';
    if (!name) throw new TopologyError(`a ${cls} layer has no name`);
    const w = findWeight(weights, name, spec.weight);
    if (!w) throw new TopologyError(`weightsManifest has no '${name}/${spec.weight}' for ${cls} layer '${name}'`);
    const size = pair(config.kernel_size);
    const label = `${cls} layer '${name}'`;
    if (w.shape.length !== 4) {
      throw new TopologyError(`weight '${w.name}' has shape [${w.shape}], but ${label} needs a 4-d kernel`);
    }
    if (size && (size[0] !== w.shape[0] || size[1] !== w.shape[1])) {
      throw new TopologyError(
        `weight '${w.name}' has shape [${w.shape}], but ${label} has kernel_size ${size[0]}x${size[1]}`,
      );
    }
    const outputs = spec.kind === 'depthwise' ? config.depth_multiplier : config.filters;
    const outputAxis = spec.kind === 'transpose' ? 2 : 3;
    if (typeof outputs === 'number' && outputs !== w.shape[outputAxis]) {
      const what = spec.kind === 'depthwise' ? 'depth_multiplier' : 'filters';
      throw new TopologyError(`weight '${w.name}' has shape [${w.shape}], but ${label} has ${what} ${outputs}`);
    }
    found.push({ name, op: cls, kind: spec.kind, weight: w.name, shape: w.shape });
  };
  visit(layersRoot(topology));
  return finish(found);
}

/** Conv ops of a graph model: their filter input, followed through Identity nodes, names a manifest weight. */
export function graphModelConvLayers(topology: Json, manifest: WeightShape[]): ConvLayer[] {
  const weights = new Map(manifest.map((w) => [w.name, w]));
  const nodes = Array.isArray(topology.node) ? topology.node.filter(isObject) : [];
  const byName = new Map(nodes.map((n) => [String(n.name), n]));
  const inputName = (raw: unknown) => String(raw).replace(/^\^/, '').replace(/:\d+$/, '');
  const found: Parameters<typeof finish>[0] = [];
  const seen = new Set<string>();
  for (const node of nodes) {
    const op = String(node.op);
    const kind = GRAPH_OPS[op];
    if (!kind) continue;
    const name = String(node.name);
    const inputs = Array.isArray(node.input) ? node.input : [];
    if (inputs.length < 2) throw new TopologyError(`${op} node '${name}' has no filter input`);
    let source = inputName(inputs[1]);
    for (let hops = 0; !weights.has(source) && hops < 100; hops++) {
      const via = byName.get(source);
      if (!via || via.op !== 'Identity' || !Array.isArray(via.input) || !via.input.length) break;
      source = inputName(via.input[0]);
    }
    const w = weights.get(source);
    if (!w) throw new TopologyError(`filter '${source}' of ${op} node '${name}' is not in weightsManifest`);
    if (seen.has(w.name)) continue; // a shared kernel is one set of filters
    seen.add(w.name);
    found.push({ name, op, kind, weight: w.name, shape: w.shape });
  }
  return finish(found);
}

/**
 * Kernels found by shape alone, for a manifest with no topology (face-api.js ships its networks so): every 4-d
 * float tensor [k, k, cin, cout], in manifest order, named by its weight name. A name that says `depthwise` (as
 * tfjs-converter, Keras and face-api.js name them) makes it a depthwise kernel [k, k, cin, multiplier]; the shape
 * alone cannot tell the two apart.
 */
export function kernelsByShape(manifest: WeightShape[]): ConvLayer[] {
  const found: Parameters<typeof finish>[0] = [];
  for (const w of manifest) {
    const [kh, kw, a, b] = w.shape;
    if (w.shape.length !== 4 || kh !== kw || !(kh > 0 && a > 0 && b > 0)) continue;
    if (w.dtype !== undefined && w.dtype !== 'float32') continue;
    const depthwise = /depthwise/i.test(w.name);
    found.push({
      name: w.name,
      op: depthwise ? 'depthwise (by shape)' : 'conv (by shape)',
      kind: depthwise ? 'depthwise' : 'conv2d',
      weight: w.name,
      shape: w.shape,
    });
  }
  return finish(found);
}

/**
 * Refuses a layer the 3x3 pipeline cannot take, naming the layers it can.
 * @returns the message, or undefined when the layer is fine.
 */
export function refuseNon3x3(layer: ConvLayer, all: ConvLayer[]): string | undefined {
  if (layer.is3x3) return undefined;
  const ok = all.filter((l) => l.is3x3).map((l) => l.index);
  const hint = ok.length ? `layers with 3x3 kernels: ${ok.join(', ')}` : 'this model has no 3x3 conv layer';
  return (
    `layer ${layer.index} (${describe(layer)}) has ${layer.kernelShape[0]}x${layer.kernelShape[1]} kernels; ` +
    `the analysis takes 3x3 spatial filters only (${hint})`
  );
}

/**
 * Seeded sample of `k` distinct indices out of `0..n-1`, in increasing order (all of them when k >= n).
 * The same (n, k, seed) always gives the same indices, so a published subsample can be reproduced.
 */
export function seededSample(n: number, k: number, seed: number): Uint32Array {
  if (k >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const pool = Uint32Array.from({ length: n }, (_, i) => i);
  const random = rng(seed);
  // Partial Fisher-Yates: the first k slots end up a uniform sample without replacement.
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, k).sort();
}

/**
 * The 3x3 spatial filters of a kernel laid out [3, 3, a, b] (row-major, as tfjs stores it).
 * Filter f = ib * a + ia (all slices of output channel 0 first) holds kernel[i][j][ia][ib] at 3i + j.
 * @param pick optional increasing filter indices (a subsample); all a*b filters otherwise.
 * @returns 9 numbers per filter.
 */
export function kernelFilters(
  kernel: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  pick?: ArrayLike<number>,
): Float64Array {
  const [kh, kw, a, b] = shape;
  if (kh !== 3 || kw !== 3) throw new RangeError(`kernelFilters needs 3x3 kernels, got ${kh}x${kw}`);
  const n = a * b;
  if (kernel.length !== 9 * n)
    throw new RangeError(`kernel has ${kernel.length} values, shape [${shape}] needs ${9 * n}`);
  const count = pick ? pick.length : n;
  const out = new Float64Array(9 * count);
  for (let r = 0; r < count; r++) {
    const f = pick ? pick[r] : r;
    const ia = f % a;
    const ib = (f - ia) / a;
    // Element (i, j) of slice (ia, ib) sits at ((i * 3 + j) * a + ia) * b + ib.
    for (let ij = 0; ij < 9; ij++) out[9 * r + ij] = kernel[(ij * a + ia) * b + ib];
  }
  return out;
}
