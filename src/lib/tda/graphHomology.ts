import { ripsPersistence } from './ripsCohomology';
import { UnionFind } from './unionFind';

/**
 * The homology a reader sees in a Mapper graph: its flag (clique) complex, where every triangle of the graph is
 * filled. A Mapper nerve of overlapping cubes is full of triangles, so the graph's own cycle count (edges - nodes
 * + components) counts loops that are only triangles; the flag complex's first Betti number does not.
 */
export interface FlagHomology {
  components: number;
  /** Independent loops of the flag complex over Z/2. */
  loops: number;
}

/**
 * Betti numbers 0 and 1 of a graph's flag complex, by the Rips cohomology engine on the graph with every edge at
 * length 1: each essential bar is a class of the complex.
 */
export function flagHomology(
  nodeCount: number,
  edges: ReadonlyArray<readonly [number, number, number?]>,
): FlagHomology {
  if (nodeCount === 0) return { components: 0, loops: 0 };
  const m = edges.length;
  const i = new Uint32Array(m);
  const j = new Uint32Array(m);
  edges.forEach(([a, b], e) => {
    i[e] = a;
    j[e] = b;
  });
  const result = ripsPersistence(
    { kind: 'sparse', n: nodeCount, i, j, dist: new Float64Array(m).fill(1) },
    { maxDim: 1, threshold: 1 },
  );
  const essential = (d: number) => (result.diagrams[d] ?? []).filter(([, death]) => !Number.isFinite(death)).length;
  return { components: essential(0), loops: essential(1) };
}

/** Each node's component id (0 = the component holding the most distinct points), and each component's point count. */
export function componentsByPoints(
  nodes: ReadonlyArray<{ members: ArrayLike<number> }>,
  edges: ReadonlyArray<readonly [number, number, number?]>,
  pointCount: number,
): { component: Int32Array; points: number[] } {
  const uf = new UnionFind(nodes.length);
  for (const [a, b] of edges) uf.link(uf.find(a), uf.find(b));
  const rootId = new Map<number, number>();
  const raw = new Int32Array(nodes.length);
  nodes.forEach((_, v) => {
    const r = uf.find(v);
    if (!rootId.has(r)) rootId.set(r, rootId.size);
    raw[v] = rootId.get(r)!;
  });
  // A point can sit in nodes of one component only (nodes sharing it are joined), so counting distinct points
  // per component is counting each point once.
  const seen = new Int32Array(pointCount).fill(-1);
  const counts = new Array<number>(rootId.size).fill(0);
  nodes.forEach((node, v) => {
    for (let t = 0; t < node.members.length; t++) {
      const p = node.members[t];
      if (seen[p] !== raw[v]) {
        seen[p] = raw[v];
        counts[raw[v]]++;
      }
    }
  });
  const order = counts.map((_, c) => c).sort((a, b) => counts[b] - counts[a] || a - b);
  const rank = new Int32Array(counts.length);
  order.forEach((c, r) => (rank[c] = r));
  return { component: raw.map((c) => rank[c]), points: order.map((c) => counts[c]) };
}
