/**
 * Single-linkage clustering of a subset of a point cloud, cut by the gap heuristic of Mapper
 * (Singh, Memoli & Carlsson 2007): histogram the merge heights (the minimum spanning tree's edge lengths) and cut
 * at the first empty bin. No gap means one cluster.
 */

export interface SpanningTree {
  /** m - 1 edges between subset positions (0..m-1), with their lengths. */
  a: Uint32Array;
  b: Uint32Array;
  length: Float64Array;
}

/** Prim's algorithm on the complete graph of the subset: O(m^2) time, O(m) memory. */
export function minimumSpanningTree(points: ArrayLike<number>, dim: number, subset: ArrayLike<number>): SpanningTree {
  const m = subset.length;
  const edges = Math.max(0, m - 1);
  const a = new Uint32Array(edges);
  const b = new Uint32Array(edges);
  const length = new Float64Array(edges);
  if (m < 2) return { a, b, length };
  const local = new Float64Array(m * dim);
  for (let i = 0; i < m; i++) for (let d = 0; d < dim; d++) local[i * dim + d] = points[subset[i] * dim + d];
  const best = new Float64Array(m).fill(Infinity);
  const from = new Uint32Array(m);
  const done = new Uint8Array(m);
  let current = 0;
  done[0] = 1;
  for (let e = 0; e < edges; e++) {
    const o = current * dim;
    let next = -1;
    let nextDist = Infinity;
    const q0 = local[o],
      q1 = local[o + 1],
      q2 = local[o + 2],
      q3 = local[o + 3],
      q4 = local[o + 4],
      q5 = local[o + 5],
      q6 = local[o + 6],
      q7 = local[o + 7];
    for (let j = 0; j < m; j++) {
      if (done[j]) continue;
      let s = 0;
      const p = j * dim;
      if (dim === 8) {
        // DCT coordinates: unrolled, about twice as fast as the loop.
        const a0 = local[p] - q0;
        const a1 = local[p + 1] - q1;
        const a2 = local[p + 2] - q2;
        const a3 = local[p + 3] - q3;
        const a4 = local[p + 4] - q4;
        const a5 = local[p + 5] - q5;
        const a6 = local[p + 6] - q6;
        const a7 = local[p + 7] - q7;
        s = a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3 + a4 * a4 + a5 * a5 + a6 * a6 + a7 * a7;
      } else
        for (let d = 0; d < dim; d++) {
          const diff = local[p + d] - local[o + d];
          s += diff * diff;
        }
      if (s < best[j]) {
        best[j] = s;
        from[j] = current;
      }
      if (best[j] < nextDist) {
        nextDist = best[j];
        next = j;
      }
    }
    done[next] = 1;
    a[e] = from[next];
    b[e] = next;
    length[e] = Math.sqrt(nextDist);
    current = next;
  }
  return { a, b, length };
}

/**
 * The cut height from the first empty bin of the merge-height histogram; Infinity (one cluster) if none.
 * Two guards against splitting one cluster: small cover sets get fewer bins (about the square root of the number
 * of heights, at most `maxBins`), and a gap only counts when the heights above it are at least `minRatio` times
 * those below. Points along a curve have nearly exponential spacings whose long tail leaves empty bins, but no
 * such jump.
 */
export function gapThreshold(heights: Float64Array, maxBins = 10, minRatio = 2): number {
  if (heights.length < 2) return Infinity;
  const bins = Math.max(2, Math.min(maxBins, Math.round(Math.sqrt(heights.length))));
  let lo = Infinity;
  let hi = -Infinity;
  for (const h of heights) {
    if (h < lo) lo = h;
    if (h > hi) hi = h;
  }
  if (!(hi > lo)) return Infinity;
  const counts = new Uint32Array(bins);
  const binMax = new Float64Array(bins).fill(-Infinity);
  const binMin = new Float64Array(bins).fill(Infinity);
  const width = (hi - lo) / bins;
  for (const h of heights) {
    const b = Math.min(bins - 1, Math.floor((h - lo) / width));
    counts[b]++;
    if (h > binMax[b]) binMax[b] = h;
    if (h < binMin[b]) binMin[b] = h;
  }
  let below = -Infinity;
  for (let i = 0; i < bins; i++) {
    if (counts[i] > 0) {
      below = Math.max(below, binMax[i]);
      continue;
    }
    let above = Infinity;
    for (let j = i + 1; j < bins; j++) above = Math.min(above, binMin[j]);
    if (above >= minRatio * below) return lo + i * width;
  }
  return Infinity;
}

