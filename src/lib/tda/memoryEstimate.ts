/**
 * An order-of-magnitude estimate of the memory a Rips reduction will use, made before any work so that a
 * request that cannot fit is refused with a clear message instead of exhausting the tab or the process.
 *
 * The count of k-simplices under the threshold is taken as C(n, k+1) q^k, where q is the fraction of pairs
 * under the threshold (exact for a distance matrix, sampled for a point cloud): a geometric graph's cliques are
 * far more frequent than a random graph's q^C(k+1,2), and this bound errs on the side of refusing.
 */
import { binomialApprox } from './binomial';
import { euclidean32, type Metric } from './metric';
import { LOOKUP_ENTRIES, type RipsGraph } from './ripsComplex';

export class PersistenceTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PersistenceTooLargeError';
  }
}

/** Bytes per kept simplex: float32 diameter + float64 index, the radix sort's buffers and the sorted copy. */
const SORTED_SIMPLEX = 12 + 10 + 12;
const LISTED_SIMPLEX = 12;
/** Columns left after clearing and apparent pairs; most Rips simplices are in apparent pairs. */
const COLUMN_SHARE = 0.3;

export function estimateRipsBytes(metric: Metric, maxDim: number, threshold?: number): number {
  const n = metric.n;
  const pairs = (n * (n - 1)) / 2;
  let q: number;
  let graphBytes: number;
  if (threshold === undefined && metric.kind !== 'sparse') {
    // Dense matrix, cut at the enclosing radius: typically well over half the pairs.
    q = 1;
    graphBytes = 4 * pairs;
  } else {
    const t = threshold === undefined ? Infinity : Math.fround(threshold);
    q = pairs === 0 ? 0 : edgeFraction(metric, t);
    graphBytes = 16 * q * pairs + 4 * n + (pairs <= LOOKUP_ENTRIES ? 4 * pairs : 0);
  }
  return bytesFor(n, q, graphBytes, maxDim);
}

export function estimateGraphBytes(graph: RipsGraph, maxDim: number): number {
  const n = graph.n;
  const pairs = (n * (n - 1)) / 2;
  if (pairs === 0) return bytesFor(n, 0, 0, maxDim);
  let edges: number;
  if (graph.dense !== null) {
    edges = 0;
    for (let t = 0; t < graph.dense.length; t++) if (graph.dense[t] <= graph.threshold) edges++;
  } else edges = graph.nbrIndex!.length / 2;
  const sparseBytes = 16 * edges + 4 * n + (pairs <= LOOKUP_ENTRIES ? 4 * pairs : 0);
  return bytesFor(n, edges / pairs, graph.dense !== null ? 4 * pairs : sparseBytes, maxDim);
}

function bytesFor(n: number, q: number, graphBytes: number, maxDim: number): number {
  const simplices = (k: number) => binomialApprox(n, k + 1) * Math.pow(q, k);
  let bytes = 1e6 + graphBytes + SORTED_SIMPLEX * simplices(1);
  let peak = 0;
  for (let d = 1; d <= maxDim; d++) {
    // While dimension d is assembled: the (d-1)-simplices, the d-simplices kept for the next dimension,
    // and the columns with their sort buffers and pivot map.
    const here =
      LISTED_SIMPLEX * simplices(d - 1) +
      (d < maxDim ? LISTED_SIMPLEX * simplices(d) : 0) +
      COLUMN_SHARE * (SORTED_SIMPLEX + 32) * simplices(d);
    peak = Math.max(peak, here);
  }
  bytes += peak;
  return bytes;
}

/** The fraction of pairs at distance <= t: counted for matrices, sampled for point clouds. */
function edgeFraction(metric: Metric, t: number): number {
  const n = metric.n;
  if (metric.kind === 'lower') {
    let k = 0;
    for (let u = 0; u < metric.dist.length; u++) if (Math.fround(metric.dist[u]) <= t) k++;
    return k / metric.dist.length;
  }
  if (metric.kind === 'sparse') {
    let k = 0;
    for (let u = 0; u < metric.dist.length; u++) if (Math.fround(metric.dist[u]) <= t) k++;
    return Math.min(1, k / ((n * (n - 1)) / 2));
  }
  const samples = 20000;
  let seed = 0x9e3779b9;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  let k = 0;
  for (let s = 0; s < samples; s++) {
    const a = Math.floor(rand() * n);
    let b = Math.floor(rand() * (n - 1));
    if (b >= a) b++;
    if (euclidean32(metric.coords, metric.dim, a, b) <= t) k++;
  }
  // One sampled edge more than seen, so a rare-but-present edge count is not estimated as zero.
  return Math.min(1, (k + 1) / samples);
}
