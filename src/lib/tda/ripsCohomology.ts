/**
 * Vietoris–Rips persistent cohomology after Bauer's Ripser (J Appl Comput Topol 2021): union-find for H0, then
 * for each dimension a column reduction of the coboundary matrix over Z/p with clearing, implicit coboundaries
 * enumerated in the combinatorial number system, and apparent and emergent pairs taken without any reduction.
 * Hot paths use typed arrays only: a binary heap of (diameter, index, coefficient), an open-addressing hash
 * from pivot to column, and a compressed reduction matrix.
 */
import { binomialApprox, IndexOverflowError } from './binomial';
import { checkMetric, type Metric } from './metric';
import { FacetFinder, CoboundaryEnumerator, RipsComplex, type RipsGraph } from './ripsComplex';
import { buildRipsGraph, screenPairChunk, type GraphStats, type PointScreen } from './ripsGraph';
import { sortSimplices } from './radixSort';
import { UnionFind } from './unionFind';
import { EntryHeap } from './entryHeap';
import { estimateGraphBytes, estimateRipsBytes, PersistenceTooLargeError } from './memoryEstimate';
import {
  DEFAULT_TUNING,
  evenChunks,
  runChunked,
  startChunked,
  type ChunkedRun,
  sharedBuffer,
  toShared,
  transferables,
  workChunks,
  type Heartbeat,
  type ChunkReply,
  type ChunkTask,
  type ParallelRunner,
  type ParallelTuning,
} from './parallelRunner';

export { estimateRipsBytes, IndexOverflowError, PersistenceTooLargeError };
export type { ParallelRunner };

export interface PersistenceProgress {
  phase: string;
  dim: number;
  done: number;
  total: number;
}

export interface RipsOptions {
  /** Highest homology dimension; default 1. */
  maxDim?: number;
  /** Default: the enclosing radius (as Ripser). */
  threshold?: number;
  /** A prime < 256, default 2. */
  modulus?: number;
  /** Representative cocycles of the H1 bars. */
  cocycles?: boolean;
  onProgress?: (p: PersistenceProgress) => void;
  /** Aborting throws an Error named 'AbortError'. */
  signal?: AbortSignal;
  /** Refuse with PersistenceTooLargeError when the memory estimate exceeds this. */
  maxBytes?: number;
  /**
   * Worker threads answering with `ripsWorkerHandler`: the apparent pairs, the columns and the reduction are then
   * shared out, with the same barcodes (and cocycles) as without. Without one, everything runs on this thread.
   */
  runner?: ParallelRunner;
}

export interface Cocycle {
  birth: number;
  death: number;
  /** Vertex pairs i < j, two entries per edge. */
  edges: Uint32Array;
  /** Coefficients in Z/p, one per edge. */
  coefficients: Uint8Array;
}

export interface PersistenceResult {
  /** diagrams[d] = bars of H_d in the order Ripser prints them; death Infinity = essential. */
  diagrams: Array<Array<[number, number]>>;
  threshold: number;
  /** One per H1 bar, in the order of diagrams[1]. */
  cocycles?: Cocycle[];
}

export function isPrime(p: number): boolean {
  if (!Number.isInteger(p) || p < 2) return false;
  for (let q = 2; q * q <= p; q++) if (p % q === 0) return false;
  return true;
}

function checkOptions(options: RipsOptions): { maxDim: number; modulus: number } {
  const maxDim = options.maxDim ?? 1;
  const modulus = options.modulus ?? 2;
  if (!Number.isInteger(maxDim) || maxDim < 0) throw new RangeError(`maxDim must be an integer >= 0, got ${maxDim}`);
  if (!isPrime(modulus) || modulus >= 256) throw new RangeError(`modulus must be a prime below 256, got ${modulus}`);
  if (options.threshold !== undefined && (Number.isNaN(options.threshold) || options.threshold < 0))
    throw new RangeError(`threshold must be a number >= 0, got ${options.threshold}`);
  return { maxDim, modulus };
}

export function abortError(): Error {
  const e = new Error('persistence computation aborted');
  e.name = 'AbortError';
  return e;
}

/** Barcodes of the Vietoris–Rips filtration of a metric in dimensions 0..maxDim. */
export function ripsPersistence(metric: Metric, options: RipsOptions = {}): PersistenceResult {
  return ripsPersistenceWithStats(metric, options).result;
}

/** As ripsPersistence, with the distance statistics Ripser prints before the barcodes. */
export function ripsPersistenceWithStats(
  metric: Metric,
  options: RipsOptions = {},
): { result: PersistenceResult; stats: GraphStats } {
  const { maxDim } = checkOptions(options);
  checkMetric(metric);
  // Refuse before any distance is computed: the binomial table would refuse later, after all that work.
  if (binomialApprox(metric.n, maxDim + 2) > Number.MAX_SAFE_INTEGER)
    throw new IndexOverflowError(metric.n, maxDim + 2);
  if (options.maxBytes !== undefined) {
    const need = estimateRipsBytes(metric, maxDim, options.threshold);
    if (need > options.maxBytes)
      throw new PersistenceTooLargeError(
        `persistence up to dimension ${maxDim} of ${metric.n} points needs about ${mb(need)}, ` +
          `more than the ${mb(options.maxBytes)} allowed; lower the dimension or the threshold, or use fewer points`,
      );
  }
  if (options.signal?.aborted) throw abortError();
  const { graph, stats } = buildRipsGraph(metric, options.threshold, {
    tick: (done, total) => {
      if (options.signal?.aborted) throw abortError();
      options.onProgress?.({ phase: 'distances', dim: 0, done, total });
    },
    runner: options.runner,
  });
  return { result: ripsPersistenceOfGraph(graph, options), stats };
}

