/**
 * The filtered Vietoris–Rips complex as the reduction sees it: simplices are indices in the combinatorial number
 * system, diameters come from a dense lower-triangular float32 matrix or from sorted neighbour lists under the
 * threshold, and (co)faces are enumerated on the fly - no boundary matrix is ever stored.
 */
import { BinomialTable } from './binomial';
import type { EntryHeap } from './entryHeap';

export interface RipsGraph {
  n: number;
  /** Simplices with a larger diameter are not in the complex. A float32 value (or Infinity). */
  threshold: number;
  /** Lower triangle d(1,0), d(2,0), d(2,1), ... when the graph is dense. */
  dense: Float32Array | null;
  /** Neighbour lists (CSR, sorted by vertex) when the graph is sparse. */
  nbrStart: Int32Array | null;
  nbrIndex: Int32Array | null;
  nbrDiam: Float32Array | null;
}

const FACTORIAL = [
  1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800, 479001600, 6227020800, 87178291200, 1307674368000,
  20922789888000, 355687428096000, 6402373705728000, 121645100408832000,
];

/**
 * The largest edge-length lookup table kept beside sparse neighbour lists (4 MB of float32). A table the size of
 * the last-level cache makes every load a miss: on o3_4096 (8.4 million pairs, 34 MB) the reduction took 1.6 times
 * as long with the table as with merges along the sorted neighbour lists, which read memory in order.
 */
export const LOOKUP_ENTRIES = 1024 * 1024;

export class RipsComplex {
  readonly n: number;
  readonly binom: Float64Array;
  readonly stride: number;
  readonly dense: Float32Array | null;
  readonly nbrStart: Int32Array;
  readonly nbrIndex: Int32Array;
  readonly nbrDiam: Float32Array;
  /** Where row i of the dense lower triangle starts: i(i-1)/2. */
  readonly row: Float64Array;
  /**
   * For a sparse graph, a lower triangle of its edge lengths (Infinity elsewhere) when small enough: facet
   * diameters then cost one load instead of a binary search in a neighbour list.
   */
  readonly lookup: Float32Array | null;
  private readonly scratch: Int32Array;

  /**
   * `edges`: a sparse graph's edge table made by another thread's complex (see `lookup`), so that threads share
   * one; 'shared' makes a new one in shared memory.
   */
  constructor(
    readonly graph: RipsGraph,
    readonly maxDim: number,
    readonly modulus: number,
    edges: Float32Array | null | 'shared' = null,
  ) {
    this.n = graph.n;
    const table = new BinomialTable(graph.n, maxDim + 2);
    this.binom = table.values;
    this.stride = table.stride;
    this.dense = graph.dense;
    this.nbrStart = graph.nbrStart ?? new Int32Array(1);
    this.nbrIndex = graph.nbrIndex ?? new Int32Array(0);
    this.nbrDiam = graph.nbrDiam ?? new Float32Array(0);
    this.scratch = new Int32Array(maxDim + 3);
    this.lengthStride = maxDim + 3;
    this.simplexLengths = new Float64Array(this.lengthStride * this.lengthStride);
    this.foundLengths = new Float64Array(this.lengthStride);
    this.cpos = new Int32Array(this.lengthStride);
    this.cend = new Int32Array(this.lengthStride);
    this.cv = new Int32Array(maxDim + 3);
    this.pos = new Int32Array(maxDim + 3);
    this.end = new Int32Array(maxDim + 3);
    this.pv = new Int32Array(maxDim + 3);
    this.ppos = new Int32Array(maxDim + 3);
    this.pend = new Int32Array(maxDim + 3);
    const pairs = (graph.n * (graph.n - 1)) / 2;
    const given = edges !== null && edges !== 'shared';
    const lookup =
      graph.dense !== null || pairs > LOOKUP_ENTRIES
        ? null
        : given
          ? edges
          : new Float32Array(edges === 'shared' ? new SharedArrayBuffer(4 * pairs) : new ArrayBuffer(4 * pairs)).fill(
              Infinity,
            );
    this.row = new Float64Array(graph.dense !== null || lookup !== null ? graph.n : 0);
    for (let i = 0; i < this.row.length; i++) this.row[i] = (i * (i - 1)) / 2;
    if (lookup !== null && !given)
      for (let i = 0; i < graph.n; i++)
        for (let p = this.nbrStart[i]; p < this.nbrStart[i + 1]; p++) {
          const j = this.nbrIndex[p];
          if (j >= i) break;
          lookup[this.row[i] + j] = this.nbrDiam[p];
        }
    this.lookup = graph.dense ?? lookup;
  }

  B(v: number, k: number): number {
    return this.binom[k * this.stride + v];
  }

