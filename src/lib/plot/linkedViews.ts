import type { MapperGraph, StoredCocycle } from '../result/schema';

/** The core points a cocycle's edges touch, sorted. */
export function cocycleVertices(cocycle: Pick<StoredCocycle, 'edges'>): number[] {
  const set = new Set<number>();
  for (const [a, b] of cocycle.edges) {
    set.add(a);
    set.add(b);
  }
  return [...set].sort((a, b) => a - b);
}

/** Positions in graph.nodes of the nodes holding at least one vertex of the cocycle. */
export function nodesThrough(graph: Pick<MapperGraph, 'nodes'>, cocycle: Pick<StoredCocycle, 'edges'>): Set<number> {
  const vertices = new Set(cocycleVertices(cocycle));
  const out = new Set<number>();
  graph.nodes.forEach((node, i) => {
    if (node.members.some((m) => vertices.has(m))) out.add(i);
  });
  return out;
}
