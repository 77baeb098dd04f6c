import { knn } from './knn';
import { seededRandom } from './random';

/**
 * Mapper's cover and clustering scale chosen from the data, after Carriere, Michel & Oudot, "Statistical analysis
 * and parameter selection for Mapper" (JMLR 19, 2018), as GUDHI's MapperComplex does when no resolution is given
 * (the defaults differ from GUDHI's; the README says where and why):
 *
 * - delta, the clustering scale, is the mean over N random subsamples of size m = n / (log n / log C)^(1 + beta)
 *   of the Hausdorff distance from the points to the subsample: the scale at which a sparser sample of the same
 *   shape still covers it. Single linkage cut at delta clusters each cover set.
 * - For each lens axis, e is the largest lens difference between two points at most delta apart. Intervals
 *   overlapping by more than e keep every delta-edge inside some overlap, which is what the paper's stability
 *   result needs: intervals e / g long, for an overlap fraction g, each (1 - g) of a length after the last.
 *   The resolution is then capped (maxCubes) and floored (2G + 1 per axis, G = 1 / (1 - g)); see below.
 *
 * Large clouds are estimated on a seeded subsample of `maxPoints`. delta then is the covering scale of that many
 * points, larger than the full cloud's: the graph stays a summary (its node count stops growing with n) and the
 * larger scale still satisfies the paper's condition, delta at least the sampling scale.
 */

export interface AutoParameterOptions {
  /** Overlap of consecutive intervals as a fraction of their length, in (0, 1); GUDHI's gain. Default 2/3. */
  overlap?: number;
  /** Subsamples averaged for delta (GUDHI's N). */
  repetitions?: number;
  /** The paper's constants C and beta: m = n / (log n / log C)^(1 + beta). */
  C?: number;
  beta?: number;
  /** Estimate on at most this many points. */
  maxPoints?: number;
  /** At most this many cover sets in all: maxCubes^(1/lensDim) intervals per axis. */
  maxCubes?: number;
  seed?: number;
  /** Per lens axis: a period (the cover wraps) or null. */
  periods?: ReadonlyArray<number | null>;
}

export interface AutoParameters {
  /** The single-linkage cut height. */
  delta: number;
  /** Intervals per lens axis. */
  resolution: number[];
  /** In Mapper's convention here: each point lies in about `gain` intervals per axis, 1 / (1 - overlap). */
  gain: number;
  overlap: number;
  /** Per lens axis, the largest lens difference across a delta-edge. */
  lensSpread: number[];
  /** The rule's own resolution per axis, before the cap on cover sets. */
  finest: number[];
  /** Points the estimate used, and the subsample size m of each repetition. */
  estimatedOn: number;
  subsampleSize: number;
  repetitions: number;
}

export const AUTO_DEFAULTS = {
  overlap: 2 / 3,
  repetitions: 100,
  C: 10,
  beta: 1,
  maxPoints: 2000,
  seed: 1,
  quantile: 1,
  maxCubes: 144,
};

function squaredDistance(points: ArrayLike<number>, dim: number, a: number, b: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const x = points[a * dim + d] - points[b * dim + d];
    s += x * x;
  }
  return s;
}

/** The paper's subsample size for n points. */
export function subsampleSize(n: number, C = AUTO_DEFAULTS.C, beta = AUTO_DEFAULTS.beta): number {
  if (n < 2) return n;
  const m = Math.floor(n / Math.exp((1 + beta) * Math.log(Math.log(n) / Math.log(C))));
  // Below n = C the formula asks for more points than there are; one fewer keeps delta positive.
  return Math.max(1, Math.min(n - 1, m));
}

/**
 * delta on a cloud of n points: the mean Hausdorff distance from the cloud to `repetitions` random subsamples.
 * Each point's nearest subsample point is usually among its few nearest neighbours, so one k-NN search serves all
 * repetitions; a point with none of them sampled falls back to a scan of the subsample.
 */
export function estimateScale(
  points: ArrayLike<number>,
  dim: number,
  n: number,
  {
    repetitions = AUTO_DEFAULTS.repetitions,
    C = AUTO_DEFAULTS.C,
    beta = AUTO_DEFAULTS.beta,
    seed = 1,
    quantile = AUTO_DEFAULTS.quantile,
  } = {},
): { delta: number; m: number } {
  if (n < 2) return { delta: 0, m: n };
  const m = subsampleSize(n, C, beta);
  // 64 neighbours: with a subsample of about a tenth of the points (2,000 points, m = 183), a point has none of
  // them sampled in 0.2% of draws, against 10% with 24, and each such point scans the whole subsample. The value is
  // the same either way (the nearest sampled point, found in the list or by the scan).
  const K = Math.min(n - 1, 64);
  const { indices, distances } = knn(points, n, dim, K);
  // The estimator assumes a sample of a shape, without outliers: a lone point far from every other one would set
  // the maximum by itself (its distance to any subsample is at least its nearest-neighbour distance). Points whose
  // nearest-neighbour distance lies beyond Tukey's far-out fence (Q3 + 3 IQR) are left out of the maximum; they
  // still become nodes of their own.
  const nearest = Float64Array.from({ length: n }, (_, i) => distances[i * K]).sort();
  const q1 = nearest[Math.floor(0.25 * (n - 1))];
  const q3 = nearest[Math.floor(0.75 * (n - 1))];
  const fence = q3 + 3 * (q3 - q1);
  const counted = Uint8Array.from({ length: n }, (_, i) => (distances[i * K] <= fence ? 1 : 0));
  const random = seededRandom(seed);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const inSample = new Uint8Array(n);
  const gaps = new Float64Array(n);
  const rank = Math.min(n - 1, Math.ceil(quantile * n) - 1);
  let total = 0;
  for (let rep = 0; rep < repetitions; rep++) {
    // Partial Fisher-Yates: order[0..m) is a uniform subsample without replacement.
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(random() * (n - i));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
      inSample[order[i]] = 1;
    }
    for (let x = 0; x < n; x++) {
      gaps[x] = 0;
      if (inSample[x] || !counted[x]) continue;
      let best = Infinity;
      for (let j = 0; j < K; j++) {
        const y = indices[x * K + j];
        if (inSample[y]) {
          best = squaredDistance(points, dim, x, y);
          break;
        }
      }
      if (best === Infinity)
        for (let i = 0; i < m; i++) best = Math.min(best, squaredDistance(points, dim, x, order[i]));
      gaps[x] = best;
    }
    total += Math.sqrt(quantile >= 1 ? gaps.reduce((a, b) => Math.max(a, b), 0) : gaps.sort()[rank]);
    for (let i = 0; i < m; i++) inSample[order[i]] = 0;
  }
  return { delta: total / repetitions, m };
}