  dist(i: number, j: number): number {
    if (i === j) return 0;
    const d = this.lookup;
    if (d !== null) return i > j ? d[this.row[i] + j] : d[this.row[j] + i];
    // Binary search in i's sorted neighbour list; absent means beyond the threshold.
    let lo = this.nbrStart[i];
    let hi = this.nbrStart[i + 1];
    const idx = this.nbrIndex;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (idx[mid] < j) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.nbrStart[i + 1] && idx[lo] === j ? this.nbrDiam[lo] : Infinity;
  }

  /**
   * The largest v <= top with C(v, k) <= idx. C(v, k) is close to (v - (k-1)/2)^k / k!, so a root gives v to
   * within a step or two; the table then settles it. This avoids a branchy binary search per vertex.
   */
  maxVertex(idx: number, k: number, top: number): number {
    const b = this.binom;
    const row = k * this.stride;
    if (b[row + top] <= idx) return top;
    let v: number;
    if (k === 1) v = idx;
    else if (k === 2) v = Math.floor((1 + Math.sqrt(1 + 8 * idx)) / 2);
    else if (k === 3) v = Math.floor(Math.cbrt(6 * idx) + 1);
    else if (k < FACTORIAL.length) v = Math.floor(Math.pow(idx * FACTORIAL[k], 1 / k) + (k - 1) / 2);
    else {
      // Binary search over [k - 1, top].
      let count = top - (k - 1);
      while (count > 0) {
        const step = count >> 1;
        const mid = top - step;
        if (b[row + mid] > idx) {
          top = mid - 1;
          count -= step + 1;
        } else count = step;
      }
      return top;
    }
    if (v > top) v = top;
    if (v < k - 1) v = k - 1;
    while (v < top && b[row + v + 1] <= idx) v++;
    while (v > k - 1 && b[row + v] > idx) v--;
    return v;
  }

  /** Writes the vertices of a dim-simplex into out[0..dim], ascending. */
  vertices(idx: number, dim: number, out: Int32Array): void {
    let top = this.n - 1;
    for (let k = dim + 1; k > 1; k--) {
      top = this.maxVertex(idx, k, top);
      out[k - 1] = top;
      idx -= this.binom[k * this.stride + top];
    }
    out[0] = idx;
  }

  // Fields that hold diameters or simplex indices start as NaN, a double: one that started as a small integer
  // would change the object's hidden class at its first fractional or large value and throw away the
  // optimized code of every method that had seen it ("wrong map" deoptimizations in a cold CLI run).
  /** The result of firstEqualCofacet. */
  foundIndex = NaN;
  foundCoef = 0;
  /** The vertex that the found cofacet adds to the simplex. */
  foundVertex = 0;
  /**
   * Edge lengths of the simplex in simplexVertices, [a * lengthStride + t] for t < a, -1 where not looked up yet:
   * a caller that knows some (from an enumeration) writes them and passes lengthsKnown, sparing binary searches.
   */
  readonly simplexLengths: Float64Array;
  /** The row length of simplexLengths and of the other edge-length tables: maxDim + 3. */
  readonly lengthStride: number;
  /** After firstEqualCofacet found a cofacet: the length from each vertex of the simplex to the added vertex. */
  readonly foundLengths: Float64Array;
  private readonly cv: Int32Array;
  /** Where a caller that knows a simplex's vertices leaves them for firstEqualCofacet(..., decoded = true). */
  get simplexVertices(): Int32Array {
    return this.cv;
  }
  private readonly pos: Int32Array;
  private readonly end: Int32Array;
  // pushCofacets has its own scratch, so that no other search can disturb its walk.
  private readonly pv: Int32Array;
  private readonly ppos: Int32Array;
  private readonly pend: Int32Array;

  /** Pushes the cofacets of a simplex with diameter <= threshold onto a heap. */
  pushCofacets(diam: number, index: number, coef: number, dim: number, threshold: number, heap: EntryHeap): void {
    this.startWalk(diam, index, coef, dim, threshold);
    this.walk(heap, false);
  }

  /**
   * As pushCofacets, but stops at the first cofacet (largest index) with the simplex's own diameter, without
   * pushing it, and leaves it in foundIndex and foundCoef; true if it stopped there. This is Ripser's emergent
   * pair shortcut with a single enumeration: if the pair is emergent the rest is never enumerated, otherwise
   * pushRemainingCofacets pushes the found cofacet (unless told not to) and goes on where the walk stopped.
   */
  pushCofacetsUntilEqual(
    diam: number,
    index: number,
    coef: number,
    dim: number,
    threshold: number,
    heap: EntryHeap,
  ): boolean {
    this.startWalk(diam, index, coef, dim, threshold);
    return this.walk(heap, true);
  }

  pushRemainingCofacets(heap: EntryHeap, withFound = true): void {
    if (withFound) heap.push(this.wDiam, this.wFoundIndex, this.wFoundCoef);
    this.walk(heap, false);
  }

