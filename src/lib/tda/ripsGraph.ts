/**
 * Turns a metric into the 1-skeleton the Rips reduction walks: a dense float32 lower triangle when no threshold
 * is given (the complex is then cut at the enclosing radius, beyond which it is a cone), or sorted neighbour
 * lists of the edges under the threshold, which never materialise the n^2/2 distances of a point cloud.
 */
import { euclidean32, type Metric } from './metric';
import type { RipsGraph } from './ripsComplex';
import { DEFAULT_TUNING, evenChunks, runChunked, sharedBuffer, toShared, type ParallelRunner } from './parallelRunner';

export interface GraphStats {
  /** Smallest and largest finite distance over all pairs (NaN when not computed: point cloud with threshold). */
  min: number;
  maxFinite: number;
  /** min over points of the distance to the farthest point (NaN when not computed). */
  enclosingRadius: number;
  /** Edges with diameter <= threshold. */
  edgeCount: number;
}

export interface GraphHooks {
  tick?: (done: number, total: number) => void;
  /** Worker threads answering with ripsWorkerHandler: a point cloud's pairs are then screened on all of them. */
  runner?: ParallelRunner;
}

const f = Math.fround;

export function buildRipsGraph(
  metric: Metric,
  threshold: number | undefined,
  hooks: GraphHooks = {},
): { graph: RipsGraph; stats: GraphStats } {
  const n = metric.n;
  // With worker threads the graph is built in shared memory, so that they read it without a copy.
  const shared = hooks.runner !== undefined && hooks.runner.workers > 0;
  if (metric.kind === 'sparse')
    return sparseFromTriplets(metric, threshold === undefined ? Infinity : f(threshold), shared);
  if (threshold === undefined) return denseGraph(metric, hooks, shared);
  const t = f(threshold);
  if (metric.kind === 'lower') {
    const stats = rangeOf(metric.dist, n, t);
    const { graph } = sparseFromLower(metric.dist, n, t, shared);
    return { graph, stats };
  }
  return sparseFromPoints(metric.coords, n, metric.dim, t, hooks);
}

function denseGraph(metric: Metric & { kind: 'points' | 'lower' }, hooks: GraphHooks, shared: boolean) {
  const n = metric.n;
  const m = (n * (n - 1)) / 2;
  const d = new Float32Array(sharedBuffer(4 * m, shared));
  if (metric.kind === 'lower') for (let t = 0; t < m; t++) d[t] = metric.dist[t];
  else {
    const { coords, dim } = metric;
    let t = 0;
    for (let i = 1; i < n; i++) {
      for (let j = 0; j < i; j++) d[t++] = euclidean32(coords, dim, i, j);
      if ((i & 255) === 0) hooks.tick?.(i, n);
    }
  }
  let min = Infinity;
  let maxFinite = -Infinity;
  const rowMax = new Float64Array(n);
  let t = 0;
  for (let i = 1; i < n; i++)
    for (let j = 0; j < i; j++) {
      const x = d[t++];
      if (x < min) min = x;
      if (x !== Infinity && x > maxFinite) maxFinite = x;
      if (x > rowMax[i]) rowMax[i] = x;
      if (x > rowMax[j]) rowMax[j] = x;
    }
  let radius = Infinity;
  for (let i = 0; i < n; i++) if (rowMax[i] < radius) radius = rowMax[i];
  if (n === 0) radius = 0;
  let edgeCount = 0;
  for (let u = 0; u < m; u++) if (d[u] <= radius) edgeCount++;
  const graph: RipsGraph = { n, threshold: radius, dense: d, nbrStart: null, nbrIndex: null, nbrDiam: null };
  return { graph, stats: { min, maxFinite, enclosingRadius: radius, edgeCount } };
}

function rangeOf(dist: Float64Array, n: number, threshold: number): GraphStats {
  let min = Infinity;
  let maxFinite = -Infinity;
  let edgeCount = 0;
  for (let t = 0; t < dist.length; t++) {
    const x = f(dist[t]);
    if (x < min) min = x;
    if (x !== Infinity && x > maxFinite) maxFinite = x;
    if (x <= threshold) edgeCount++;
  }
  return { min, maxFinite, enclosingRadius: NaN, edgeCount };
}

/** Growable (i, j, d) edge lists; edges arrive with i > j, i ascending, then j ascending. */
class EdgeList {
  i = new Uint32Array(1024);
  j = new Uint32Array(1024);
  d = new Float32Array(1024);
  size = 0;

  push(i: number, j: number, d: number): void {
    if (this.size === this.i.length) {
      const cap = this.size * 2;
      const ni = new Uint32Array(cap);
      ni.set(this.i);
      this.i = ni;
      const nj = new Uint32Array(cap);
      nj.set(this.j);
      this.j = nj;
      const nd = new Float32Array(cap);
      nd.set(this.d);
      this.d = nd;
    }
    this.i[this.size] = i;
    this.j[this.size] = j;
    this.d[this.size++] = d;
  }
}

