/**
 * The inputs of Vietoris–Rips persistence: a Euclidean point cloud, a lower-triangular distance matrix, or a
 * sparse list of edges (pairs not listed are at infinite distance).
 *
 * Distances are evaluated in single precision, step by step as Ripser does (float coordinates, float sums), so
 * barcodes can be compared with Ripser's interval by interval and ties between equal distances stay ties.
 */
export type Metric =
  | { kind: 'points'; n: number; dim: number; coords: Float64Array } // row-major n x dim, Euclidean
  | { kind: 'lower'; n: number; dist: Float64Array } // lower triangle, row by row: d(1,0), d(2,0), d(2,1), ...
  | { kind: 'sparse'; n: number; i: Uint32Array; j: Uint32Array; dist: Float64Array }; // edges, i != j

const f = Math.fround;

/** The single-precision Euclidean distance between rows a and b of a point cloud, as Ripser computes it. */
export function euclidean32(coords: Float64Array, dim: number, a: number, b: number): number {
  let s = 0;
  const oa = a * dim;
  const ob = b * dim;
  for (let t = 0; t < dim; t++) {
    const d = f(f(coords[oa + t]) - f(coords[ob + t]));
    s = f(s + f(d * d));
  }
  return f(Math.sqrt(s));
}

/** Checks the shape and the numbers of a metric, so the engine can trust it. */
export function checkMetric(metric: Metric): void {
  const { n } = metric;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`metric: n must be a non-negative integer, got ${n}`);
  if (metric.kind === 'points') {
    if (!Number.isInteger(metric.dim) || metric.dim < 0) throw new RangeError('metric: dim must be an integer >= 0');
    if (metric.coords.length !== n * metric.dim)
      throw new RangeError(`metric: ${n} points in dimension ${metric.dim} need ${n * metric.dim} coordinates`);
    for (let t = 0; t < metric.coords.length; t++)
      if (!Number.isFinite(metric.coords[t]))
        throw new RangeError(
          `metric: coordinate ${t % metric.dim} of point ${Math.floor(t / metric.dim)} is not finite`,
        );
  } else if (metric.kind === 'lower') {
    if (metric.dist.length !== (n * (n - 1)) / 2 && !(n === 0 && metric.dist.length === 0))
      throw new RangeError(`metric: ${n} points need ${(n * (n - 1)) / 2} distances, got ${metric.dist.length}`);
    for (let t = 0; t < metric.dist.length; t++) {
      const d = metric.dist[t];
      if (Number.isNaN(d) || d < 0) throw new RangeError(`metric: distance ${t} is ${d}, not a number >= 0`);
    }
  } else {
    const m = metric.i.length;
    if (metric.j.length !== m || metric.dist.length !== m)
      throw new RangeError('metric: sparse i, j and dist must have the same length');
    for (let t = 0; t < m; t++) {
      if (metric.i[t] >= n || metric.j[t] >= n) throw new RangeError(`metric: edge ${t} names a vertex >= n = ${n}`);
      const d = metric.dist[t];
      if (Number.isNaN(d) || d < 0) throw new RangeError(`metric: edge ${t} has distance ${d}, not a number >= 0`);
    }
  }
}