  // The state of a cofacet walk, kept between pushCofacetsUntilEqual and pushRemainingCofacets.
  private wDiam = NaN;
  private wCoef = 0;
  private wDim = 0;
  private wThreshold = NaN;
  private wBelow = NaN;
  private wAbove = NaN;
  private wK = 0;
  /** Dense: the next candidate vertex j. Sparse: the next position in the first vertex's neighbour list. */
  private wNext = 0;
  // Other searches (the apparent pair tests between the two calls) overwrite foundIndex and foundCoef.
  private wFoundIndex = NaN;
  private wFoundCoef = 0;

  private startWalk(diam: number, index: number, coef: number, dim: number, threshold: number): void {
    const verts = this.pv;
    this.vertices(index, dim, verts);
    this.wDiam = diam;
    this.wCoef = coef;
    this.wDim = dim;
    this.wThreshold = threshold;
    this.wBelow = index;
    this.wAbove = 0;
    this.wK = dim + 1;
    if (this.dense !== null) this.wNext = this.n - 1;
    else {
      const pos = this.ppos;
      const end = this.pend;
      for (let t = 0; t <= dim; t++) {
        pos[t] = this.nbrStart[verts[t] + 1] - 1;
        end[t] = this.nbrStart[verts[t]];
      }
      this.wNext = pos[0];
    }
  }

  /**
   * The innermost loop of the reduction: the walk's state lives in locals and is written back only when it
   * stops at an equal-diameter cofacet.
   */
  private walk(heap: EntryHeap, stopAtEqual: boolean): boolean {
    const verts = this.pv;
    const diam = this.wDiam;
    const coef = this.wCoef;
    const dim = this.wDim;
    const threshold = this.wThreshold;
    const neg = coef === 0 ? 0 : this.modulus - coef;
    const b = this.binom;
    const s = this.stride;
    let idxBelow = this.wBelow;
    let idxAbove = this.wAbove;
    let k = this.wK;
    const d = this.dense;
    if (d !== null) {
      const row = this.row;
      // j walks down through the vertices not in the simplex; passing a vertex of the simplex shifts its term
      // from the part below j to the part above.
      let nextV = k > 0 ? verts[k - 1] : -1;
      for (let j = this.wNext; j >= k; j--) {
        while (j === nextV) {
          idxBelow -= b[k * s + j];
          idxAbove += b[(k + 1) * s + j];
          j--;
          k--;
          nextV = k > 0 ? verts[k - 1] : -1;
        }
        // Vertices below j are verts[0..k-1]; those above are verts[k..dim].
        let cd = diam;
        const rowJ = row[j];
        for (let t = 0; t < k; t++) {
          const x = d[rowJ + verts[t]];
          if (x > cd) cd = x;
        }
        for (let t = k; t <= dim; t++) {
          const x = d[row[verts[t]] + j];
          if (x > cd) cd = x;
        }
        if (cd > threshold) continue;
        const x = idxAbove + b[(k + 1) * s + j] + idxBelow;
        const c = k & 1 ? neg : coef;
        if (stopAtEqual && cd === diam) {
          this.foundIndex = this.wFoundIndex = x;
          this.foundCoef = this.wFoundCoef = c;
          this.wBelow = idxBelow;
          this.wAbove = idxAbove;
          this.wK = k;
          this.wNext = j - 1;
          return true;
        }
        heap.push(cd, x, c);
      }
      return false;
    }
    const idx = this.nbrIndex;
    const dd = this.nbrDiam;
    const pos = this.ppos;
    const end = this.pend;
    const end0 = end[0];
    const lk = this.lookup;
    if (lk !== null) {
      // As in firstEqualCofacet: table loads instead of merging along the other vertices' lists.
      const row = this.row;
      next: for (let p0 = this.wNext; p0 >= end0; p0--) {
        const nb = idx[p0];
        let nd = dd[p0];
        if (nd > threshold) continue;
        while (k > 0 && verts[k - 1] > nb) {
          idxBelow -= b[k * s + verts[k - 1]];
          idxAbove += b[(k + 1) * s + verts[k - 1]];
          k--;
        }
        if (k > 0 && verts[k - 1] === nb) continue;
        const rowN = row[nb];
        for (let t = 1; t < k; t++) {
          const x = lk[rowN + verts[t]];
          if (x > threshold) continue next;
          if (x > nd) nd = x;
        }
        for (let t = k > 1 ? k : 1; t <= dim; t++) {
          const x = lk[row[verts[t]] + nb];
          if (x > threshold) continue next;
          if (x > nd) nd = x;
        }
        const cd = nd > diam ? nd : diam;
        const x = idxAbove + b[(k + 1) * s + nb] + idxBelow;
        const c = k & 1 ? neg : coef;
        if (stopAtEqual && cd === diam) {
          this.foundIndex = this.wFoundIndex = x;
          this.foundCoef = this.wFoundCoef = c;
          this.wBelow = idxBelow;
          this.wAbove = idxAbove;
          this.wK = k;
          this.wNext = p0 - 1;
          return true;
        }
        heap.push(cd, x, c);
      }
      return false;
    }
    outer: for (let p0 = this.wNext; p0 >= end0; p0--) {
      const nb = idx[p0];
      let nd = dd[p0];
      for (let t = 1; t <= dim; t++) {
        let p = pos[t];
        const e = end[t];
        while (p >= e && idx[p] > nb) p--;
        pos[t] = p;
        if (p < e) return false;
        if (idx[p] !== nb) continue outer;
        if (dd[p] > nd) nd = dd[p];
      }
      while (k > 0 && verts[k - 1] > nb) {
        idxBelow -= b[k * s + verts[k - 1]];
        idxAbove += b[(k + 1) * s + verts[k - 1]];
        k--;
      }
      const cd = nd > diam ? nd : diam;
      if (cd > threshold) continue;
      const x = idxAbove + b[(k + 1) * s + nb] + idxBelow;
      const c = k & 1 ? neg : coef;
      if (stopAtEqual && cd === diam) {
        this.foundIndex = this.wFoundIndex = x;
        this.foundCoef = this.wFoundCoef = c;
        this.wBelow = idxBelow;
        this.wAbove = idxAbove;
        this.wK = k;
        this.wNext = p0 - 1;
        return true;
      }
      heap.push(cd, x, c);
    }
    return false;
  }

