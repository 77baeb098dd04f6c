import { singleLinkageClusters } from './singleLinkage';

/**
 * Mapper (Singh, Memoli & Carlsson 2007): cover the lens space with overlapping cubes, cluster the points of each
 * cube by single linkage (cut by the gap heuristic), and take the nerve of the clusters as a graph.
 */

export interface MapperOptions {
  /** Intervals per lens dimension: one count for every axis, or one per axis. */
  resolution: number | readonly number[];
  /** Each point lies in about `gain` intervals per dimension: an interval is `gain` steps long. */
  gain: number;
  /** Per lens dimension: a period (the lens is an angle, and its cover wraps round) or null. */
  periods?: ReadonlyArray<number | null>;
  /** Bins of the gap histogram. */
  bins?: number;
  /** Cut every cover set's single-linkage dendrogram at this height instead of by the gap histogram. */
  clusterScale?: number;
  /** Refuse (MapperTooLargeError) a graph with more nodes or edges than this; default unlimited. */
  maxNodes?: number;
  maxEdges?: number;
}

/** The cover would make a graph beyond the given limits; thrown before the work that would exhaust memory. */
export class MapperTooLargeError extends RangeError {
  constructor(
    message: string,
    /** The option to lower. */
    readonly option: 'gain' | 'resolution' | 'epsilon',
  ) {
    super(message);
    this.name = 'MapperTooLargeError';
  }
}

export interface MapperNodeRaw {
  /** Point indices, ascending. */
  members: Uint32Array;
  /** The cover cube's multi-index, one interval index per lens dimension (the first cube, for a merged node). */
  cube: number[];
}

export interface MapperOutput {
  nodes: MapperNodeRaw[];
  /** [a, b, shared members] with a < b, sorted. */
  edges: Array<[number, number, number]>;
}

interface Axis {
  count: number;
  /** Interval indices containing the value, appended to out. */
  intervals(value: number, out: number[]): void;
}

function intervalAxis(values: Float64Array, stride: number, offset: number, n: number, r: number, g: number): Axis {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i * stride + offset];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  if (!(range > 0)) return { count: 1, intervals: (_v, out) => void out.push(0) };
  // r intervals of length len, each `step` after the last, spanning [lo, hi] exactly.
  const len = range / (1 + (r - 1) / g);
  const step = len / g;
  const eps = range * 1e-12;
  return {
    count: r,
    intervals(v, out) {
      const first = Math.max(0, Math.ceil((v - lo - len - eps) / step));
      const last = Math.min(r - 1, Math.floor((v - lo + eps) / step));
      for (let i = first; i <= last; i++) out.push(i);
    },
  };
}

function periodicAxis(period: number, r: number, g: number): Axis {
  const step = period / r;
  const len = Math.min(period, g * step);
  return {
    count: r,
    intervals(v, out) {
      const x = ((v % period) + period) % period;
      if (len >= period) {
        for (let i = 0; i < r; i++) out.push(i);
        return;
      }
      // Interval i is [i step, i step + len) round the circle.
      const last = Math.floor(x / step);
      const first = Math.floor((x - len) / step) + 1;
      for (let i = first; i <= last; i++) out.push(((i % r) + r) % r);
    },
  };
}

