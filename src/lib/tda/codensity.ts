import {
  buildKdTree,
  kthNeighbourDistance,
  kthNeighbourDistanceOf,
  kthNeighbourDistanceRows,
  type KdTree,
} from './knn';

/** rho_k(x): distance from x to its k-th nearest other point. Small codensity = dense neighbourhood. */
export function codensity(points: ArrayLike<number>, n: number, dim: number, k: number): Float64Array {
  return kthNeighbourDistance(points, n, dim, k);
}

/** Number of points X(k,p) keeps: p percent of n, rounded, at least one point when n > 0. */
export function coreSize(n: number, p: number): number {
  if (n === 0) return 0;
  return Math.min(n, Math.max(1, Math.round((n * p) / 100)));
}

/**
 * The density core X(k,p): indices of the p percent of points with the smallest codensity, in increasing order
 * of codensity (ties by index, so the core is deterministic). Infinite codensities sort last.
 */
export function densityCore(rho: Float64Array, p: number): Uint32Array {
  if (!(p > 0 && p <= 100)) throw new RangeError(`density core: p must be in (0, 100], got ${p}`);
  const n = rho.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (rho[a] === rho[b] ? a - b : rho[a] < rho[b] ? -1 : 1));
  return order.slice(0, coreSize(n, p));
}

export interface CoreSearch {
  /** Core indices by increasing codensity. */
  core: Uint32Array;
  /** rho_k of every point; exact for the core and any point at most `radius`, Infinity for the rest. */
  rho: Float64Array;
  /** The search radius that sufficed (Infinity when every codensity was computed). */
  radius: number;
}

/**
 * X(k,p) without computing every codensity: only the core's codensities matter, and they are all below the
 * p-th percentile. Estimate that percentile (plus a margin) from the exact codensities of a strided sample,
 * search every point only that far, and widen the radius in the rare case that too few points resolve. The core
 * is identical to densityCore(codensity(...)): every point outside the radius has a larger codensity than every
 * point inside it.
 *
 * `lower`, optional, bounds every point's codensity from below (e.g. its codensity in a larger cloud that holds
 * this one: fewer points, farther k-th neighbour). Points whose bound exceeds the radius are not searched; the
 * result is the same, most of the search's time goes to exactly those points (each scans its whole ball).
 */
export function densityCoreSearch(
  points: ArrayLike<number>,
  n: number,
  dim: number,
  k: number,
  p: number,
  lower?: ArrayLike<number>,
): CoreSearch {
  const tree = buildKdTree(points, n, dim);
  const steps = coreSearchSteps(tree, k, p);
  let step = steps.next();
  while (!step.done) {
    const radius = step.value;
    let only: Uint8Array | undefined;
    if (lower && radius < Infinity) {
      // A point whose codensity is known to exceed the radius would only be found unresolved: skip its search.
      only = new Uint8Array(n);
      for (let i = 0; i < n; i++) only[i] = lower[tree.perm[i]] <= radius ? 1 : 0;
    }
    step = steps.next(kthNeighbourDistanceRows(tree, k, radius, 0, n, only));
  }
  return step.value;
}

/**
 * densityCoreSearch with its radius searches (nearly all of its time) done by `within`, which returns the
 * bounded codensities of the points in tree order, e.g. in slices on several threads (kthNeighbourDistanceRows).
 * The core is the same as densityCoreSearch's.
 */
export async function densityCoreSearchWith(
  tree: KdTree,
  k: number,
  p: number,
  within: (radius: number) => Promise<Float64Array>,
): Promise<CoreSearch> {
  const steps = coreSearchSteps(tree, k, p);
  let step = steps.next();
  while (!step.done) step = steps.next(await within(step.value));
  return step.value;
}

/**
 * The search as steps: each yields the radius it needs the bounded codensities for (in tree order) and gets them
 * back; it returns the core. Small clouds and large cores take every codensity (radius Infinity) at once.
 */
function* coreSearchSteps(tree: KdTree, k: number, p: number): Generator<number, CoreSearch, Float64Array> {
  const n = tree.n;
  const want = coreSize(n, p);
  const inPointOrder = (rows: Float64Array) => {
    const rho = new Float64Array(n);
    for (let i = 0; i < n; i++) rho[tree.perm[i]] = rows[i];
    return rho;
  };
  if (n <= 4000 || p >= 60) {
    const rho = inPointOrder(yield Infinity);
    return { core: densityCore(rho, p), rho, radius: Infinity };
  }
  const s = 1000;
  const sample = Array.from({ length: s }, (_, i) => Math.floor((i * n) / s));
  const sampled = [...kthNeighbourDistanceOf(tree, k, sample).values()].sort((a, b) => a - b);
  // The sampled quantile's standard error is sqrt(q(1-q)/s) <= 0.016, so a margin of 0.05 rarely needs a retry,
  // and every point of margin costs search time (the radius sets how much of the cloud each query scans).
  let q = Math.min(1, p / 100 + 0.05);
  for (;;) {
    const radius = q >= 1 ? Infinity : sampled[Math.min(s - 1, Math.ceil(q * (s - 1)))];
    const rho = inPointOrder(yield radius);
    let resolved = 0;
    for (const r of rho) if (Number.isFinite(r)) resolved++;
    if (resolved >= want || radius === Infinity) return { core: densityCore(rho, p), rho, radius };
    q = Math.min(1, q + 0.1);
  }
}