  /**
   * The first cofacet (largest index) with the simplex's own diameter, left in foundIndex and foundCoef. With
   * decoded, the caller has already written the simplex's vertices into simplexVertices.
   */
  firstEqualCofacet(
    diam: number,
    index: number,
    coef: number,
    dim: number,
    decoded = false,
    lengthsKnown = false,
  ): boolean {
    const verts = this.cv;
    if (!decoded) this.vertices(index, dim, verts);
    if (!lengthsKnown) this.simplexLengths.fill(-1);
    const fl = this.foundLengths;
    const b = this.binom;
    const s = this.stride;
    let idxBelow = index;
    let idxAbove = 0;
    let k = dim + 1;
    const d = this.dense;
    if (d !== null) {
      const row = this.row;
      let nextV = verts[k - 1];
      next: for (let j = this.n - 1; j >= k; j--) {
        while (j === nextV) {
          idxBelow -= b[k * s + j];
          idxAbove += b[(k + 1) * s + j];
          j--;
          k--;
          nextV = k > 0 ? verts[k - 1] : -1;
        }
        const rowJ = row[j];
        for (let t = 0; t < k; t++) if (d[rowJ + verts[t]] > diam) continue next;
        for (let t = k; t <= dim; t++) if (d[row[verts[t]] + j] > diam) continue next;
        for (let t = 0; t < k; t++) fl[t] = d[rowJ + verts[t]];
        for (let t = k; t <= dim; t++) fl[t] = d[row[verts[t]] + j];
        this.foundVertex = j;
        this.foundIndex = idxAbove + b[(k + 1) * s + j] + idxBelow;
        this.foundCoef = k & 1 ? (coef === 0 ? 0 : this.modulus - coef) : coef;
        return true;
      }
      return false;
    }
    const idx = this.nbrIndex;
    const dd = this.nbrDiam;
    const lk = this.lookup;
    if (lk !== null) {
      // With the edge table at hand, each candidate from the first vertex's list costs dim loads instead of a
      // merge along every other vertex's list.
      const row = this.row;
      const start = this.nbrStart[verts[0]];
      next: for (let p0 = this.nbrStart[verts[0] + 1] - 1; p0 >= start; p0--) {
        if (dd[p0] > diam) continue;
        const nb = idx[p0];
        while (k > 0 && verts[k - 1] > nb) {
          idxBelow -= b[k * s + verts[k - 1]];
          idxAbove += b[(k + 1) * s + verts[k - 1]];
          k--;
        }
        if (k > 0 && verts[k - 1] === nb) continue;
        const rowN = row[nb];
        for (let t = 1; t < k; t++) if (lk[rowN + verts[t]] > diam) continue next;
        for (let t = k > 1 ? k : 1; t <= dim; t++) if (lk[row[verts[t]] + nb] > diam) continue next;
        fl[0] = dd[p0];
        for (let t = 1; t < k; t++) fl[t] = lk[rowN + verts[t]];
        for (let t = k > 1 ? k : 1; t <= dim; t++) fl[t] = lk[row[verts[t]] + nb];
        this.foundVertex = nb;
        this.foundIndex = idxAbove + b[(k + 1) * s + nb] + idxBelow;
        this.foundCoef = k & 1 ? (coef === 0 ? 0 : this.modulus - coef) : coef;
        return true;
      }
      return false;
    }
    const pos = this.pos;
    const end = this.end;
    for (let t = 0; t <= dim; t++) {
      pos[t] = this.nbrStart[verts[t] + 1] - 1;
      end[t] = this.nbrStart[verts[t]];
    }
    // A cofacet of equal diameter needs every new edge <= diam: test the driving vertex's edge first, before
    // walking the other lists (their pointers only move down, so they catch up on the next candidate).
    const end0 = end[0];
    outer: for (let p0 = pos[0]; p0 >= end0; p0--) {
      let nd = dd[p0];
      if (nd > diam) continue;
      const nb = idx[p0];
      for (let t = 1; t <= dim; t++) {
        let p = pos[t];
        const e = end[t];
        while (p >= e && idx[p] > nb) p--;
        pos[t] = p;
        if (p < e) return false;
        if (idx[p] !== nb) continue outer;
        if (dd[p] > nd) nd = dd[p];
      }
      if (nd > diam) continue;
      while (k > 0 && verts[k - 1] > nb) {
        idxBelow -= b[k * s + verts[k - 1]];
        idxAbove += b[(k + 1) * s + verts[k - 1]];
        k--;
      }
      fl[0] = dd[p0];
      for (let t = 1; t <= dim; t++) fl[t] = dd[pos[t]];
      this.foundVertex = nb;
      this.foundIndex = idxAbove + b[(k + 1) * s + nb] + idxBelow;
      this.foundCoef = k & 1 ? (coef === 0 ? 0 : this.modulus - coef) : coef;
      return true;
    }
    return false;
  }