function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.ceil(bytes / 1e6)} MB`;
}

/** Barcodes of the flag complex of a weighted graph (used by the witness complex too). */
export function ripsPersistenceOfGraph(graph: RipsGraph, options: RipsOptions = {}): PersistenceResult {
  const { maxDim, modulus } = checkOptions(options);
  if (options.maxBytes !== undefined) {
    const need = estimateGraphBytes(graph, maxDim);
    if (need > options.maxBytes)
      throw new PersistenceTooLargeError(
        `persistence up to dimension ${maxDim} of ${graph.n} points needs about ${mb(need)}, ` +
          `more than the ${mb(options.maxBytes)} allowed; lower the dimension or the threshold, or use fewer points`,
      );
  }
  const reducer = new Reducer(graph, maxDim, modulus, options, options.runner ?? null);
  return reducer.run();
}

/** Open addressing from a pivot's simplex index to its column and its coefficient there. */
class PivotMap {
  keys: Float64Array;
  cols: Int32Array;
  coefs: Uint8Array;
  private mask: number;
  size = 0;

  /** With shared, the table lives in shared memory, for worker threads to read between insertions. */
  constructor(
    expected: number,
    private readonly shared = false,
  ) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Float64Array(sharedBuffer(8 * cap, shared)).fill(-1);
    this.cols = new Int32Array(sharedBuffer(4 * cap, shared));
    this.coefs = new Uint8Array(sharedBuffer(cap, shared));
    this.mask = cap - 1;
  }

  /** A read-only view of a table that another thread fills. */
  static view(keys: Float64Array, cols: Int32Array, coefs: Uint8Array): PivotMap {
    const m = new PivotMap(0);
    m.keys = keys;
    m.cols = cols;
    m.coefs = coefs;
    m.mask = keys.length - 1;
    return m;
  }

  private slot(key: number): number {
    let h = Math.imul((key >>> 0) ^ Math.imul((key / 4294967296) | 0, 0x27d4eb2d), 0x9e3779b1);
    h ^= h >>> 15;
    return h & this.mask;
  }

  /** The slot holding key, or -1. */
  find(key: number): number {
    const k = this.keys;
    for (let s = this.slot(key); ; s = (s + 1) & this.mask) {
      const v = k[s];
      if (v === key) return s;
      if (v === -1) return -1;
    }
  }

  column(slot: number): number {
    return this.cols[slot];
  }

  coefficient(slot: number): number {
    return this.coefs[slot];
  }

  insert(key: number, col: number, coef: number): void {
    if (2 * (this.size + 1) > this.keys.length) this.rehash();
    const k = this.keys;
    let s = this.slot(key);
    while (k[s] !== -1) s = (s + 1) & this.mask;
    k[s] = key;
    this.cols[s] = col;
    this.coefs[s] = coef;
    this.size++;
  }

  private rehash(): void {
    const { keys, cols, coefs } = this;
    const cap = keys.length * 2;
    this.keys = new Float64Array(sharedBuffer(8 * cap, this.shared)).fill(-1);
    this.cols = new Int32Array(sharedBuffer(4 * cap, this.shared));
    this.coefs = new Uint8Array(sharedBuffer(cap, this.shared));
    this.mask = cap - 1;
    this.size = 0;
    for (let s = 0; s < keys.length; s++) if (keys[s] !== -1) this.insert(keys[s], cols[s], coefs[s]);
  }
}

/** A pivot table that stays empty: assembly without clearing. */
const NO_PIVOTS = new PivotMap(0);

/** Growable parallel arrays of simplices, in shared memory when other threads read them. */
class SimplexList {
  d: Float32Array;
  x: Float64Array;
  c: Uint8Array | null;
  size = 0;

  constructor(
    capacity = 1024,
    withCoefficients = false,
    private readonly shared = false,
  ) {
    const cap = Math.max(16, capacity);
    this.d = new Float32Array(sharedBuffer(4 * cap, shared));
    this.x = new Float64Array(sharedBuffer(8 * cap, shared));
    this.c = withCoefficients ? new Uint8Array(sharedBuffer(cap, shared)) : null;
  }

  private grow(need: number): void {
    let cap = this.d.length;
    while (cap < need) cap *= 2;
    const d = new Float32Array(sharedBuffer(4 * cap, this.shared));
    d.set(this.d.subarray(0, this.size));
    this.d = d;
    const x = new Float64Array(sharedBuffer(8 * cap, this.shared));
    x.set(this.x.subarray(0, this.size));
    this.x = x;
    if (this.c) {
      const c = new Uint8Array(sharedBuffer(cap, this.shared));
      c.set(this.c.subarray(0, this.size));
      this.c = c;
    }
  }

  push(diam: number, index: number, coef = 0): void {
    if (this.size === this.d.length) this.grow(this.size + 1);
    this.d[this.size] = diam;
    this.x[this.size] = index;
    if (this.c) this.c[this.size] = coef;
    this.size++;
  }

  /** Appends count entries of other arrays (c ignored without coefficients). */
  append(d: Float32Array, x: Float64Array, c: Uint8Array | null, from: number, count: number): void {
    if (this.size + count > this.d.length) this.grow(this.size + count);
    this.d.set(d.subarray(from, from + count), this.size);
    this.x.set(x.subarray(from, from + count), this.size);
    if (this.c && c) this.c.set(c.subarray(from, from + count), this.size);
    this.size += count;
  }

  /** A copy in the order of a permutation. */
  permuted(perm: Uint32Array, shared = false): SimplexList {
    const out = new SimplexList(perm.length, false, shared);
    for (let t = 0; t < perm.length; t++) {
      out.d[t] = this.d[perm[t]];
      out.x[t] = this.x[perm[t]];
    }
    out.size = perm.length;
    return out;
  }

  /** The entries as exact-length arrays (for a message). */
  trimmed(): { d: Float32Array; x: Float64Array; c: Uint8Array | null } {
    return {
      d: this.d.slice(0, this.size),
      x: this.x.slice(0, this.size),
      c: this.c ? this.c.slice(0, this.size) : null,
    };
  }
}

const NONE = -1;

const noBeat: Heartbeat = () => {};

/** Outcomes of a column's reduction against the pivots of earlier batches. */
const REDUCED_TO_ZERO = 0;
const NEW_PIVOT = 1;

/** What a worker thread receives; the arrays are shared with the calling thread. */
export type RipsWorkerMessage =
  | { type: 'setup'; graph: RipsGraph; edges: Float32Array | null; maxDim: number; modulus: number }
  | ({ type: 'pointEdges' } & PointScreen & Chunked)
  | ({ type: 'apparentEdges'; d: Float32Array; x: Float64Array; flags: Uint8Array } & Chunked)
  | ({ type: 'assemble'; dim: number; d: Float32Array; x: Float64Array; keep: boolean } & Chunked)
  | ({ type: 'reduce' } & ReduceRound & Chunked);

type Chunked = ChunkTask;

/** A round of the parallel reduction: the columns order[0..total) and the shared state their reduction reads. */
interface ReduceRound {
  dim: number;
  order: Int32Array;
  cd: Float32Array;
  cx: Float64Array;
  keys: Float64Array;
  cols: Int32Array;
  coefs: Uint8Array;
  rmD: Float32Array;
  rmX: Float64Array;
  rmC: Uint8Array;
  vStart: Int32Array;
  vEnd: Int32Array;
  /** Per position in order: REDUCED_TO_ZERO or NEW_PIVOT, and the pivot. */
  status: Uint8Array;
  pivotD: Float32Array;
  pivotX: Float64Array;
  pivotC: Uint8Array;
}

/** One chunk's assembly: its columns, and its cofacets when the next dimension needs them. */
interface AssembledChunk {
  cols: { d: Float32Array; x: Float64Array };
  next: { d: Float32Array; x: Float64Array } | null;
}

/** An assembly posted to the workers while this thread reduces (see Reducer.assembleAhead). */
interface AssemblyAhead {
  run: ChunkedRun<AssembledChunk>;
  /** The results, once this thread has joined the run. */
  parts: AssembledChunk[] | null;
  /** This thread's share of the run. */
  join: (from: number, to: number) => AssembledChunk;
  keep: boolean;
}

/** The reduction-matrix entries of the NEW_PIVOT columns of one chunk, column after column. */
interface ReducedChunk {
  counts: Int32Array;
  d: Float32Array;
  x: Float64Array;
  c: Uint8Array;
}

/**
 * The answering side of a worker thread: returns a function that handles a message, posting each finished chunk's
 * result (with the buffers to move) as it goes; setup posts nothing. The thread keeps its own complex (built once
 * from the shared graph) between messages.
 */
export function ripsWorkerHandler(): (
  message: RipsWorkerMessage,
  post: (reply: unknown, transfer: ArrayBuffer[]) => void,
) => void {
  let reducer: Reducer | null = null;
  return (m, post) => {
    const send = (reply: ChunkReply<unknown>) => post(reply, transferables(reply.result));
    if (m.type === 'setup') {
      reducer = new Reducer(m.graph, m.maxDim, m.modulus, {}, null, m.edges);
      return;
    }
    if (m.type === 'pointEdges') {
      workChunks(m, (from, to) => screenPairChunk(m, from, to), send);
      return;
    }
    if (reducer === null) throw new Error('persistence worker used before setup');
    const r = reducer;
    if (m.type === 'apparentEdges') workChunks(m, (from, to) => r.markApparentEdges(m, from, to), send);
    else if (m.type === 'assemble')
      workChunks(m, (from, to) => r.assembleChunk(m.d, m.x, from, to, m.dim, m.keep), send);
    else workChunks(m, (from, to, beat) => r.reduceAgainstSettled(m, from, to, beat), send);
  };
}

/** The same graph with its arrays in shared memory (buildRipsGraph with a runner makes them there already). */
function shareGraph(g: RipsGraph): RipsGraph {
  const share = <A extends Float32Array | Int32Array>(a: A | null): A | null =>
    a === null || a.buffer instanceof SharedArrayBuffer ? a : toShared(a);
  return {
    n: g.n,
    threshold: g.threshold,
    dense: share(g.dense),
    nbrStart: share(g.nbrStart),
    nbrIndex: share(g.nbrIndex),
    nbrDiam: share(g.nbrDiam),
  };
}

class Reducer {
  private readonly graph: RipsGraph;
  private readonly c: RipsComplex;
  private readonly p: number;
  private readonly inverse: Uint8Array;
  private readonly threshold: number;
  private readonly cob: CoboundaryEnumerator;
  private readonly bd: FacetFinder;
  private readonly diagrams: Array<Array<[number, number]>> = [];
  private readonly cocycles: Cocycle[] = [];
  private readonly verts: Int32Array;
  private readonly shared: boolean;
  private readonly working: EntryHeap;
  private readonly coboundary: EntryHeap;
  /** The cofacets an apparent-pair test walks past before it knows (see addApparent). */
  private readonly staged: EntryHeap;
  private readonly tuning: ParallelTuning;
  private beat: Heartbeat = noBeat;
  // Results of the zero-pivot searches (index NONE when there is none).
  // NaN: double fields from the start (see RipsComplex.foundIndex); each is set before it is read.
  private fD = NaN;
  private fX = NaN;
  private fC = 0;
  // The pivot of the working column.
  private pD = NaN;
  private pX = NaN;
  private pC = 0;

  /** `edges`: the sparse edge table of the calling thread's complex, for a worker's reducer. */
  constructor(
    graph: RipsGraph,
    private readonly maxDim: number,
    modulus: number,
    private readonly options: RipsOptions,
    private readonly runner: ParallelRunner | null = null,
    edges: Float32Array | null = null,
  ) {
    this.tuning = { ...DEFAULT_TUNING, ...runner?.tuning };
    const pairs = graph.dense !== null ? (graph.n * (graph.n - 1)) / 2 : (graph.nbrIndex?.length ?? 0) / 2;
    // Without triangles the threads share only the edges' apparent pairs and the H1 reduction: cyclooctane's
    // 128,000 edges (H1) still took longer on two threads than on one.
    const enough = maxDim >= 2 ? this.tuning.parallelEdges : 2 * this.tuning.parallelEdges;
    this.shared = runner !== null && runner.workers > 0 && pairs >= enough;
    this.graph = this.shared ? shareGraph(graph) : graph;
    this.c = new RipsComplex(this.graph, maxDim, modulus, this.shared ? 'shared' : edges);
    this.p = modulus;
    this.threshold = graph.threshold;
    this.inverse = new Uint8Array(modulus);
    this.inverse[1] = 1;
    for (let a = 2; a < modulus; a++)
      this.inverse[a] = modulus - ((Math.floor(modulus / a) * this.inverse[modulus % a]) % modulus);
    this.cob = new CoboundaryEnumerator(this.c);
    this.bd = new FacetFinder(this.c);
    this.verts = new Int32Array(maxDim + 3);
    this.working = new EntryHeap(modulus !== 2);
    this.coboundary = new EntryHeap(modulus !== 2);
    this.staged = new EntryHeap(modulus !== 2);
  }

  run(): PersistenceResult {
    const n = this.graph.n;
    for (let d = 0; d <= this.maxDim; d++) this.diagrams.push([]);
    if (this.shared && n > 0) {
      // The workers build their complexes while this thread sorts the edges.
      const g = this.graph;
      this.runner!.broadcast({
        type: 'setup',
        graph: g,
        edges: g.dense === null ? this.c.lookup : null,
        maxDim: this.maxDim,
        modulus: this.p,
      } satisfies RipsWorkerMessage);
    }
    if (n > 0) {
      let { columns, simplices } = this.firstDimension();
      for (let dim = 1; dim <= this.maxDim; dim++) {
        const pivots = new PivotMap(columns.size, this.shared);
        const ahead = dim < this.maxDim ? this.assembleAhead(simplices, dim + 1) : null;
        this.reduce(columns, pivots, dim, ahead);
        if (dim < this.maxDim) {
          const next = ahead ? this.assembled(ahead, pivots) : this.assemble(simplices, pivots, dim + 1);
          simplices = next.simplices;
          columns = next.columns;
        }
      }
    }
    const result: PersistenceResult = { diagrams: this.diagrams, threshold: this.threshold };
    if (this.options.cocycles) result.cocycles = this.cocycles;
    return result;
  }

  private checkpoint(phase: string, dim: number, done: number, total: number): void {
    if (this.options.signal?.aborted) throw abortError();
    this.options.onProgress?.({ phase, dim, done, total });
  }

  /**
   * H0, and the edges for the next dimension: the columns of H1 and the facets of the triangles. Once H0 is done
   * the edges in their sorted order are no longer needed.
   */
  private firstDimension(): { columns: SimplexList; simplices: SimplexList } {
    const { sorted, byVertex } = this.edges();
    const columns = this.dim0(sorted);
    // The triangles' assembly takes the edges grouped by their larger vertex (see startCommonOfEdge).
    return { columns, simplices: byVertex ?? sorted };
  }

  /**
   * All edges under the threshold, sorted by increasing diameter and then decreasing index; on a sparse graph
   * also in the order of their larger vertex, then their smaller one.
   */
  private edges(): { sorted: SimplexList; byVertex: SimplexList | null } {
    const { graph, c } = this;
    // Shared: the workers read it in the triangles' assembly.
    const list = new SimplexList(1024, false, this.shared && graph.dense === null);
    const t = this.threshold;
    if (graph.dense !== null) {
      const d = graph.dense;
      let u = 0;
      for (let i = 1; i < graph.n; i++) {
        const base = (i * (i - 1)) / 2;
        for (let j = 0; j < i; j++) {
          const x = d[u++];
          if (x <= t) list.push(x, base + j);
        }
      }
    } else {
      for (let i = 0; i < graph.n; i++) {
        const base = (i * (i - 1)) / 2;
        for (let s = c.nbrStart[i]; s < c.nbrStart[i + 1]; s++) {
          const j = c.nbrIndex[s];
          if (j >= i) break;
          list.push(c.nbrDiam[s], base + j);
        }
      }
    }
    const sorted = list.permuted(sortSimplices(list.d, list.x, list.size, false, true), this.shared);
    if (graph.dense !== null || this.maxDim < 2) return { sorted, byVertex: null };
    return { sorted, byVertex: list };
  }

  /** For a chunk of edges: 1 where the edge is the facet of a zero-persistence apparent pair. */
  markApparentEdges(m: { d: Float32Array; x: Float64Array; flags: Uint8Array }, from: number, to: number): number {
    const v = this.c.simplexVertices;
    for (let e = from; e < to; e++) {
      this.c.vertices(m.x[e], 1, v);
      m.flags[e] = this.zeroApparentEdgeCofacet(m.d[e], m.x[e]) ? 1 : 0;
    }
    return to - from;
  }

  /** H0 by Kruskal; returns the edges that are H1 columns, by decreasing diameter. */
  private dim0(edges: SimplexList): SimplexList {
    const n = this.graph.n;
    const uf = new UnionFind(n);
    const bars = this.diagrams[0];
    const cols = new SimplexList(1024);
    const v = this.verts;
    const checkApparent = this.maxDim >= 1;
    // The apparent-pair tests do not depend on the union-find: on large inputs the workers do them first.
    let flags: Uint8Array | null = null;
    if (checkApparent && this.shared && edges.size >= this.tuning.edges) {
      const m = { d: edges.d, x: edges.x, flags: new Uint8Array(new SharedArrayBuffer(edges.size)) };
      runChunked(
        this.runner!,
        { type: 'apparentEdges', ...m },
        evenChunks(edges.size, Math.ceil(this.tuning.edges / 4)),
        (from, to) => this.markApparentEdges(m, from, to),
      );
      flags = m.flags;
    }
    for (let e = 0; e < edges.size; e++) {
      const d = edges.d[e];
      const x = edges.x[e];
      this.c.vertices(x, 1, v);
      const a = uf.find(v[0]);
      const b = uf.find(v[1]);
      if (a !== b) {
        if (d !== 0) bars.push([0, d]);
        uf.link(a, b);
      } else if (flags !== null) {
        if (flags[e] === 0) cols.push(d, x);
      } else if (checkApparent) {
        const sv = this.c.simplexVertices;
        sv[0] = v[0];
        sv[1] = v[1];
        if (!this.zeroApparentEdgeCofacet(d, x)) cols.push(d, x);
      }
      if ((e & 0xffff) === 0) this.checkpoint('H0', 0, e, edges.size);
    }
    for (let i = 0; i < n; i++) if (uf.find(i) === i) bars.push([0, Infinity]);
    const out = new SimplexList(cols.size, false, this.shared);
    for (let t = 0; t < cols.size; t++) out.push(cols.d[cols.size - 1 - t], cols.x[cols.size - 1 - t]);
    return out;
  }

  /** The first facet with the simplex's diameter (the pivot of its boundary), if any. */
  private zeroPivotFacet(
    diam: number,
    index: number,
    coef: number,
    dim: number,
    decoded = false,
    lengths: Float64Array | null = null,
  ): boolean {
    const bd = this.bd;
    if (bd.firstEqualFacet(diam, index, coef, dim, decoded, lengths)) {
      this.fD = diam;
      this.fX = bd.index;
      this.fC = bd.coef;
      return true;
    }
    this.fX = NONE;
    return false;
  }

  /** Whether the simplex is the cofacet of a zero-persistence apparent pair; the facet is left in f*. */
  private zeroApparentFacet(
    diam: number,
    index: number,
    coef: number,
    dim: number,
    decoded = false,
    lengths: Float64Array | null = null,
  ): boolean {
    return this.zeroPivotFacet(diam, index, coef, dim, decoded, lengths) && this.bd.foundIsApparent(diam, dim);
  }

  /**
   * Whether the simplex is the facet of a zero-persistence apparent pair. With lengthsKnown the caller has written
   * the simplex's edge lengths into the complex's simplexLengths (-1 where unknown).
   */
  private zeroApparentCofacet(
    diam: number,
    index: number,
    dim: number,
    decoded = false,
    lengthsKnown = false,
  ): boolean {
    const c = this.c;
    return c.firstEqualCofacet(diam, index, 1, dim, decoded, lengthsKnown) && c.foundIsApparent(diam, dim);
  }

  /** zeroApparentCofacet for an edge whose vertices are in simplexVertices: its one length is its diameter. */
  private zeroApparentEdgeCofacet(diam: number, index: number): boolean {
    this.c.simplexLengths[this.c.lengthStride] = diam;
    return this.zeroApparentCofacet(diam, index, 1, true, true);
  }

  /** The (dim)-simplices that need a column: cofacets of the (dim-1)-simplices, minus cleared and apparent ones. */
  /** The columns of the next dimension on this thread (with workers, assembleAhead shares the work instead). */
  private assemble(
    simplices: SimplexList,
    pivots: PivotMap,
    dim: number,
  ): { simplices: SimplexList; columns: SimplexList } {
    const keep = dim < this.maxDim;
    const next = new SimplexList(keep ? simplices.size * 2 : 16, false, this.shared);
    const cols = new SimplexList(simplices.size);
    this.assembleInto(simplices.d, simplices.x, 0, simplices.size, pivots, dim, cols, keep ? next : null, true);
    const sorted = cols.permuted(sortSimplices(cols.d, cols.x, cols.size, true, false), this.shared);
    return { simplices: next, columns: sorted };
  }

  /**
   * With workers, the next dimension's columns are assembled while this thread reduces the current one. The
   * pivots that clear columns are not known yet, so the workers assemble without them and assembled() drops the
   * cleared columns afterwards: a column is dropped for the same reason as before, only later (the apparent-pair
   * tests of the few cleared ones are the extra cost). On o3_4096 the dimension-1 reduction, held up by two
   * essential classes that each take half a second, and the assembly of the triangles, 1.7 s of work, then overlap.
   */
  private assembleAhead(simplices: SimplexList, dim: number): AssemblyAhead | null {
    if (!this.shared || simplices.size < this.tuning.simplices) return null;
    const keep = dim < this.maxDim;
    const chunk = Math.max(
      Math.ceil(this.tuning.simplices / 8),
      Math.ceil(simplices.size / (64 * (this.runner!.workers + 1))),
    );
    const run = startChunked<AssembledChunk>(
      this.runner!,
      { type: 'assemble', dim, d: simplices.d, x: simplices.x, keep },
      evenChunks(simplices.size, chunk),
    );
    return {
      run,
      parts: null,
      join: (from, to) => {
        this.checkpoint('assemble', dim, from, simplices.size);
        return this.assembleChunk(simplices.d, simplices.x, from, to, dim, keep);
      },
      keep,
    };
  }

  /** The columns and cofacets of an assembly ahead, without the columns the reduction's pivots clear. */
  private assembled(ahead: AssemblyAhead, pivots: PivotMap): { simplices: SimplexList; columns: SimplexList } {
    const parts = ahead.parts ?? ahead.run.finish(ahead.join);
    let colCount = 0;
    let nextCount = 0;
    for (const part of parts) {
      colCount += part.cols.d.length;
      nextCount += part.next ? part.next.d.length : 0;
    }
    const cols = new SimplexList(colCount);
    const next = new SimplexList(ahead.keep ? nextCount : 16, false, this.shared);
    for (const part of parts) {
      const { d, x } = part.cols;
      for (let i = 0; i < d.length; i++) if (pivots.find(x[i]) === -1) cols.push(d[i], x[i]);
      if (part.next) next.append(part.next.d, part.next.x, null, 0, part.next.d.length);
    }
    const sorted = cols.permuted(sortSimplices(cols.d, cols.x, cols.size, true, false), this.shared);
    return { simplices: next, columns: sorted };
  }

  /**
   * assembleInto on a chunk of facets, with exact-length results for a message; without clearing (the pivots are
   * not known yet: see assembleAhead).
   */
  assembleChunk(
    d: Float32Array,
    x: Float64Array,
    from: number,
    to: number,
    dim: number,
    keep: boolean,
  ): AssembledChunk {
    const cols = new SimplexList(to - from);
    const next = keep ? new SimplexList(2 * (to - from)) : null;
    this.assembleInto(d, x, from, to, NO_PIVOTS, dim, cols, next, false);
    return { cols: cols.trimmed(), next: next && next.trimmed() };
  }

  private assembleInto(
    sd: Float32Array,
    sx: Float64Array,
    from: number,
    to: number,
    pivots: PivotMap,
    dim: number,
    cols: SimplexList,
    next: SimplexList | null,
    progress: boolean,
  ): void {
    if (this.c.dense === null) {
      this.assembleSparseInto(sd, sx, from, to, pivots, dim, cols, next, progress);
      return;
    }
    const cb = this.cob;
    const t = this.threshold;
    for (let s = from; s < to; s++) {
      cb.set(sd[s], sx[s], 1, dim - 1, true);
      while (cb.hasNext(false)) {
        cb.next();
        const d = cb.diam;
        if (d > t) continue;
        const x = cb.index;
        if (next !== null) next.push(d, x);
        if (pivots.find(x) !== -1) continue;
        // The enumerator knows the cofacet's vertices: neither test decodes them from the index.
        // Nor do they look up its edge lengths: the enumeration found them.
        const sv = this.c.simplexVertices;
        const lengths = this.c.simplexLengths;
        cb.cofacetVertices(sv);
        cb.cofacetLengths(lengths);
        if (this.zeroApparentCofacet(d, x, dim, true, true)) continue;
        const fv = this.bd.verts;
        for (let t = 0; t <= dim; t++) fv[t] = sv[t];
        if (this.zeroApparentFacet(d, x, 1, dim, true, lengths)) continue;
        cols.push(d, x);
      }
      if (progress && (s & 0x3fff) === 0) this.checkpoint('assemble', dim, s, to);
    }
  }

  /**
   * assembleInto on a sparse graph. Every cofacet of a facet F adds one of F's common neighbours, and the
   * zero-apparent-cofacet test of that cofacet looks for the largest other one within its diameter of it: so one
   * merge along F's neighbour lists (commonNeighbours) serves all of F's cofacets, where the general path merged
   * the lists of each cofacet again (three lists of about a hundred on o3_4096, for some 50 candidates that a
   * glance at the common neighbours' lengths rules out). Same columns, same order.
   */
  private assembleSparseInto(
    sd: Float32Array,
    sx: Float64Array,
    from: number,
    to: number,
    pivots: PivotMap,
    dim: number,
    cols: SimplexList,
    next: SimplexList | null,
    progress: boolean,
  ): void {
    const c = this.c;
    const S = c.lengthStride;
    const threshold = this.threshold;
    const F = this.verts;
    const sv = c.simplexVertices;
    const lengths = c.simplexLengths;
    const toFound = c.foundLengths;
    const fv = this.bd.verts;
    const binom = c.binom;
    const row = (dim + 1) * c.stride;
    for (let s = from; s < to; s++) {
      const fd = sd[s];
      const fx = sx[s];
      c.vertices(fx, dim - 1, F);
      // On edges the common neighbours come one at a time, as far as the tests below read them.
      const lazy = dim === 2;
      let count = 0;
      if (lazy) c.startCommonOfEdge(F[0], F[1]);
      else count = c.commonNeighbours(F, dim - 1);
      const K = c.commonVertex;
      const L = c.commonLengths;
      const M = c.commonMax;
      const top = F[dim - 1];
      // The cofacets F + j with j above F's vertices: j is their last vertex, and their edges are F's and j's.
      for (let t = 0; t < dim; t++) sv[t] = F[t];
      if (dim === 2) lengths[S] = fd;
      else for (let a = 1; a < dim; a++) for (let t = 0; t < a; t++) lengths[a * S + t] = c.dist(F[a], F[t]);
      for (let e = 0; ; e++) {
        if (e === count) {
          if (!lazy || !c.nextCommon()) break;
          count++;
        }
        const j = K[e];
        if (j <= top) break;
        const d = M[e] > fd ? M[e] : fd;
        if (d > threshold) continue;
        const x = fx + binom[row + j];
        if (next !== null) next.push(d, x);
        if (pivots.find(x) !== -1) continue;
        sv[dim] = j;
        for (let t = 0; t < dim; t++) lengths[dim * S + t] = L[e * S + t];
        // Its first cofacet of equal diameter adds the largest other common neighbour within d of all its vertices.
        let found = -1;
        let toJ = Infinity;
        for (let e2 = 0; ; e2++) {
          if (e2 === count) {
            if (!lazy || !c.nextCommon()) break;
            count++;
          }
          if (e2 === e || M[e2] > d) continue;
          toJ = c.dist(j, K[e2]);
          if (toJ <= d) {
            found = e2;
            break;
          }
        }
        if (found >= 0) {
          c.foundVertex = K[found];
          for (let t = 0; t < dim; t++) toFound[t] = L[found * S + t];
          toFound[dim] = toJ;
          if (c.foundIsApparent(d, dim)) continue;
        }
        for (let t = 0; t <= dim; t++) fv[t] = sv[t];
        if (this.zeroApparentFacet(d, x, 1, dim, true, lengths)) continue;
        cols.push(d, x);
      }
      if (progress && (s & 0x3fff) === 0) this.checkpoint('assemble', dim, s, to);
    }
  }

  // The state of one dimension's reduction: its columns, pivots and the reduction matrix V without its
  // diagonal, column by column (rm[vStart[col]..vEnd[col]]).
  private cd: Float32Array = new Float32Array(0);
  private cx: Float64Array = new Float64Array(0);
  private pivots = new PivotMap(0);
  private vStart: Int32Array = new Int32Array(0);
  private vEnd: Int32Array = new Int32Array(0);
  private rm = new SimplexList(16, true);
  private dim = 0;

  private reduce(columns: SimplexList, pivots: PivotMap, dim: number, ahead: AssemblyAhead | null): void {
    this.cd = columns.d;
    this.cx = columns.x;
    this.pivots = pivots;
    this.dim = dim;
    this.vStart = new Int32Array(sharedBuffer(4 * columns.size, this.shared));
    this.vEnd = new Int32Array(sharedBuffer(4 * columns.size, this.shared));
    this.rm = new SimplexList(1024, true, this.shared);
    // Cocycles come from the serial reduction, whose V they are.
    const wantCocycles = this.options.cocycles === true && dim === 1;
    const inRounds = this.shared && !wantCocycles && columns.size >= this.tuning.columns;
    let col = 0;
    if (ahead !== null) {
      // The workers assemble the next dimension meanwhile: reduce here until they have taken all of it, then join
      // them in rounds (or help them finish, when this reduction is done first).
      try {
        for (; col < columns.size && !(inRounds && ahead.run.allClaimed()); col++) {
          if ((col & 0x3ff) === 0) this.checkpoint('reduce', dim, col, columns.size);
          this.reduceColumn(col, wantCocycles);
        }
        ahead.parts = ahead.run.finish(ahead.join);
      } catch (e) {
        ahead.run.abandon();
        throw e;
      }
    }
    if (inRounds && col < columns.size) this.reduceInRounds(col, columns.size);
    else
      for (; col < columns.size; col++) {
        if ((col & 0x3ff) === 0) this.checkpoint('reduce', dim, col, columns.size);
        this.reduceColumn(col, wantCocycles);
      }
    // Free the reduction matrix before the next dimension.
    this.rm = new SimplexList(16, true);
  }

  /** The serial reduction of one column against every earlier column; records its bar and its V. */
  private reduceColumn(col: number, wantCocycles: boolean): void {
    const bars = this.diagrams[this.dim];
    const working = this.working;
    const diameter = this.cd[col];
    const death = this.reduceUntilNewPivot(col, this.pivots);
    if (death !== Infinity) this.pivots.insert(this.pX, col, this.pC);
    const isBar = death > diameter;
    if (isBar) bars.push([diameter, death]);
    // Move the working reduction column into V; its entries (and the diagonal) form the cocycle.
    const cocycle = wantCocycles && isBar ? new SimplexList(16, true) : null;
    if (cocycle) cocycle.push(diameter, this.cx[col], 1);
    const rm = this.rm;
    this.vStart[col] = rm.size;
    while (this.popPivot(working)) {
      if (death !== Infinity) rm.push(this.pD, this.pX, this.pC);
      if (cocycle) cocycle.push(this.pD, this.pX, this.pC);
    }
    this.vEnd[col] = rm.size;
    if (cocycle) this.cocycles.push(this.toCocycle(cocycle, diameter, death));
  }

  /**
   * Reduces a column by the columns to its left whose pivots are in `pivots` until its pivot is new to them
   * (returns its diameter, the pivot left in p*) or the column is zero (returns Infinity). V's entries stay in
   * `working`. A pivot owned by a column to the right counts as new (only the parallel reduction has those).
   */
  private reduceUntilNewPivot(col: number, pivots: PivotMap): number {
    const p = this.p;
    const inv = this.inverse;
    const dim = this.dim;
    const working = this.working;
    const coboundary = this.coboundary;
    const cd = this.cd;
    const cx = this.cx;
    const rm = this.rm;
    const vStart = this.vStart;
    const vEnd = this.vEnd;
    working.size = 0;
    coboundary.size = 0;
    let found = this.initCoboundary(cd[col], cx[col], dim, coboundary, pivots, col);
    for (let step = 1; ; step++) {
      if (!found) return Infinity;
      // A column can take seconds (an essential class is reduced to zero): tell the caller this thread lives.
      if ((step & 1023) === 0) this.beat();
      const slot = pivots.find(this.pX);
      const other = slot === -1 ? col : pivots.column(slot);
      if (other < col) {
        const factor = p - ((this.pC * inv[pivots.coefficient(slot)]) % p);
        this.addSimplexCoboundary(cd[other], cx[other], factor, dim, working, coboundary);
        const rc = rm.c!;
        for (let e = vStart[other]; e < vEnd[other]; e++)
          this.addSimplexCoboundary(rm.d[e], rm.x[e], (rc[e] * factor) % p, dim, working, coboundary);
        found = this.getPivot(coboundary);
      } else if (this.zeroPivotFacet(this.pD, this.pX, this.pC, dim + 1) && this.addApparent(dim, p - this.fC)) {
        found = this.getPivot(coboundary);
      } else return this.pD;
    }
  }

  /**
   * If the pivot (p*) and its facet of equal diameter (f*) are an apparent pair, adds the facet's coboundary times
   * coef to the column and returns true. Most steps of a long column are these (39,180 of the 40,379 of o3_4096's
   * longest), so the test that the pivot is the facet's first cofacet of equal diameter is the start of the walk
   * that pushes the facet's cofacets: it goes to a staging heap until that cofacet turns up, and on to the column
   * once it is the pivot, which it then cancels (the pivot is dropped from the top instead of pushed and cancelled).
   */
  private addApparent(dim: number, coef: number): boolean {
    const c = this.c;
    const staged = this.staged;
    staged.size = 0;
    if (!c.pushCofacetsUntilEqual(this.fD, this.fX, coef, dim, this.threshold, staged) || c.foundIndex !== this.pX)
      return false;
    const coboundary = this.coboundary;
    this.working.push(this.fD, this.fX, coef);
    coboundary.pop();
    for (let t = 0; t < staged.size; t++) coboundary.push(staged.d[t], staged.x[t], staged.coefficient(t));
    c.pushRemainingCofacets(coboundary, false);
    return true;
  }

  /**
   * The parallel reduction, after Morozov and Nigmetov's lock-free reduction as giotto-ph runs it, in rounds. In
   * each round all threads reduce a set of pending columns (the next batch, and columns sent back) by the columns
   * to their left whose pivots are settled, which no one changes meanwhile. Then this thread settles the round in
   * column order: a column whose pivot is new takes it; one whose pivot a column to its left took in this round
   * goes back to pending; one whose pivot a column to its right holds takes it, and that column goes back to
   * pending. The lowest pending column always settles, so the rounds end; every column is then reduced by columns
   * to its left only, with distinct pivots: a reduction of the same matrix, hence the serial pairs and bars.
   */
  private reduceInRounds(from: number, count: number): void {
    // Few columns (often the costly ones) go in smaller rounds, so that every thread has some of each.
    const threads = this.runner!.workers + 1;
    const batch = Math.max(1, Math.min(this.tuning.batch, Math.ceil((count - from) / 8)));
    const chunk = Math.max(1, Math.min(this.tuning.batchChunk, Math.floor(batch / (4 * threads))));
    // Columns before `from` were reduced one by one and have their bars already.
    const deaths = new Float64Array(count).fill(NaN);
    let pending: number[] = [];
    for (let next = from; next < count || pending.length > 0;) {
      this.checkpoint('reduce', this.dim, next, count);
      const take = Math.min(batch, count - next);
      const total = pending.length + take;
      // Fresh arrays each round: a worker still busy with a chunk of the last round (one the calling thread took
      // over) writes only into that round's.
      const round = {
        order: new Int32Array(new SharedArrayBuffer(4 * total)),
        vStart: this.vStart,
        vEnd: this.vEnd,
        status: new Uint8Array(new SharedArrayBuffer(total)),
        pivotD: new Float32Array(new SharedArrayBuffer(4 * total)),
        pivotX: new Float64Array(new SharedArrayBuffer(8 * total)),
        pivotC: new Uint8Array(new SharedArrayBuffer(total)),
      };
      const order = round.order;
      pending.sort((x, y) => x - y);
      for (let i = 0; i < pending.length; i++) order[i] = pending[i];
      for (let i = 0; i < take; i++) order[pending.length + i] = next + i;
      next += take;
      const pivots = this.pivots;
      const rm = this.rm;
      const m: ReduceRound = {
        ...round,
        dim: this.dim,
        cd: this.cd,
        cx: this.cx,
        keys: pivots.keys,
        cols: pivots.cols,
        coefs: pivots.coefs,
        rmD: rm.d,
        rmX: rm.x,
        rmC: rm.c!,
      };
      // A column sent back is often a costly one (it ran into a column of its round): each goes in a chunk of its
      // own, so that two of them never queue on one thread while another idles (the essential classes of o3_4096
      // are sent back, then take 0.4-1 s each).
      const starts = new Int32Array(pending.length + Math.ceil(take / chunk) + 1);
      for (let i = 0; i <= pending.length; i++) starts[i] = i;
      for (let k = pending.length + 1; k < starts.length; k++) starts[k] = Math.min(total, starts[k - 1] + chunk);
      const parts = runChunked(this.runner!, { type: 'reduce', ...m }, starts, (a, b) =>
        this.reduceAgainstSettled(m, a, b),
      );
      pending = [];
      const { status, pivotD, pivotX, pivotC } = round;
      let part = 0;
      let entry = 0;
      for (let i = 0; i < total; i++) {
        if (i >= starts[part + 1]) {
          part++;
          entry = 0;
        }
        const r = parts[part];
        const length = r.counts[i - starts[part]];
        const col = order[i];
        if (status[i] === REDUCED_TO_ZERO) {
          deaths[col] = Infinity;
          this.vStart[col] = this.vEnd[col] = 0;
        } else {
          const slot = this.pivots.find(pivotX[i]);
          const owner = slot === -1 ? -1 : this.pivots.column(slot);
          if (owner !== -1 && owner < col) pending.push(col);
          else {
            if (slot === -1) this.pivots.insert(pivotX[i], col, pivotC[i]);
            else {
              this.pivots.cols[slot] = col;
              this.pivots.coefs[slot] = pivotC[i];
              deaths[owner] = NaN;
              pending.push(owner);
            }
            deaths[col] = pivotD[i];
            this.vStart[col] = this.rm.size;
            this.rm.append(r.d, r.x, r.c, entry, length);
            this.vEnd[col] = this.rm.size;
          }
        }
        entry += length;
      }
    }
    const bars = this.diagrams[this.dim];
    for (let col = from; col < count; col++) if (deaths[col] > this.cd[col]) bars.push([this.cd[col], deaths[col]]);
  }

  /** Reduces the columns order[from..to) of a round by the settled columns to their left (see reduceInRounds). */
  reduceAgainstSettled(m: ReduceRound, from: number, to: number, beat: Heartbeat = noBeat): ReducedChunk {
    if (m.dim !== this.dim || m.cd !== this.cd || m.rmD !== this.rm.d || m.keys !== this.pivots.keys) {
      // A worker's view of the calling thread's state; the arrays are shared, only the objects are new.
      this.dim = m.dim;
      this.cd = m.cd;
      this.cx = m.cx;
      this.vStart = m.vStart;
      this.vEnd = m.vEnd;
      const rm = new SimplexList(16, true);
      rm.d = m.rmD;
      rm.x = m.rmX;
      rm.c = m.rmC;
      this.rm = rm;
      this.pivots = PivotMap.view(m.keys, m.cols, m.coefs);
    }
    const counts = new Int32Array(to - from);
    const out = new SimplexList(64, true);
    this.beat = beat;
    for (let i = from; i < to; i++) {
      beat();
      const death = this.reduceUntilNewPivot(m.order[i], this.pivots);
      if (death === Infinity) {
        m.status[i] = REDUCED_TO_ZERO;
        continue;
      }
      m.status[i] = NEW_PIVOT;
      m.pivotD[i] = this.pD;
      m.pivotX[i] = this.pX;
      m.pivotC[i] = this.pC;
      const before = out.size;
      while (this.popPivot(this.working)) out.push(this.pD, this.pX, this.pC);
      counts[i - from] = out.size - before;
    }
    this.beat = noBeat;
    const t = out.trimmed();
    return { counts, d: t.d, x: t.x, c: t.c! };
  }

  private toCocycle(list: SimplexList, birth: number, death: number): Cocycle {
    const edges = new Uint32Array(2 * list.size);
    const coefficients = new Uint8Array(list.size);
    const v = this.verts;
    for (let t = 0; t < list.size; t++) {
      this.c.vertices(list.x[t], 1, v);
      edges[2 * t] = v[0];
      edges[2 * t + 1] = v[1];
      coefficients[t] = list.c![t];
    }
    return { birth, death, edges, coefficients };
  }

  /**
   * Fills the coboundary of column col, or stops early at an emergent pair; leaves the pivot in p*. A pivot held
   * by a column to the right is not taken (see reduceUntilNewPivot).
   */
  private initCoboundary(
    diam: number,
    index: number,
    dim: number,
    heap: EntryHeap,
    pivots: PivotMap,
    col: number,
  ): boolean {
    const c = this.c;
    // The first cofacet of equal diameter is the pivot; unless it is taken, the pair is emergent and the rest
    // of the coboundary is never enumerated. Otherwise the walk goes on from where it stopped.
    if (c.pushCofacetsUntilEqual(diam, index, 1, dim, this.threshold, heap)) {
      const x = c.foundIndex;
      const k = c.foundCoef;
      const slot = pivots.find(x);
      if ((slot === -1 || pivots.column(slot) > col) && !this.zeroApparentFacet(diam, x, k, dim + 1)) {
        heap.size = 0;
        this.pD = diam;
        this.pX = x;
        this.pC = k;
        return true;
      }
      c.pushRemainingCofacets(heap);
    }
    return this.getPivot(heap);
  }

  private addSimplexCoboundary(
    diam: number,
    index: number,
    coef: number,
    dim: number,
    working: EntryHeap,
    coboundary: EntryHeap,
  ): void {
    working.push(diam, index, coef);
    this.c.pushCofacets(diam, index, coef, dim, this.threshold, coboundary);
  }

  /** Pops the top entry with its coefficients summed; false when the column is zero. Result in p*. */
  private popPivot(heap: EntryHeap): boolean {
    const p = this.p;
    let coef = 0;
    let index = NONE;
    let diam = 0;
    while (heap.size > 0) {
      if (coef === 0) {
        diam = heap.d[0];
        index = heap.x[0];
        coef = heap.coefficient(0);
      } else if (heap.x[0] !== index) break;
      else coef = (coef + heap.coefficient(0)) % p;
      heap.pop();
    }
    this.pD = diam;
    this.pX = index;
    this.pC = coef;
    return coef !== 0;
  }

  /**
   * As popPivot, but leaves the pivot on top of the heap. Copies of the top simplex are always among the root's
   * children, so they are merged in place; most calls move nothing.
   */
  private getPivot(heap: EntryHeap): boolean {
    if (!heap.withCoefficients) return this.getPivotZ2(heap);
    const p = this.p;
    while (heap.size > 0) {
      const x = heap.x;
      const c = heap.c;
      const index = x[0];
      let coef = c[0];
      for (;;) {
        const child = heap.firstChild(0);
        if (child < 0 || x[child] !== index) break;
        coef = (coef + c[child]) % p;
        heap.removeAt(child);
      }
      if (coef !== 0) {
        c[0] = coef;
        this.pD = heap.d[0];
        this.pX = index;
        this.pC = coef;
        return true;
      }
      heap.removeAt(0);
    }
    this.pX = NONE;
    this.pC = 0;
    return false;
  }

  /** getPivot over Z/2, where two copies of a simplex simply cancel. */
  private getPivotZ2(heap: EntryHeap): boolean {
    while (heap.size > 0) {
      const x = heap.x;
      const index = x[0];
      const child = heap.firstChild(0);
      if (child < 0 || x[child] !== index) {
        this.pD = heap.d[0];
        this.pX = index;
        this.pC = 1;
        return true;
      }
      heap.removeAt(child);
      heap.removeAt(0);
    }
    this.pX = NONE;
    this.pC = 0;
    return false;
  }
}
