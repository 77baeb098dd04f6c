import { singleLinkageClusters } from './singleLinkage';

/**
 * Mapper (Singh, Memoli & Carlsson 2007): cover the lens space with overlapping cubes, cluster the points of each
 * cube by single linkage (cut by the gap heuristic), and take the nerve of the clusters as a graph.
 */

export interface MapperOptions {
  /** Intervals per lens dimension. */
  resolution: number;
  /** Each point lies in about `gain` intervals per dimension: an interval is `gain` steps long. */
  gain: number;
  /** Per lens dimension: a period (the lens is an angle, and its cover wraps round) or null. */
  periods?: ReadonlyArray<number | null>;
  /** Bins of the gap histogram. */
  bins?: number;
}

export interface MapperNodeRaw {
  /** Point indices, ascending. */
  members: Uint32Array;
  /** The cover cube's multi-index, one interval index per lens dimension. */
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
  const { resolution: r, gain: g } = options;
  if (!(Number.isInteger(r) && r >= 1)) throw new RangeError(`mapper: resolution must be a positive integer, got ${r}`);
  if (!(g >= 1)) throw new RangeError(`mapper: gain must be at least 1, got ${g}`);
  if (lens.length !== n * lensDim) throw new RangeError('mapper: lens has the wrong length');
  const axes: Axis[] = [];
  for (let j = 0; j < lensDim; j++) {
    const period = options.periods?.[j] ?? null;
    axes.push(period ? periodicAxis(period, r, g) : intervalAxis(lens, lensDim, j, n, r, g));
  }

  // Cube id -> its points, by enumerating the product of each point's intervals.
  const cubes = new Map<number, number[]>();
  const perAxis: number[][] = axes.map(() => []);
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
  const ids = [...cubes.keys()].sort((a, b) => a - b);
  for (const id of ids) {
    const members = cubes.get(id)!;
    const cube: number[] = new Array(lensDim);
    let rest = id;
    for (let j = lensDim - 1; j >= 0; j--) {
      cube[j] = rest % axes[j].count;
      rest = Math.floor(rest / axes[j].count);
    }
    const { labels, count } = singleLinkageClusters(points, dim, members, options.bins);
    const groups: number[][] = Array.from({ length: count }, () => []);
    members.forEach((p, t) => groups[labels[t]].push(p));
    for (const group of groups) nodes.push({ members: Uint32Array.from(group), cube });
  }

  // The nerve: two nodes are joined when they share points; the weight counts the shared points.
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
  const edges: Array<[number, number, number]> = [...shared.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([key, w]) => [Math.floor(key / N), key % N, w]);
  return { nodes, edges };
}