  /**
   * Right after firstEqualCofacet(diam, index, ..., dim) found a cofacet: whether the simplex is in turn that
   * cofacet's first facet of equal diameter, i.e. whether the two form an apparent pair. The cofacet's facets
   * that come first are those dropping a vertex above the added one; they are tested from the vertices already
   * at hand, so the cofacet is never decoded from its index.
   */
  foundIsApparent(diam: number, dim: number): boolean {
    const v = this.cv;
    const j = this.foundVertex;
    const m = dim + 1;
    const len = this.simplexLengths;
    const toJ = this.foundLengths;
    const S = this.lengthStride;
    for (let r = dim; r >= 0 && v[r] > j; r--) {
      // The facet that drops v[r] and keeps j: its diameter is diam as soon as one of its edges is that long.
      for (let a = 0; a < m; a++) {
        if (a === r) continue;
        if (toJ[a] === diam) return false;
        for (let t = 0; t < a; t++) {
          if (t === r) continue;
          let x = len[a * S + t];
          if (x < 0) x = len[a * S + t] = this.dist(v[a], v[t]);
          if (x === diam) return false;
        }
      }
    }
    return true;
  }

  // The common neighbours of a simplex (see commonNeighbours), in decreasing vertex order: the vertex, its
  // lengths to the simplex's vertices (stride lengthStride) and the largest of them.
  commonVertex = new Int32Array(0);
  commonLengths = new Float64Array(0);
  commonMax = new Float64Array(0);
  private readonly cpos: Int32Array;
  private readonly cend: Int32Array;
  // One vertex's neighbours spread over all vertices (rowStamp[w] is that vertex where w is its neighbour, with the
  // length in rowLength[w]), for startCommonOfEdge.
  private rowOf = -1;
  private rowStamp = new Int32Array(0);
  private rowLength = new Float32Array(0);

  /**
   * Starts the common neighbours of the edge {a, b} (a < b), in the order of commonNeighbours, to be had one at a
   * time from nextCommon(): the assembly of triangles mostly needs only the first few (those above b, and the
   * first one close enough to each), so the rest of a's list is never read. And b's neighbours are spread over all
   * vertices once for all its edges (the caller takes edges grouped by their larger vertex), so each of a's
   * neighbours costs one load where a merge of two lists of about a hundred (o3_4096) branched at every step.
   */
  startCommonOfEdge(a: number, b: number): void {
    const start = this.nbrStart;
    if (this.rowStamp.length < this.n) {
      this.rowStamp = new Int32Array(this.n).fill(-1);
      this.rowLength = new Float32Array(this.n);
    }
    if (this.rowOf !== b) {
      const idx = this.nbrIndex;
      const dd = this.nbrDiam;
      const stamp = this.rowStamp;
      const length = this.rowLength;
      for (let p = start[b]; p < start[b + 1]; p++) {
        stamp[idx[p]] = b;
        length[idx[p]] = dd[p];
      }
      this.rowOf = b;
    }
    if (this.commonVertex.length < start[a + 1] - start[a]) this.growCommon();
    this.nextPos = start[a + 1] - 1;
    this.lastPos = start[a];
    this.nextAt = 0;
  }

