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
  const tree = minimumSpanningTree(points, dim, subset);
  const cut = scale ?? gapThreshold(tree.length, bins);
  const join = scale === undefined ? (h: number) => h < cut : (h: number) => h <= cut;
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
    if (join(tree.length[e])) {
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