/** A seeded subset of `count` indices of 0..n-1, ascending. */
function seededSubset(n: number, count: number, seed: number): Uint32Array {
  const random = seededRandom(seed ^ 0x5bd1e995);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order.subarray(0, count).sort();
}

/** The automatic cover and clustering scale for a lens (n x lensDim values) on a cloud (n x dim). */
export function autoMapperParameters(
  points: ArrayLike<number>,
  dim: number,
  n: number,
  lens: ArrayLike<number>,
  lensDim: number,
  options: AutoParameterOptions = {},
): AutoParameters {
  const o: typeof AUTO_DEFAULTS & { periods?: ReadonlyArray<number | null> } = {
    ...AUTO_DEFAULTS,
    ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as AutoParameterOptions),
  };
  if (!(o.overlap > 0 && o.overlap < 1)) throw new RangeError(`overlap must be in (0, 1), got ${o.overlap}`);
  const take = Math.min(n, o.maxPoints);
  const chosen = take < n ? seededSubset(n, take, o.seed) : Uint32Array.from({ length: n }, (_, i) => i);
  const sample = new Float64Array(take * dim);
  chosen.forEach((p, i) => {
    for (let d = 0; d < dim; d++) sample[i * dim + d] = points[p * dim + d];
  });
  const { delta, m } = estimateScale(sample, dim, take, o);

  const spread = new Array<number>(lensDim).fill(0);
  const limit = delta * delta;
  for (let a = 0; a < take; a++)
    for (let b = a + 1; b < take; b++) {
      if (squaredDistance(sample, dim, a, b) > limit) continue;
      for (let j = 0; j < lensDim; j++) {
        let diff = Math.abs(lens[chosen[a] * lensDim + j] - lens[chosen[b] * lensDim + j]);
        const period = o.periods?.[j] ?? null;
        if (period) diff = Math.min(diff % period, period - (diff % period));
        if (diff > spread[j]) spread[j] = diff;
      }
    }

  const resolution = spread.map((e, j) => {
    const period = o.periods?.[j] ?? null;
    let range = period ?? 0;
    if (!period) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = lens[i * lensDim + j];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      range = hi - lo;
    }
    if (!(e > 0) || !(range > 0)) return 1;
    // Intervals of length e / g, each (1 - g) of a length after the last, spanning the range: the most intervals
    // whose overlap g * length still holds every delta-edge (fewer would only lengthen them).
    const length = e / o.overlap;
    const step = length * (1 - o.overlap);
    if (period) return Math.max(1, Math.floor(range / step));
    return Math.max(1, 1 + Math.floor(Math.max(0, range - length) / step));
  });
  // The rule gives the finest cover it can vouch for, and it grows without bound as the sample gets denser (its
  // aim is convergence as n grows). Any coarser cover with the same overlap fraction keeps the paper's condition
  // (overlap >= e), so the cover is capped at a size a drawn graph can summarise: 144 cover sets, 12 intervals
  // per axis of a 2-D lens, which puts a loop across the lens through on the order of a hundred nodes.
  const cap = Math.max(1, Math.floor(Math.pow(o.maxCubes, 1 / lensDim) + 1e-9));
  // And a floor: with each point in G = 1 / (1 - g) intervals, a cover of at most 2G intervals per axis has every
  // interval overlapping or touching every other but its opposite, and cannot go round a hole (a wrapping cover of
  // 6 intervals at gain 3 has the octahedron as its nerve, a sphere). 2G + 1 intervals per axis is the coarsest
  // cover that can show a loop; on noisy data delta, and with it e, can approach the radius of the loop itself
  // (30 real MNIST trainings: e = 0.7 on a lens range of 1.9, so the rule asked for 3 intervals).
  const floor = Math.min(cap, Math.ceil(2 / (1 - o.overlap) - 1e-9) + 1);
  return {
    delta,
    resolution: resolution.map((r) => Math.max(Math.min(r, cap), floor)),
    finest: resolution,
    gain: 1 / (1 - o.overlap),
    overlap: o.overlap,
    lensSpread: spread,
    estimatedOn: take,
    subsampleSize: m,
    repetitions: o.repetitions,
  };
}