  private nextPos = 0;
  private lastPos = 0;
  private nextAt = 0;

  /** Writes the next common neighbour of startCommonOfEdge's edge after those before it; false if none is left. */
  nextCommon(): boolean {
    const idx = this.nbrIndex;
    const stamp = this.rowStamp;
    const b = this.rowOf;
    const last = this.lastPos;
    for (let p = this.nextPos; p >= last; p--) {
      const nb = idx[p];
      if (stamp[nb] !== b) continue;
      const x = this.nbrDiam[p];
      const y = this.rowLength[nb];
      const at = this.nextAt++;
      this.commonVertex[at] = nb;
      this.commonLengths[at * this.lengthStride] = x;
      this.commonLengths[at * this.lengthStride + 1] = y;
      this.commonMax[at] = x > y ? x : y;
      this.nextPos = p - 1;
      return true;
    }
    this.nextPos = last - 1;
    return false;
  }

  private growCommon(): void {
    const start = this.nbrStart;
    let most = 0;
    for (let i = 0; i < this.n; i++) most = Math.max(most, start[i + 1] - start[i]);
    this.commonVertex = new Int32Array(most);
    this.commonLengths = new Float64Array(most * this.lengthStride);
    this.commonMax = new Float64Array(most);
  }

  /**
   * Writes the common neighbours of the simplex with vertices verts[0..dim] (a sparse graph's) into commonVertex,
   * commonLengths and commonMax; returns their number. One merge along the vertices' neighbour lists serves every
   * cofacet of the simplex and every cofacet of those: a cofacet adds one of them, and its own cofacets add another.
   */
  commonNeighbours(verts: Int32Array, dim: number): number {
    const S = this.lengthStride;
    const start = this.nbrStart;
    const v0 = verts[0];
    const start0 = start[v0];
    if (this.commonVertex.length < start[v0 + 1] - start0) this.growCommon();
    const K = this.commonVertex;
    const L = this.commonLengths;
    const M = this.commonMax;
    const idx = this.nbrIndex;
    const dd = this.nbrDiam;
    const pos = this.cpos;
    const end = this.cend;
    for (let t = 1; t <= dim; t++) {
      pos[t] = start[verts[t] + 1] - 1;
      end[t] = start[verts[t]];
    }
    let count = 0;
    outer: for (let p0 = start[v0 + 1] - 1; p0 >= start0; p0--) {
      const nb = idx[p0];
      let most = dd[p0];
      for (let t = 1; t <= dim; t++) {
        let p = pos[t];
        const e = end[t];
        while (p >= e && idx[p] > nb) p--;
        pos[t] = p;
        if (p < e) break outer;
        if (idx[p] !== nb) continue outer;
        if (dd[p] > most) most = dd[p];
      }
      K[count] = nb;
      L[count * S] = dd[p0];
      for (let t = 1; t <= dim; t++) L[count * S + t] = dd[pos[t]];
      M[count] = most;
      count++;
    }
    return count;
  }

  diameter(idx: number, dim: number): number {
    const v = this.scratch;
    this.vertices(idx, dim, v);
    let diam = -Infinity;
    for (let a = 1; a <= dim; a++)
      for (let b = 0; b < a; b++) {
        const d = this.dist(v[a], v[b]);
        if (d > diam) diam = d;
      }
    return diam;
  }
}

/**
 * Enumerates the cofacets of a simplex in decreasing index order, with their diameters and the coefficients
 * of the coboundary over Z/p. The fields diam, index and coef hold the current cofacet after next().
 */
export class CoboundaryEnumerator {
  // NaN: double fields from the start (see RipsComplex.foundIndex).
  diam = NaN;
  index = NaN;
  coef = 0;
  private idxBelow = NaN;
  private idxAbove = NaN;
  private j = 0;
  private k = 0;
  private sDiam = NaN;
  private sCoef = 0;
  private sNeg = 0;
  private readonly verts: Int32Array;
  private readonly itPos: Int32Array;
  private readonly itEnd: Int32Array;
  private nIdx = 0;
  private nDiam = NaN;
  private dimPlusOne = 0;
  /** The simplex's edge lengths (as RipsComplex.simplexLengths), when set() was asked for them. */
  private readonly facetLengths: Float64Array;
  /** The lengths from each vertex of the simplex to the current cofacet's new vertex. */
  private readonly newLengths: Float64Array;

  constructor(private readonly c: RipsComplex) {
    this.verts = new Int32Array(c.maxDim + 3);
    this.itPos = new Int32Array(c.maxDim + 3);
    this.itEnd = new Int32Array(c.maxDim + 3);
    this.facetLengths = new Float64Array(c.lengthStride * c.lengthStride);
    this.newLengths = new Float64Array(c.lengthStride);
  }

