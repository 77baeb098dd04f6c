// The two ways the triangles' assembly finds an edge's common neighbours (src/lib/tda/ripsComplex.ts): the merge of
// neighbour lists (commonNeighbours, kept for higher dimensions) and the lazy one against the larger vertex's spread
// neighbours (startCommonOfEdge / nextCommon), which must give the same vertices, lengths and order, edge after edge.
import { describe, expect, test } from 'vitest';
import { RipsComplex } from '../../src/lib/tda/ripsComplex';
import { buildRipsGraph } from '../../src/lib/tda/ripsGraph';
import { random } from './ph-support';

function cloud(n: number, dim: number, seed: number, grid: boolean) {
  const r = random(seed);
  const coords = new Float64Array(n * dim);
  for (let t = 0; t < coords.length; t++) coords[t] = grid ? Math.round(r() * 6) : r() * 4;
  return { kind: 'points' as const, n, dim, coords };
}

function commonOf(c: RipsComplex, count: number) {
  const S = c.lengthStride;
  return Array.from({ length: count }, (_, e) => [
    c.commonVertex[e],
    c.commonLengths[e * S],
    c.commonLengths[e * S + 1],
    c.commonMax[e],
  ]);
}

describe('common neighbours of an edge', () => {
  test.each([
    ['random cloud', 300, 3, 1, false, 1.2],
    ['integer grid full of ties', 250, 3, 2, true, 3],
    ['sparse in R^4', 400, 4, 3, false, 1.5],
  ])('%s: the lazy search reads what the merge reads', (_name, n, dim, seed, grid, threshold) => {
    const { graph } = buildRipsGraph(cloud(n, dim, seed, grid), threshold);
    const merged = new RipsComplex(graph, 2, 2);
    const lazy = new RipsComplex(graph, 2, 2);
    const verts = new Int32Array(4);
    let edges = 0;
    let common = 0;
    // Edges grouped by their larger vertex, as the assembly takes them; then a few out of that order.
    const order: Array<[number, number]> = [];
    for (let b = 0; b < n; b++)
      for (let p = graph.nbrStart![b]; p < graph.nbrStart![b + 1]; p++)
        if (graph.nbrIndex![p] < b) order.push([graph.nbrIndex![p], b]);
    order.push(...order.slice(0, 50).reverse());
    for (const [a, b] of order) {
      verts[0] = a;
      verts[1] = b;
      const want = commonOf(merged, merged.commonNeighbours(verts, 1));
      lazy.startCommonOfEdge(a, b);
      let count = 0;
      while (lazy.nextCommon()) count++;
      expect(lazy.nextCommon()).toBe(false);
      expect(commonOf(lazy, count)).toEqual(want);
      edges++;
      common += count;
    }
    // Not a vacuous comparison: many edges, most with common neighbours.
    expect(edges).toBeGreaterThan(1000);
    expect(common).toBeGreaterThan(2 * edges);
  });
});
