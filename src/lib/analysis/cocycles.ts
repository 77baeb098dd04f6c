// The representative cocycles a result document keeps, so the barcode can point at the Mapper nodes an H1 class
// runs through. Only the longest few bars are kept, each with a bounded number of edges: noise bars have small
// cocycles nobody asks about, and a public document must stay small.
import type { PersistenceResult } from '../tda/ripsCohomology';
import type { StoredCocycle } from '../result/schema';
import { DIM, round } from './precision';

export const MAX_STORED_COCYCLES = 5;
export const MAX_COCYCLE_EDGES = 5000;

export interface CocycleOptions {
  /** Maps a vertex of the complex to its core point: the identity for Rips on the core. */
  vertexToCore?: (v: number) => number;
  /**
   * Filtration value of an edge (in complex vertices). The reduction's cocycle holds edges up to any length;
   * it is a cocycle of the complex at every scale in [birth, death), so edges longer than the middle of the bar
   * are dropped, as circular coordinates do (de Silva, Morozov, Vejdemo-Johansson).
   */
  edgeLength?: (a: number, b: number) => number;
  max?: number;
  maxEdges?: number;
}

/** The cocycles of the longest H1 bars, longest first, with their edges as pairs of core-point indices. */
export function storedCocycles(result: PersistenceResult, options: CocycleOptions = {}): StoredCocycle[] {
  const {
    vertexToCore = (v: number) => v,
    edgeLength,
    max = MAX_STORED_COCYCLES,
    maxEdges = MAX_COCYCLE_EDGES,
  } = options;
  const bars = result.diagrams[1] ?? [];
  const cocycles = result.cocycles;
  if (!cocycles || cocycles.length !== bars.length) return [];
  const end = (d: number) => (Number.isFinite(d) ? d : result.threshold);
  const order = bars
    .map(([b, d], i) => ({ i, len: end(d) - b }))
    .sort((a, b) => b.len - a.len || a.i - b.i)
    .slice(0, max);
  return order.map(({ i }) => {
    const c = cocycles[i];
    const [birth, death] = bars[i];
    const scale = Number.isFinite(end(death)) ? birth + 0.5 * (end(death) - birth) : Infinity;
    const edges: Array<[number, number]> = [];
    const total = c.edges.length / 2;
    let truncated = false;
    for (let e = 0; e < total; e++) {
      if (c.coefficients[e] === 0) continue;
      const u = c.edges[2 * e];
      const v = c.edges[2 * e + 1];
      if (edgeLength && edgeLength(u, v) > scale) continue;
      if (edges.length === maxEdges) {
        truncated = true;
        break;
      }
      const a = vertexToCore(u);
      const b = vertexToCore(v);
      edges.push(a < b ? [a, b] : [b, a]);
    }
    return {
      bar: i,
      birth: round(birth),
      death: Number.isFinite(death) ? round(death) : null,
      edges,
      ...(truncated ? { truncated: true } : {}),
    };
  });
}

/**
 * The cocycles a document keeps from a persistence run on the core (Rips), or on landmarks of witnesses taken from
 * the core at evenly strided positions (witness complex; see the pipeline's persistence stage).
 */
export function documentCocycles(
  ph: { result: PersistenceResult; witness?: { n: number; landmarks: Uint32Array } },
  coords: Float64Array,
  nCore: number,
): { cocycles?: StoredCocycle[] } {
  const w = ph.witness;
  const kept = w
    ? // Witness filtration values are not distances between landmarks, so the edges are kept whole (to the cap).
      storedCocycles(ph.result, {
        vertexToCore: (v) => (w.n < nCore ? Math.floor((w.landmarks[v] * nCore) / w.n) : w.landmarks[v]),
      })
    : storedCocycles(ph.result, { edgeLength: (a, b) => distance(coords, a, b) });
  return kept.length > 0 ? { cocycles: kept } : {};
}

function distance(coords: Float64Array, a: number, b: number): number {
  let s = 0;
  for (let t = 0; t < DIM; t++) {
    const x = coords[a * DIM + t] - coords[b * DIM + t];
    s += x * x;
  }
  return Math.sqrt(s);
}
