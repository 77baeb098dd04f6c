import { MapperTooLargeError, nerve, type MapperOutput, type MapperNodeRaw } from './mapper';

/**
 * Ball Mapper (Dlotko, "Ball mapper: a shape summary for topological data analysis", 2019): a greedy epsilon-net
 * of the points, each net point's closed ball of radius epsilon as a node, and the nerve of the balls as the graph.
 * No lens and one parameter; the graph is the nerve of a cover of the data by epsilon-balls, so for epsilon above
 * the sampling scale and below the size of a loop it has that loop.
 */
export function ballMapper(
  points: ArrayLike<number>,
  dim: number,
  n: number,
  epsilon: number,
  {
    maxNodes = Infinity,
    maxEdges = Infinity,
    join = 0,
  }: {
    maxNodes?: number;
    maxEdges?: number;
    /**
     * Also join two balls holding points at most this far apart. Dlotko's nerve (join 0) needs a point in both
     * balls, and a greedy net leaves neighbouring centres up to 2 epsilon apart, where a finite sample often has
     * none: a loop of balls then breaks at random. Joining at the sampling scale closes exactly those gaps.
     */
    join?: number;
  } = {},
): MapperOutput {
  if (!(epsilon > 0) || !Number.isFinite(epsilon))
    throw new RangeError(`ball mapper: epsilon must be > 0, got ${epsilon}`);
  const limit = epsilon * epsilon;
  const d2 = (a: number, b: number) => {
    let s = 0;
    for (let t = 0; t < dim; t++) {
      const x = points[a * dim + t] - points[b * dim + t];
      s += x * x;
    }
    return s;
  };
  // The net, in point order: a point farther than epsilon from every centre so far becomes a centre.
  const centres: number[] = [];
  for (let i = 0; i < n; i++) {
    let covered = false;
    for (let c = centres.length - 1; c >= 0 && !covered; c--) covered = d2(i, centres[c]) <= limit;
    if (covered) continue;
    centres.push(i);
    if (centres.length > maxNodes)
      throw new MapperTooLargeError(
        `epsilon ${epsilon} needs more than ${maxNodes} balls to cover the points; raise epsilon`,
        'epsilon',
      );
  }
  const members: number[][] = centres.map(() => []);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < centres.length; c++) if (d2(i, centres[c]) <= limit) members[c].push(i);
  const nodes: MapperNodeRaw[] = [];
  const seen = new Set<string>();
  for (const list of members) {
    const key = list.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    nodes.push({ members: Uint32Array.from(list), cube: [] });
  }
  const tooMany = (count: number): never => {
    throw new MapperTooLargeError(
      `epsilon ${epsilon} makes ${count} Ball Mapper edges, more than ${maxEdges}; lower epsilon`,
      'epsilon',
    );
  };
  const edges = nerve(nodes, n, maxEdges, tooMany);
  if (!(join > 0)) return { nodes, edges };
  const ballsOf: number[][] = Array.from({ length: n }, () => []);
  nodes.forEach((node, id) => {
    for (const p of node.members) ballsOf[p].push(id);
  });
  const N = nodes.length;
  const weight = new Map<number, number>(edges.map(([a, b, w]) => [a * N + b, w]));
  const near = join * join;
  for (let p = 0; p < n; p++)
    for (let q = p + 1; q < n; q++) {
      if (d2(p, q) > near) continue;
      for (const a of ballsOf[p])
        for (const b of ballsOf[q]) {
          if (a === b) continue;
          const key = Math.min(a, b) * N + Math.max(a, b);
          if (!weight.has(key)) weight.set(key, 0);
        }
    }
  if (weight.size > maxEdges) tooMany(weight.size);
  const joined: Array<[number, number, number]> = [...weight.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([key, w]) => [Math.floor(key / N), key % N, w]);
  return { nodes, edges: joined };
}
