import { bottleneck } from './diagramDistance';
import { flagHomology } from './graphHomology';
import { DIAGRAM_TYPES, extendedPersistence, type ExtendedDiagrams } from './extendedPersistence';
import type { MapperOutput } from './mapper';
import { seededRandom } from './random';

/**
 * Carriere, Michel & Oudot's bootstrap for a Mapper graph (JMLR 2018, section 5): recompute the graph on
 * resamples (n draws with replacement) with the same parameters, and measure how far each one moves from the
 * original by the bottleneck distance d_b between their extended persistence diagrams, with the node height
 * given (the mean of a per-point height over each node's members).
 *
 * A loop of the original graph (an ext1 point of persistence p) *survives* a resample when p > 2 d_b: a bottleneck
 * matching within d_b cannot send it to the diagonal, so the resampled graph has a loop within d_b of it in both
 * coordinates. Its survival frequency is the share of resamples it survives, which is the paper's confidence for
 * that feature (the largest alpha for which it stands out of the 1 - alpha confidence region).
 */

export interface BootstrapLoop {
  /** Height at which the rising and the falling sublevel sets close the loop. */
  birth: number;
  death: number;
  persistence: number;
  /** Share of resamples it survives, in [0, 1]. */
  survival: number;
}

export interface BootstrapResult {
  resamples: number;
  /** Bottleneck distance of each resample's diagrams to the original's. */
  distances: number[];
  /**
   * The number of independent loops (H1 of the flag complex, as the graph's own count) of each resample's graph:
   * how stable the graph's answer to "how many loops" is, to set beside the barcode's resampled count.
   */
  loopCounts: number[];
  loops: BootstrapLoop[];
}

/** Node heights: the mean point height over each node's members. */
export function nodeHeights(graph: MapperOutput, pointHeight: ArrayLike<number>): Float64Array {
  return Float64Array.from(graph.nodes, (node) => {
    let s = 0;
    for (const p of node.members) s += pointHeight[p];
    return node.members.length ? s / node.members.length : 0;
  });
}

export function graphDiagrams(graph: MapperOutput, pointHeight: ArrayLike<number>): ExtendedDiagrams {
  return extendedPersistence(graph.nodes.length, graph.edges, nodeHeights(graph, pointHeight));
}

/** Bottleneck distance of two extended diagrams: points are matched within their own type only. */
export function extendedBottleneck(a: ExtendedDiagrams, b: ExtendedDiagrams): number {
  // Each type lies on one side of the diagonal; stored as [low, high], distances within a type are unchanged.
  const norm = (d: Array<[number, number]>) => d.map(([x, y]) => [Math.min(x, y), Math.max(x, y)] as const);
  let worst = 0;
  for (const t of DIAGRAM_TYPES) worst = Math.max(worst, bottleneck(norm(a[t]), norm(b[t])));
  return worst;
}

/**
 * `build(points)` computes the graph on a subset of the n points (distinct indices, ascending) with the original's
 * parameters, its node members given as indices of the full set.
 */
export function mapperBootstrap(
  n: number,
  original: MapperOutput,
  pointHeight: ArrayLike<number>,
  build: (points: Uint32Array) => MapperOutput,
  { resamples, seed = 1, onResample }: { resamples: number; seed?: number; onResample?: (done: number) => void },
): BootstrapResult {
  if (!Number.isInteger(resamples) || resamples < 0)
    throw new RangeError(`bootstrap: resamples must be a whole number >= 0, got ${resamples}`);
  const base = graphDiagrams(original, pointHeight);
  const random = seededRandom(seed);
  const distances: number[] = [];
  const loopCounts: number[] = [];
  const drawn = new Uint8Array(n);
  for (let r = 0; r < resamples; r++) {
    drawn.fill(0);
    // Repeated draws add nothing to a cover or to single linkage, so the resample is its set of distinct points.
    for (let i = 0; i < n; i++) drawn[Math.floor(random() * n)] = 1;
    const subset: number[] = [];
    for (let i = 0; i < n; i++) if (drawn[i]) subset.push(i);
    const graph = build(Uint32Array.from(subset));
    distances.push(extendedBottleneck(base, graphDiagrams(graph, pointHeight)));
    loopCounts.push(flagHomology(graph.nodes.length, graph.edges).loops);
    onResample?.(r + 1);
  }
  const loops = base.ext1
    .map(([up, down]) => {
      const persistence = Math.abs(up - down);
      const survived = distances.filter((d) => persistence > 2 * d).length;
      return { birth: up, death: down, persistence, survival: resamples ? survived / resamples : 0 };
    })
    .sort((a, b) => b.persistence - a.persistence);
  return { resamples, distances, loopCounts, loops };
}