/** CSR neighbour lists; rows come out sorted because edges arrive in (i, j) order with j < i. */
function toCsr(n: number, e: EdgeList, threshold: number, shared: boolean): RipsGraph {
  if (2 * e.size > 0x7fffffff) throw new RangeError(`too many edges under the threshold (${e.size})`);
  const start = new Int32Array(sharedBuffer(4 * (n + 1), shared));
  for (let t = 0; t < e.size; t++) {
    start[e.i[t] + 1]++;
    start[e.j[t] + 1]++;
  }
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const fill = start.slice(0, n);
  const index = new Int32Array(sharedBuffer(8 * e.size, shared));
  const diam = new Float32Array(sharedBuffer(8 * e.size, shared));
  for (let t = 0; t < e.size; t++) {
    const a = e.i[t];
    const b = e.j[t];
    const x = e.d[t];
    let p = fill[a]++;
    index[p] = b;
    diam[p] = x;
    p = fill[b]++;
    index[p] = a;
    diam[p] = x;
  }
  return { n, threshold, dense: null, nbrStart: start, nbrIndex: index, nbrDiam: diam };
}

function sparseFromLower(dist: Float64Array, n: number, threshold: number, shared: boolean) {
  const e = new EdgeList();
  let t = 0;
  for (let i = 1; i < n; i++)
    for (let j = 0; j < i; j++) {
      const x = f(dist[t++]);
      if (x <= threshold) e.push(i, j, x);
    }
  return { graph: toCsr(n, e, threshold, shared), edgeCount: e.size };
}

/** Pivots for the triangle-inequality screen of point pairs. */
const PIVOTS = 4;

/**
 * The edges of a point cloud under a threshold without testing all n^2/2 pairs in full: with the distances to
 * a few far-apart pivots, |d(i,r) - d(j,r)| > t rules a pair out. Points sorted by their distance to the first
 * pivot make the candidates of each point a contiguous run; the others are screened in double precision, and
 * only the survivors get the exact single-precision distance that decides.
 */
function sparseFromPoints(coords: Float64Array, n: number, dim: number, threshold: number, hooks: GraphHooks) {
  const c = Float64Array.from(coords, Math.fround);
  // A margin far above any rounding, so that screening never drops a pair the exact test would keep.
  const t = threshold === Infinity ? Infinity : threshold * (1 + 1e-4) + 1e-12;
  const pivots = Math.min(PIVOTS, n);
  const pd = new Float64Array(pivots * n);
  const nearest = new Float64Array(n).fill(Infinity);
  let pivot = 0;
  for (let k = 0; k < pivots; k++) {
    let far = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let u = 0; u < dim; u++) {
        const d = c[i * dim + u] - c[pivot * dim + u];
        s += d * d;
      }
      const r = Math.sqrt(s);
      pd[k * n + i] = r;
      if (r < nearest[i]) nearest[i] = r;
      if (nearest[i] > nearest[far]) far = i;
    }
    pivot = far;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((x, y) => pd[x] - pd[y]);
  const runner = hooks.runner;
  let e: EdgeList;
  if (runner && runner.workers > 0 && n >= (runner.tuning?.points ?? DEFAULT_TUNING.points)) {
    // Rows of the sorted order in chunks; each chunk's edges come out in the serial order, and so does their
    // concatenation in chunk order.
    const job: PointScreen = {
      c: toShared(c),
      pd: toShared(pd),
      order: toShared(order),
      n,
      dim,
      pivots,
      t,
      threshold,
    };
    const chunk = Math.max(16, Math.ceil(n / (32 * (runner.workers + 1))));
    const parts = runChunked(runner, { type: 'pointEdges', ...job }, evenChunks(n, chunk), (from, to) => {
      hooks.tick?.(from, n);
      return screenPairChunk(job, from, to);
    });
    e = new EdgeList();
    for (const part of parts) for (let u = 0; u < part.d.length; u++) e.push(part.i[u], part.j[u], part.d[u]);
  } else {
    e = new EdgeList();
    for (let a = 1; a < n; a += 256) {
      screenPairs({ c, pd, order, n, dim, pivots, t, threshold }, a, Math.min(n, a + 256), e);
      hooks.tick?.(a, n);
    }
  }
  sortEdges(e, n);
  const graph = toCsr(n, e, threshold, runner !== undefined && runner.workers > 0);
  return { graph, stats: { min: NaN, maxFinite: NaN, enclosingRadius: NaN, edgeCount: e.size } };
}