  /** With lengths, the simplex's edge lengths are looked up once, for cofacetLengths. */
  set(diam: number, index: number, coef: number, dim: number, lengths = false): void {
    const c = this.c;
    this.idxBelow = index;
    this.idxAbove = 0;
    this.j = c.n - 1;
    this.k = dim + 1;
    this.sDiam = diam;
    this.sCoef = coef;
    this.sNeg = coef === 0 ? 0 : c.modulus - coef;
    this.dimPlusOne = dim + 1;
    c.vertices(index, dim, this.verts);
    if (lengths) {
      const v = this.verts;
      const fl = this.facetLengths;
      const S = c.lengthStride;
      // An edge's one length is its diameter.
      if (dim === 1) fl[S] = diam;
      else for (let a = 1; a <= dim; a++) for (let t = 0; t < a; t++) fl[a * S + t] = c.dist(v[a], v[t]);
    }
    if (c.dense === null) {
      // Walk every vertex's neighbour list from its largest neighbour down.
      for (let t = 0; t <= dim; t++) {
        const v = this.verts[t];
        this.itPos[t] = c.nbrStart[v + 1] - 1;
        this.itEnd[t] = c.nbrStart[v];
      }
    }
  }

  /**
   * Writes the current cofacet's edge lengths (after next(), and set(..., true)) into out, in the layout of
   * RipsComplex.simplexLengths for the vertices cofacetVertices writes.
   */
  cofacetLengths(out: Float64Array): void {
    const k = this.k;
    const m = this.dimPlusOne;
    const fl = this.facetLengths;
    const nl = this.newLengths;
    const S = this.c.lengthStride;
    for (let a = 1; a < m; a++) {
      const pa = a < k ? a : a + 1;
      for (let t = 0; t < a; t++) out[pa * S + (t < k ? t : t + 1)] = fl[a * S + t];
    }
    for (let f = 0; f < m; f++) {
      if (f < k) out[k * S + f] = nl[f];
      else out[(f + 1) * S + k] = nl[f];
    }
  }

  /** Writes the vertices of the current cofacet (after next()) into out, ascending. */
  cofacetVertices(out: Int32Array): void {
    const v = this.verts;
    const k = this.k;
    for (let t = 0; t < k; t++) out[t] = v[t];
    out[k] = this.c.dense !== null ? this.j + 1 : this.nIdx;
    for (let t = k; t < this.dimPlusOne; t++) out[t + 1] = v[t];
  }

  /** With all = false, only cofacets whose new vertex is above every vertex of the simplex. */
  hasNext(all: boolean): boolean {
    const c = this.c;
    if (c.dense !== null) return this.j >= this.k && (all || c.binom[this.k * c.stride + this.j] > this.idxBelow);
    const idx = c.nbrIndex;
    const dd = c.nbrDiam;
    const pos = this.itPos;
    const end = this.itEnd;
    const m = this.dimPlusOne;
    const nl = this.newLengths;
    outer: for (; pos[0] >= end[0]; pos[0]--) {
      const nb = idx[pos[0]];
      let nd = dd[pos[0]];
      for (let t = 1; t < m; t++) {
        let p = pos[t];
        const e = end[t];
        while (p >= e && idx[p] > nb) p--;
        pos[t] = p;
        if (p < e) return false;
        if (idx[p] !== nb) continue outer;
        if (dd[p] > nd) nd = dd[p];
      }
      nl[0] = dd[pos[0]];
      for (let t = 1; t < m; t++) nl[t] = dd[pos[t]];
      while (this.k > 0 && this.verts[this.k - 1] > nb) {
        if (!all) return false;
        const v = this.verts[this.k - 1];
        this.idxBelow -= c.binom[this.k * c.stride + v];
        this.idxAbove += c.binom[(this.k + 1) * c.stride + v];
        this.k--;
      }
      this.nIdx = nb;
      this.nDiam = nd;
      return true;
    }
    return false;
  }

  next(): void {
    const c = this.c;
    if (c.dense !== null) {
      const b = c.binom;
      const s = c.stride;
      while (b[this.k * s + this.j] <= this.idxBelow) {
        this.idxBelow -= b[this.k * s + this.j];
        this.idxAbove += b[(this.k + 1) * s + this.j];
        this.j--;
        this.k--;
      }
      const j = this.j;
      const d = c.dense;
      let diam = this.sDiam;
      const verts = this.verts;
      const m = this.dimPlusOne;
      const row = c.row;
      const rowJ = row[j];
      const nl = this.newLengths;
      for (let t = 0; t < m; t++) {
        const v = verts[t];
        const x = v < j ? d[rowJ + v] : d[row[v] + j];
        nl[t] = x;
        if (x > diam) diam = x;
      }
      this.diam = diam;
      this.index = this.idxAbove + b[(this.k + 1) * s + j] + this.idxBelow;
      this.j = j - 1;
    } else {
      this.itPos[0]--;
      this.diam = this.nDiam > this.sDiam ? this.nDiam : this.sDiam;
      this.index = this.idxAbove + c.binom[(this.k + 1) * c.stride + this.nIdx] + this.idxBelow;
    }
    this.coef = this.k & 1 ? this.sNeg : this.sCoef;
  }
}

