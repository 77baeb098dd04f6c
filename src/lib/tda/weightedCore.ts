/**
 * The density core X(k,p) of a weighted cloud: each point carries the weight of its unit (a training run, or
 * itself), as a bootstrap resample gives it. rho_k(x) is the distance at which the weights of the OTHER points
 * around x reach k (x itself left out, as rho_k leaves it out), and the core takes the densest points until their
 * weight reaches p percent of the total. With every weight 1 this is exactly densityCore(codensity(...)).
 *
 * Weights rather than copies: a unit drawn twice as copies would put each point at distance 0 from its twin, the
 * twin would count as a neighbour, and the doubled unit would look denser than it is. Rips on the core's points
 * has the homology of the weighted core either way (copies only add zero-length H0 bars).
 */
import type { Neighbours } from './knn';

export interface WeightedCore {
  /** Indices of the core's points (each once), densest first. */
  core: Uint32Array;
  /** rho_k of the drawn points (Infinity for points whose unit was not drawn). */
  rho: Float64Array;
}

/**
 * @param neighbours the K nearest neighbours of every point of the whole cloud (K >= k); computed once and
 *   shared by all resamples.
 * @param unitOf the unit (run, or filter) of each point.
 * @param weight the weight of each unit (how many times it was drawn, or a Bayesian bootstrap weight).
 */
export function weightedDensityCore(
  points: ArrayLike<number>,
  dim: number,
  neighbours: Neighbours,
  unitOf: ArrayLike<number>,
  weight: ArrayLike<number>,
  k: number,
  p: number,
): WeightedCore {
  if (!(p > 0 && p <= 100)) throw new RangeError(`density core: p must be in (0, 100], got ${p}`);
  const n = unitOf.length;
  const K = neighbours.k;
  const rho = new Float64Array(n).fill(Infinity);
  const drawn: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weight[unitOf[i]];
    if (w <= 0) continue;
    drawn.push(i);
    total += w;
    let acc = 0;
    for (let j = 0; j < K; j++) {
      const other = neighbours.indices[i * K + j];
      acc += weight[unitOf[other]];
      if (acc >= k) {
        rho[i] = neighbours.distances[i * K + j];
        break;
      }
    }
    // The K listed neighbours came mostly from units not drawn: rare, so a scan of the cloud settles it.
    if (acc < k) rho[i] = scanned(points, dim, unitOf, weight, i, k);
  }
  drawn.sort((a, b) => (rho[a] === rho[b] ? a - b : rho[a] < rho[b] ? -1 : 1));
  // Same rounding as coreSize: p percent of the total weight, at least one point.
  const want = Math.max(1, Math.round((total * p) / 100));
  const core: number[] = [];
  let taken = 0;
  for (const i of drawn) {
    if (taken >= want) break;
    core.push(i);
    taken += weight[unitOf[i]];
  }
  return { core: Uint32Array.from(core), rho };
}

function scanned(
  points: ArrayLike<number>,
  dim: number,
  unitOf: ArrayLike<number>,
  weight: ArrayLike<number>,
  i: number,
  k: number,
): number {
  const n = unitOf.length;
  const found: Array<[number, number]> = [];
  for (let j = 0; j < n; j++) {
    const w = weight[unitOf[j]];
    if (j === i || w <= 0) continue;
    let d = 0;
    for (let t = 0; t < dim; t++) {
      const x = points[i * dim + t] - points[j * dim + t];
      d += x * x;
    }
    found.push([Math.sqrt(d), w]);
  }
  found.sort((a, b) => a[0] - b[0]);
  let acc = 0;
  for (const [d, w] of found) {
    acc += w;
    if (acc >= k) return d;
  }
  return Infinity;
}