/**
 * Cluster labels (0..count-1, one per subset position) of the subset's single-linkage clustering. With `scale`
 * the dendrogram is cut there (points closer than or at `scale` share a cluster, as in Carriere-Michel-Oudot's
 * automatic Mapper); without it, by the gap heuristic. Labels are numbered in order of each cluster's first member.
 */
export function singleLinkageClusters(
  points: ArrayLike<number>,
  dim: number,
  subset: ArrayLike<number>,
  bins = 10,
  scale?: number,
): { labels: Uint32Array; count: number } {
  const m = subset.length;
  if (scale !== undefined) return scaleComponents(points, dim, subset, scale);
  const tree = minimumSpanningTree(points, dim, subset);
  const cut = gapThreshold(tree.length, bins);
  const parent = new Int32Array(m);
  for (let i = 0; i < m; i++) parent[i] = i;
  const find = (x: number) => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (let e = 0; e < tree.length.length; e++)
    if (tree.length[e] < cut) {
      const x = find(tree.a[e]);
      const y = find(tree.b[e]);
      if (x !== y) parent[Math.max(x, y)] = Math.min(x, y);
    }
  const labels = new Uint32Array(m);
  const label = new Int32Array(m).fill(-1);
  let count = 0;
  for (let i = 0; i < m; i++) {
    const r = find(i);
    if (label[r] < 0) label[r] = count++;
    labels[i] = label[r];
  }
  return { labels, count };
}

/** Squared distance between two subset points, summed over the coordinates in order (as Prim's scan sums it). */
function squaredGap(local: Float64Array, dim: number, x: number, y: number): number {
  const o = x * dim;
  const p = y * dim;
  let s = 0;
  if (dim === 8) {
    const a0 = local[p] - local[o];
    const a1 = local[p + 1] - local[o + 1];
    const a2 = local[p + 2] - local[o + 2];
    const a3 = local[p + 3] - local[o + 3];
    const a4 = local[p + 4] - local[o + 4];
    const a5 = local[p + 5] - local[o + 5];
    const a6 = local[p + 6] - local[o + 6];
    const a7 = local[p + 7] - local[o + 7];
    s = a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3 + a4 * a4 + a5 * a5 + a6 * a6 + a7 * a7;
  } else
    for (let d = 0; d < dim; d++) {
      const diff = local[p + d] - local[o + d];
      s += diff * diff;
    }
  return s;
}

/**
 * The single-linkage clusters cut at `scale` without the spanning tree: the clusters are the connected components
 * of the graph joining points at most `scale` apart (a minimum spanning tree's edges up to a height connect exactly
 * the components of the graph's edges up to that height), found by a search that scans, from each point it
 * reaches, only the points not reached yet. A cover set that is one cluster is drained in a few scans instead of
 * Prim's m^2 / 2 distances. The pair test is the one the spanning tree's edges pass, sqrt(d^2) <= scale, on the same
 * squared distances, so the clusters are the same.
 */
function scaleComponents(
  points: ArrayLike<number>,
  dim: number,
  subset: ArrayLike<number>,
  scale: number,
): { labels: Uint32Array; count: number } {
  const m = subset.length;
  const local = new Float64Array(m * dim);
  for (let i = 0; i < m; i++) for (let d = 0; d < dim; d++) local[i * dim + d] = points[subset[i] * dim + d];
  const labels = new Uint32Array(m);
  // rest[0, left) are the points no component holds yet, in increasing order; queue is the current component's
  // frontier. Seeds are taken in order of the first unreached point, so components are numbered by first member.
  const rest = Uint32Array.from({ length: m }, (_, i) => i);
  let left = m;
  const queue = new Uint32Array(m);
  let count = 0;
  while (left > 0) {
    const seed = rest[0];
    // Removing rest[0] keeps the order (the others shift left only when the seed is taken).
    rest.copyWithin(0, 1, left);
    left--;
    labels[seed] = count;
    let head = 0;
    let tail = 0;
    queue[tail++] = seed;
    while (head < tail && left > 0) {
      const x = queue[head++];
      let kept = 0;
      for (let t = 0; t < left; t++) {
        const y = rest[t];
        if (Math.sqrt(squaredGap(local, dim, x, y)) <= scale) {
          labels[y] = count;
          queue[tail++] = y;
        } else rest[kept++] = y;
      }
      left = kept;
    }
    count++;
  }
  return { labels, count };
}
