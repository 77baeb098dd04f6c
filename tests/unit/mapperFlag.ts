import { ripsPersistence } from '../../src/lib/tda/ripsCohomology';

/** Betti numbers (b0, b1) of the flag complex of a graph: Rips persistence of the graph with every edge at 1. */
export function flagBetti(
  nodeCount: number,
  edges: ReadonlyArray<readonly [number, number, number?]>,
): [number, number] {
  const m = edges.length;
  const i = new Uint32Array(m);
  const j = new Uint32Array(m);
  edges.forEach(([a, b], e) => {
    i[e] = a;
    j[e] = b;
  });
  const r = ripsPersistence({ kind: 'sparse', n: nodeCount, i, j, dist: new Float64Array(m).fill(1) }, { maxDim: 1 });
  const essential = (d: number) => r.diagrams[d].filter(([, death]) => !Number.isFinite(death)).length;
  return [essential(0), essential(1)];
}