/** Orders edges by (i, j) with two counting sorts, as the CSR construction expects. */
function sortEdges(e: EdgeList, n: number): void {
  const m = e.size;
  let perm = new Uint32Array(m);
  for (let t = 0; t < m; t++) perm[t] = t;
  let next = new Uint32Array(m);
  const count = new Uint32Array(n + 1);
  for (const key of [e.j, e.i]) {
    count.fill(0);
    for (let t = 0; t < m; t++) count[key[t] + 1]++;
    for (let v = 0; v < n; v++) count[v + 1] += count[v];
    for (let t = 0; t < m; t++) {
      const x = perm[t];
      next[count[key[x]]++] = x;
    }
    [perm, next] = [next, perm];
  }
  const i = new Uint32Array(m);
  const j = new Uint32Array(m);
  const d = new Float32Array(m);
  for (let t = 0; t < m; t++) {
    i[t] = e.i[perm[t]];
    j[t] = e.j[perm[t]];
    d[t] = e.d[perm[t]];
  }
  e.i = i;
  e.j = j;
  e.d = d;
}

function sparseFromTriplets(metric: Metric & { kind: 'sparse' }, threshold: number, shared: boolean) {
  const { n } = metric;
  // Keep the smallest distance of a pair listed twice; order edges by (max vertex, min vertex).
  const best = new Map<number, number>();
  let min = Infinity;
  let maxFinite = -Infinity;
  for (let t = 0; t < metric.i.length; t++) {
    const a = metric.i[t];
    const b = metric.j[t];
    if (a === b) continue;
    const x = f(metric.dist[t]);
    if (x < min) min = x;
    if (x !== Infinity && x > maxFinite) maxFinite = x;
    if (!(x <= threshold)) continue;
    const key = Math.max(a, b) * n + Math.min(a, b);
    const old = best.get(key);
    if (old === undefined || x < old) best.set(key, x);
  }
  const keys = Float64Array.from(best.keys()).sort();
  const e = new EdgeList();
  for (const key of keys) {
    const hi = Math.floor(key / n);
    e.push(hi, key - hi * n, best.get(key)!);
  }
  return {
    graph: toCsr(n, e, threshold, shared),
    stats: { min, maxFinite, enclosingRadius: NaN, edgeCount: e.size },
  };
}

/** What screening the pairs of a point cloud needs (see sparseFromPoints); in shared memory for worker threads. */
export interface PointScreen {
  /** Coordinates rounded to float32. */
  c: Float64Array;
  /** Distances to the pivots, pivot by pivot. */
  pd: Float64Array;
  /** Points by distance to the first pivot. */
  order: Uint32Array;
  n: number;
  dim: number;
  pivots: number;
  /** The screening threshold (with its margin) and the exact one. */
  t: number;
  threshold: number;
}

/** screenPairs on a chunk of rows, as exact-length arrays for a message. */
export function screenPairChunk(
  job: PointScreen,
  from: number,
  to: number,
): { i: Uint32Array; j: Uint32Array; d: Float32Array } {
  const e = new EdgeList();
  screenPairs(job, from, to, e);
  return { i: e.i.slice(0, e.size), j: e.j.slice(0, e.size), d: e.d.slice(0, e.size) };
}

/** Appends the edges under the threshold from the points order[a], a in [from, to), to the points before them. */
function screenPairs(job: PointScreen, from: number, to: number, e: EdgeList): void {
  const { c, pd, order, n, dim, pivots, t, threshold } = job;
  const bound = t * t;
  for (let a = Math.max(1, from); a < to; a++) {
    const i = order[a];
    const oi = i * dim;
    const ri = pd[i];
    for (let b = a - 1; b >= 0; b--) {
      const j = order[b];
      if (ri - pd[j] > t) break;
      let k = 1;
      for (; k < pivots; k++) if (Math.abs(pd[k * n + i] - pd[k * n + j]) > t) break;
      if (k < pivots) continue;
      const oj = j * dim;
      let s = 0;
      let u = 0;
      for (; u + 4 <= dim; u += 4) {
        const d0 = c[oi + u] - c[oj + u];
        const d1 = c[oi + u + 1] - c[oj + u + 1];
        const d2 = c[oi + u + 2] - c[oj + u + 2];
        const d3 = c[oi + u + 3] - c[oj + u + 3];
        s += d0 * d0 + d1 * d1 + (d2 * d2 + d3 * d3);
        if (s > bound) break;
      }
      if (s > bound) continue;
      for (; u < dim; u++) {
        const d = c[oi + u] - c[oj + u];
        s += d * d;
      }
      if (s > bound) continue;
      const x = i > j ? euclidean32(c, dim, i, j) : euclidean32(c, dim, j, i);
      if (x <= threshold) e.push(Math.max(i, j), Math.min(i, j), x);
    }
  }
}