export function mapper(
  points: ArrayLike<number>,
  dim: number,
  lens: Float64Array,
  lensDim: number,
  n: number,
  options: MapperOptions,
): MapperOutput {
  const { gain: g } = options;
  const rs =
    typeof options.resolution === 'number' ? new Array<number>(lensDim).fill(options.resolution) : options.resolution;
  // For messages: the one count, or the per-axis counts.
  const r = rs.every((x) => x === rs[0]) ? String(rs[0]) : rs.join('x');
  if (rs.length !== lensDim) throw new RangeError(`mapper: ${rs.length} resolutions for a ${lensDim}-D lens`);
  for (const ri of rs)
    if (!(Number.isInteger(ri) && ri >= 1))
      throw new RangeError(`mapper: resolution must be a positive integer, got ${ri}`);
  if (!(g >= 1)) throw new RangeError(`mapper: gain must be at least 1, got ${g}`);
  if (lens.length !== n * lensDim) throw new RangeError('mapper: lens has the wrong length');
  const scale = options.clusterScale;
  if (scale !== undefined && !(scale >= 0)) throw new RangeError(`mapper: clusterScale must be >= 0, got ${scale}`);
  const axes: Axis[] = [];
  for (let j = 0; j < lensDim; j++) {
    const period = options.periods?.[j] ?? null;
    axes.push(period ? periodicAxis(period, rs[j], g) : intervalAxis(lens, lensDim, j, n, rs[j], g));
  }

  const maxNodes = options.maxNodes ?? Infinity;
  const maxEdges = options.maxEdges ?? Infinity;
  // Each point joins the product of its intervals; the nerve then counts every pair of a point's cubes, which a
  // large gain on a 2-D lens makes quadratic in gain^2. Count that first, so the refusal comes before the work.
  const perAxis: number[][] = axes.map(() => []);
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    let m = 1;
    for (let j = 0; j < lensDim; j++) {
      perAxis[j].length = 0;
      axes[j].intervals(lens[i * lensDim + j], perAxis[j]);
      m *= perAxis[j].length;
    }
    pairs += (m * (m - 1)) / 2;
  }
  if (pairs > 50 * maxEdges)
    throw new MapperTooLargeError(
      `resolution ${r} with gain ${g} puts each point in up to ${Math.round(
        Math.pow(Math.ceil(g), lensDim),
      )} overlapping cover sets: the nerve would join ${pairs.toExponential(1)} pairs of them, more than the graph can hold`,
      'gain',
    );

  // Cube id -> its points, by enumerating the product of each point's intervals.
  const cubes = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < lensDim; j++) {
      perAxis[j].length = 0;
      axes[j].intervals(lens[i * lensDim + j], perAxis[j]);
    }
    const visit = (j: number, id: number) => {
      if (j === lensDim) {
        let list = cubes.get(id);
        if (!list) cubes.set(id, (list = []));
        list.push(i);
        return;
      }
      for (const k of perAxis[j]) visit(j + 1, id * axes[j].count + k);
    };
    visit(0, 0);
  }

  const nodes: MapperNodeRaw[] = [];
  // Clusters of overlapping cubes often hold exactly the same points (a cluster that lies wholly inside an
  // overlap); they are one node, not a clique of copies. Keyed by the member list.
  const seen = new Set<string>();
  const ids = [...cubes.keys()].sort((a, b) => a - b);
  for (const id of ids) {
    const members = cubes.get(id)!;
    const cube: number[] = new Array(lensDim);
    let rest = id;
    for (let j = lensDim - 1; j >= 0; j--) {
      cube[j] = rest % axes[j].count;
      rest = Math.floor(rest / axes[j].count);
    }
    const { labels, count } = singleLinkageClusters(points, dim, members, options.bins, scale);
    const groups: number[][] = Array.from({ length: count }, () => []);
    members.forEach((p, t) => groups[labels[t]].push(p));
    for (const group of groups) {
      // Members arrive in ascending point order, so equal sets give equal keys.
      const key = group.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      nodes.push({ members: Uint32Array.from(group), cube });
    }
    if (nodes.length > maxNodes)
      throw new MapperTooLargeError(
        `resolution ${r} with gain ${g} makes more than ${maxNodes} Mapper nodes; lower the resolution`,
        'resolution',
      );
  }

  const edges = nerve(nodes, n, maxEdges, (count) => {
    throw new MapperTooLargeError(
      `resolution ${r} with gain ${g} makes ${count} Mapper edges, more than ${maxEdges}; lower the gain`,
      'gain',
    );
  });
  return { nodes, edges };
}

/**
 * The nerve of a cover by nodes as a graph: two nodes are joined when they share points, and the weight counts
 * the shared points. `tooMany` is called (and must throw) when there would be more than maxEdges edges.
 */
export function nerve(
  nodes: ReadonlyArray<MapperNodeRaw>,
  n: number,
  maxEdges: number,
  tooMany: (edges: number) => never,
): Array<[number, number, number]> {
  const nodesOf: number[][] = Array.from({ length: n }, () => []);
  nodes.forEach((node, id) => {
    for (const p of node.members) nodesOf[p].push(id);
  });
  const shared = new Map<number, number>();
  const N = nodes.length;
  for (const list of nodesOf)
    for (let a = 0; a < list.length; a++)
      for (let b = a + 1; b < list.length; b++) {
        const key = list[a] * N + list[b];
        shared.set(key, (shared.get(key) ?? 0) + 1);
      }
  if (shared.size > maxEdges) tooMany(shared.size);
  return [...shared.entries()].sort((x, y) => x[0] - y[0]).map(([key, w]) => [Math.floor(key / N), key % N, w]);
}
