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
import { buildRipsGraph, type GraphStats } from './ripsGraph';
import { sortSimplices } from './radixSort';
import { UnionFind } from './unionFind';
import { EntryHeap } from './entryHeap';
import { estimateGraphBytes, estimateRipsBytes, PersistenceTooLargeError } from './memoryEstimate';

export { estimateRipsBytes, IndexOverflowError, PersistenceTooLargeError };

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
  const reducer = new Reducer(graph, maxDim, modulus, options);
  return reducer.run();
}

/** Open addressing from a pivot's simplex index to its column and its coefficient there. */
class PivotMap {
  private keys: Float64Array;
  private cols: Int32Array;
  private coefs: Uint8Array;
  private mask: number;
  size = 0;

  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.cols = new Int32Array(cap);
    this.coefs = new Uint8Array(cap);
    this.mask = cap - 1;
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
    this.keys = new Float64Array(cap).fill(-1);
    this.cols = new Int32Array(cap);
    this.coefs = new Uint8Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let s = 0; s < keys.length; s++) if (keys[s] !== -1) this.insert(keys[s], cols[s], coefs[s]);
  }
}

/** Growable parallel arrays of simplices. */
class SimplexList {
  d: Float32Array;
  x: Float64Array;
  c: Uint8Array | null;
  size = 0;

  constructor(capacity = 1024, withCoefficients = false) {
    this.d = new Float32Array(Math.max(16, capacity));
    this.x = new Float64Array(Math.max(16, capacity));
    this.c = withCoefficients ? new Uint8Array(Math.max(16, capacity)) : null;
  }

  push(diam: number, index: number, coef = 0): void {
    if (this.size === this.d.length) {
      const cap = this.size * 2;
      const d = new Float32Array(cap);
      d.set(this.d);
      this.d = d;
      const x = new Float64Array(cap);
      x.set(this.x);
      this.x = x;
      if (this.c) {
        const c = new Uint8Array(cap);
        c.set(this.c);
        this.c = c;
      }
    }
    this.d[this.size] = diam;
    this.x[this.size] = index;
    if (this.c) this.c[this.size] = coef;
    this.size++;
  }

  /** A copy in the order of a permutation. */
  permuted(perm: Uint32Array): SimplexList {
    const out = new SimplexList(perm.length);
    for (let t = 0; t < perm.length; t++) {
      out.d[t] = this.d[perm[t]];
      out.x[t] = this.x[perm[t]];
    }
    out.size = perm.length;
    return out;
  }
}

const NONE = -1;

class Reducer {
  private readonly c: RipsComplex;
  private readonly p: number;
  private readonly inverse: Uint8Array;
  private readonly threshold: number;
  private readonly cob: CoboundaryEnumerator;
  private readonly bd: FacetFinder;
  private readonly diagrams: Array<Array<[number, number]>> = [];
  private readonly cocycles: Cocycle[] = [];
  private readonly verts: Int32Array;
  // Results of the zero-pivot searches (index NONE when there is none).
  // NaN: double fields from the start (see RipsComplex.foundIndex); each is set before it is read.
  private fD = NaN;
  private fX = NaN;
  private fC = 0;
  // The pivot of the working column.
  private pD = NaN;
  private pX = NaN;
  private pC = 0;

  constructor(
    private readonly graph: RipsGraph,
    private readonly maxDim: number,
    modulus: number,
    private readonly options: RipsOptions,
  ) {
    this.c = new RipsComplex(graph, maxDim, modulus);
    this.p = modulus;
    this.threshold = graph.threshold;
    this.inverse = new Uint8Array(modulus);
    this.inverse[1] = 1;
    for (let a = 2; a < modulus; a++)
      this.inverse[a] = modulus - ((Math.floor(modulus / a) * this.inverse[modulus % a]) % modulus);
    this.cob = new CoboundaryEnumerator(this.c);
    this.bd = new FacetFinder(this.c);
    this.verts = new Int32Array(maxDim + 3);
  }