/** Finds the zero-persistence facet of a simplex: the pivot of its boundary when it has the same diameter. */
export class FacetFinder {
  // NaN: double fields from the start (see RipsComplex.foundIndex).
  diam = NaN;
  index = NaN;
  coef = 0;
  /** The simplex's vertices; a caller that knows them writes them here and calls firstEqualFacet(..., true). */
  readonly verts: Int32Array;
  /** Which vertex (position) the found facet drops. */
  private dropped = 0;
  /** Edge lengths of the simplex, m x m, looked up at most once each (-1: not yet). */
  private readonly pair: Float64Array;

  constructor(private readonly c: RipsComplex) {
    this.verts = new Int32Array(c.maxDim + 3);
    this.pair = new Float64Array(c.lengthStride * c.lengthStride);
  }

  /**
   * The first facet (smallest index: the largest vertex removed first) whose diameter is the simplex's, left in
   * index and coef. Distances are read lazily: a facet qualifies as soon as one of its edges has that diameter.
   */
  firstEqualFacet(
    diam: number,
    index: number,
    coef: number,
    dim: number,
    decoded = false,
    lengths: Float64Array | null = null,
  ): boolean {
    const c = this.c;
    const v = this.verts;
    if (!decoded) c.vertices(index, dim, v);
    const b = c.binom;
    const s = c.stride;
    // Each edge's length is looked up at most once (sparse lookups are binary searches), or not at all when the
    // caller knows it (`lengths`, laid out as RipsComplex.simplexLengths, -1 where unknown).
    const m = dim + 1;
    const S = c.lengthStride;
    const memo = this.pair;
    if (lengths !== null) memo.set(lengths.subarray(0, m * S));
    else memo.fill(-1);
    let idxBelow = index;
    let idxAbove = 0;
    for (let k = dim; k >= 0; k--) {
      const j = v[k];
      const bj = b[(k + 1) * s + j];
      let found = false;
      search: for (let a = 1; a <= dim; a++) {
        if (a === k) continue;
        for (let t = 0; t < a; t++) {
          if (t === k) continue;
          let d = memo[a * S + t];
          if (d < 0) d = memo[a * S + t] = c.dist(v[a], v[t]);
          if (d === diam) {
            found = true;
            break search;
          }
        }
      }
      if (found) {
        this.dropped = k;
        this.index = idxAbove - bj + idxBelow;
        this.diam = diam;
        this.coef = k & 1 ? (coef === 0 ? 0 : c.modulus - coef) : coef;
        return true;
      }
      idxBelow -= bj;
      idxAbove += b[k * s + j];
    }
    return false;
  }

  /**
   * Right after firstEqualFacet(diam, index, ..., dim) found a facet: whether the simplex is in turn that facet's
   * first cofacet of equal diameter, i.e. whether the two form an apparent pair. The facet's cofacets that come
   * first add a vertex j above the dropped one; j qualifies when all its edges to the facet are <= diam. Only
   * neighbours of one facet vertex are candidates, and the facet is never decoded from its index.
   */
  foundIsApparent(diam: number, dim: number): boolean {
    const c = this.c;
    const v = this.verts;
    const r = this.dropped;
    const top = v[r];
    const w0 = r === 0 ? 1 : 0;
    const d = c.dense;
    if (d !== null) {
      const row = c.row;
      let t = dim;
      next: for (let j = c.n - 1; j > top; j--) {
        while (t > r && v[t] > j) t--;
        if (t > r && v[t] === j) continue;
        for (let a = 0; a <= dim; a++) {
          if (a === r) continue;
          const x = v[a];
          if ((x < j ? d[row[j] + x] : d[row[x] + j]) > diam) continue next;
        }
        return false;
      }
      return true;
    }
    const idx = c.nbrIndex;
    const dd = c.nbrDiam;
    const start = c.nbrStart[v[w0]];
    let t = dim;
    next: for (let p = c.nbrStart[v[w0] + 1] - 1; p >= start; p--) {
      const j = idx[p];
      if (j <= top) break;
      if (dd[p] > diam) continue;
      while (t > r && v[t] > j) t--;
      if (t > r && v[t] === j) continue;
      for (let a = 0; a <= dim; a++) {
        if (a === r || a === w0) continue;
        if (c.dist(v[a], j) > diam) continue next;
      }
      return false;
    }
    return true;
  }
}