  run(): PersistenceResult {
    const n = this.graph.n;
    for (let d = 0; d <= this.maxDim; d++) this.diagrams.push([]);
    if (n > 0) {
      const edges = this.edges();
      let columns = this.dim0(edges);
      let simplices = edges;
      for (let dim = 1; dim <= this.maxDim; dim++) {
        const pivots = new PivotMap(columns.size);
        this.reduce(columns, pivots, dim);
        if (dim < this.maxDim) {
          const next = this.assemble(simplices, pivots, dim + 1);
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

  /** All edges under the threshold, sorted by increasing diameter and then decreasing index. */
  private edges(): SimplexList {
    const { graph, c } = this;
    const list = new SimplexList(1024);
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
    return list.permuted(sortSimplices(list.d, list.x, list.size, false, true));
  }

  /** H0 by Kruskal; returns the edges that are H1 columns, by decreasing diameter. */
  private dim0(edges: SimplexList): SimplexList {
    const n = this.graph.n;
    const uf = new UnionFind(n);
    const bars = this.diagrams[0];
    const cols = new SimplexList(1024);
    const v = this.verts;
    const checkApparent = this.maxDim >= 1;
    for (let e = 0; e < edges.size; e++) {
      const d = edges.d[e];
      const x = edges.x[e];
      this.c.vertices(x, 1, v);
      const a = uf.find(v[0]);
      const b = uf.find(v[1]);
      if (a !== b) {
        if (d !== 0) bars.push([0, d]);
        uf.link(a, b);
      } else if (checkApparent) {
        const sv = this.c.simplexVertices;
        sv[0] = v[0];
        sv[1] = v[1];
        if (!this.zeroApparentCofacet(d, x, 1, true)) cols.push(d, x);
      }
      if ((e & 0xffff) === 0) this.checkpoint('H0', 0, e, edges.size);
    }
    for (let i = 0; i < n; i++) if (uf.find(i) === i) bars.push([0, Infinity]);
    const out = new SimplexList(cols.size);
    for (let t = 0; t < cols.size; t++) out.push(cols.d[cols.size - 1 - t], cols.x[cols.size - 1 - t]);
    return out;
  }

  /** The first facet with the simplex's diameter (the pivot of its boundary), if any. */
  private zeroPivotFacet(diam: number, index: number, coef: number, dim: number, decoded = false): boolean {
    const bd = this.bd;
    if (bd.firstEqualFacet(diam, index, coef, dim, decoded)) {
      this.fD = diam;
      this.fX = bd.index;
      this.fC = bd.coef;
      return true;
    }
    this.fX = NONE;
    return false;
  }

  /** Whether the simplex is the cofacet of a zero-persistence apparent pair; the facet is left in f*. */
  private zeroApparentFacet(diam: number, index: number, coef: number, dim: number, decoded = false): boolean {
    return this.zeroPivotFacet(diam, index, coef, dim, decoded) && this.bd.foundIsApparent(diam, dim);
  }

  /** Whether the simplex is the facet of a zero-persistence apparent pair. */
  private zeroApparentCofacet(diam: number, index: number, dim: number, decoded = false): boolean {
    const c = this.c;
    return c.firstEqualCofacet(diam, index, 1, dim, decoded) && c.foundIsApparent(diam, dim);
  }

  /** The (dim)-simplices that need a column: cofacets of the (dim-1)-simplices, minus cleared and apparent ones. */
  private assemble(
    simplices: SimplexList,
    pivots: PivotMap,
    dim: number,
  ): { simplices: SimplexList; columns: SimplexList } {
    const cb = this.cob;
    const keepSimplices = dim < this.maxDim;
    const next = new SimplexList(keepSimplices ? simplices.size * 2 : 16);
    const cols = new SimplexList(simplices.size);
    const t = this.threshold;
    for (let s = 0; s < simplices.size; s++) {
      cb.set(simplices.d[s], simplices.x[s], 1, dim - 1);
      while (cb.hasNext(false)) {
        cb.next();
        const d = cb.diam;
        if (d > t) continue;
        const x = cb.index;
        if (keepSimplices) next.push(d, x);
        if (pivots.find(x) !== -1) continue;
        // The enumerator knows the cofacet's vertices: neither test decodes them from the index.
        const sv = this.c.simplexVertices;
        cb.cofacetVertices(sv);
        if (this.zeroApparentCofacet(d, x, dim, true)) continue;
        const fv = this.bd.verts;
        for (let t = 0; t <= dim; t++) fv[t] = sv[t];
        if (this.zeroApparentFacet(d, x, 1, dim, true)) continue;
        cols.push(d, x);
      }
      if ((s & 0x3fff) === 0) this.checkpoint('assemble', dim, s, simplices.size);
    }
    const sorted = cols.permuted(sortSimplices(cols.d, cols.x, cols.size, true, false));
    return { simplices: next, columns: sorted };
  }

  private reduce(columns: SimplexList, pivots: PivotMap, dim: number): void {
    const p = this.p;
    const inv = this.inverse;
    const bars = this.diagrams[dim];
    const working = new EntryHeap(p !== 2);
    const coboundary = new EntryHeap(p !== 2);
    // The reduction matrix V without its diagonal, column by column.
    const start = new Int32Array(columns.size + 1);
    const rm = new SimplexList(1024, true);
    const wantCocycles = this.options.cocycles === true && dim === 1;
    const cd = columns.d;
    const cx = columns.x;
    for (let col = 0; col < columns.size; col++) {
      if ((col & 0x3ff) === 0) this.checkpoint('reduce', dim, col, columns.size);
      const diameter = cd[col];
      working.size = 0;
      coboundary.size = 0;
      let found = this.initCoboundary(diameter, cx[col], dim, coboundary, pivots);
      let death = Infinity;
      for (;;) {
        if (!found) break;
        const slot = pivots.find(this.pX);
        if (slot !== -1) {
          const other = pivots.column(slot);
          const factor = p - ((this.pC * inv[pivots.coefficient(slot)]) % p);
          this.addSimplexCoboundary(cd[other], cx[other], factor, dim, working, coboundary);
          const rc = rm.c!;
          for (let e = start[other]; e < start[other + 1]; e++)
            this.addSimplexCoboundary(rm.d[e], rm.x[e], (rc[e] * factor) % p, dim, working, coboundary);
          found = this.getPivot(coboundary);
        } else if (this.zeroApparentFacet(this.pD, this.pX, this.pC, dim + 1)) {
          this.addSimplexCoboundary(this.fD, this.fX, p - this.fC, dim, working, coboundary);
          found = this.getPivot(coboundary);
        } else {
          death = this.pD;
          pivots.insert(this.pX, col, this.pC);
          break;
        }
      }
      const isBar = death > diameter;
      if (isBar) bars.push([diameter, death]);
      // Move the working reduction column into V; its entries (and the diagonal) form the cocycle.
      const cocycle = wantCocycles && isBar ? new SimplexList(16, true) : null;
      if (cocycle) cocycle.push(diameter, cx[col], 1);
      while (this.popPivot(working)) {
        if (death !== Infinity) rm.push(this.pD, this.pX, this.pC);
        if (cocycle) cocycle.push(this.pD, this.pX, this.pC);
      }
      start[col + 1] = rm.size;
      if (cocycle) this.cocycles.push(this.toCocycle(cocycle, diameter, death));
    }
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

  /** Fills the coboundary of a column, or stops early at an emergent pair; leaves the pivot in p*. */
  private initCoboundary(diam: number, index: number, dim: number, heap: EntryHeap, pivots: PivotMap): boolean {
    const c = this.c;
    // The first cofacet of equal diameter is the pivot; unless it is taken, the pair is emergent and the rest
    // of the coboundary is never enumerated. Otherwise the walk goes on from where it stopped.
    if (c.pushCofacetsUntilEqual(diam, index, 1, dim, this.threshold, heap)) {
      const x = c.foundIndex;
      const k = c.foundCoef;
      if (pivots.find(x) === -1 && !this.zeroApparentFacet(diam, x, k, dim + 1)) {
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
      const e = heap.e;
      if (coef === 0) {
        diam = e[0];
        index = e[1];
        coef = heap.coefficient(0);
      } else if (e[1] !== index) break;
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
      const e = heap.e;
      const c = heap.c;
      const index = e[1];
      let coef = c[0];
      for (;;) {
        const child = heap.firstChild(0);
        if (child < 0 || e[2 * child + 1] !== index) break;
        coef = (coef + c[child]) % p;
        heap.removeAt(child);
      }
      if (coef !== 0) {
        c[0] = coef;
        this.pD = e[0];
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
      const e = heap.e;
      const index = e[1];
      const child = heap.firstChild(0);
      if (child < 0 || e[2 * child + 1] !== index) {
        this.pD = e[0];
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
