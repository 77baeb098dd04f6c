/**
 * Exact k nearest neighbours of every point of a cloud, on a k-d tree with bounding boxes.
 * Memory is O(n*dim + n*k) at most, never O(n^2); queries run in tree order so that neighbouring queries touch
 * the same leaves. Filter clouds are low-dimensional in practice (near circles on S^7), where k-d trees prune well.
 */

export interface KdTree {
  n: number;
  dim: number;
  /** perm[i] is the original index of the i-th point in tree order. */
  perm: Uint32Array;
  /** Coordinates in tree order (n x dim), so a leaf is one contiguous run. */
  data: Float64Array;
  start: Uint32Array;
  end: Uint32Array;
  /** Child node ids; -1 marks a leaf. */
  left: Int32Array;
  right: Int32Array;
  /** Per node, dim lows then dim highs. */
  box: Float64Array;
  /**
   * Per leaf, the coordinate its points are sorted by (the one of largest variance): a query scans only the run of
   * the leaf within its current k-th distance along that coordinate.
   */
  axis: Uint32Array;
  nodeCount: number;
}

export interface Neighbours {
  k: number;
  /** n x k, nearest first; never the point itself. */
  indices: Uint32Array;
  /** n x k Euclidean distances, ascending per row. */
  distances: Float64Array;
}

function checkCloud(points: ArrayLike<number>, n: number, dim: number, k: number): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(dim) || dim < 1) throw new Error('knn: bad shape');
  if (points.length < n * dim) throw new Error(`knn: expected ${n * dim} coordinates, got ${points.length}`);
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw new Error(`knn: k must be an integer in 1..${n - 1}, got ${k}`);
}

export function buildKdTree(points: ArrayLike<number>, n: number, dim: number, leafSize = 64): KdTree {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const maxNodes = Math.max(1, 2 * Math.ceil(n / Math.max(1, leafSize >> 1)) + 1);
  const start = new Uint32Array(maxNodes);
  const end = new Uint32Array(maxNodes);
  const left = new Int32Array(maxNodes).fill(-1);
  const right = new Int32Array(maxNodes).fill(-1);
  const box = new Float64Array(maxNodes * 2 * dim);
  const axis = new Uint32Array(maxNodes);
  const sum = new Float64Array(dim);
  const squares = new Float64Array(dim);
  let nodeCount = 0;

  const coord = (p: number, d: number) => points[p * dim + d];

  // Quickselect on perm[lo, hi) so that perm[mid] holds the median along d.
  const select = (lo: number, hi: number, mid: number, d: number) => {
    let l = lo;
    let r = hi - 1;
    while (l < r) {
      const pivot = coord(perm[(l + r) >> 1], d);
      let i = l;
      let j = r;
      while (i <= j) {
        while (coord(perm[i], d) < pivot) i++;
        while (coord(perm[j], d) > pivot) j--;
        if (i <= j) {
          const t = perm[i];
          perm[i] = perm[j];
          perm[j] = t;
          i++;
          j--;
        }
      }
      if (mid <= j) r = j;
      else if (mid >= i) l = i;
      else break;
    }
  };

  const stack: number[] = [];
  const root = nodeCount++;
  start[root] = 0;
  end[root] = n;
  stack.push(root);
  while (stack.length) {
    const t = stack.pop()!;
    const lo = start[t];
    const hi = end[t];
    const b = t * 2 * dim;
    for (let d = 0; d < dim; d++) {
      box[b + d] = Infinity;
      box[b + dim + d] = -Infinity;
      sum[d] = 0;
      squares[d] = 0;
    }
    for (let i = lo; i < hi; i++) {
      const o = perm[i] * dim;
      for (let d = 0; d < dim; d++) {
        const v = points[o + d];
        if (v < box[b + d]) box[b + d] = v;
        if (v > box[b + dim + d]) box[b + dim + d] = v;
        sum[d] += v;
        squares[d] += v * v;
      }
    }
    // Split along the coordinate of largest variance: the widest extent is set by a node's few outliers (a
    // fifth of a layer's filters can be noise spread over the whole sphere) and says little of its bulk. The
    // choice only shapes the tree; the answers do not depend on it.
    let best = 0;
    let spread = -1;
    let extent = 0;
    for (let d = 0; d < dim; d++) {
      const s = squares[d] - (sum[d] * sum[d]) / (hi - lo);
      if (s > spread) {
        spread = s;
        best = d;
      }
      extent = Math.max(extent, box[b + dim + d] - box[b + d]);
    }
    if (hi - lo <= leafSize || extent <= 0) {
      // A leaf (all points equal also make one): sorted along the coordinate of largest variance.
      axis[t] = best;
      // Insertion sort: leaves are short, and ties keep index order.
      for (let i = lo + 1; i < hi; i++) {
        const p = perm[i];
        const v = points[p * dim + best];
        let j = i - 1;
        while (j >= lo && points[perm[j] * dim + best] > v) {
          perm[j + 1] = perm[j];
          j--;
        }
        perm[j + 1] = p;
      }
      continue;
    }
    const mid = (lo + hi) >> 1;
    select(lo, hi, mid, best);
    const l = nodeCount++;
    const r = nodeCount++;
    start[l] = lo;
    end[l] = mid;
    start[r] = mid;
    end[r] = hi;
    left[t] = l;
    right[t] = r;
    stack.push(l, r);
  }

  const data = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) data[i * dim + d] = coord(perm[i], d);
  return { n, dim, perm, data, start, end, left, right, box, axis, nodeCount };
}

/** Rearranges d[0, m) (with i alongside) so that d[kth] is the (kth+1)-th smallest and nothing before it is larger. */
function selectPairs(d: Float64Array, idx: Uint32Array, m: number, kth: number): void {
  let l = 0;
  let r = m - 1;
  while (l < r) {
    const pivot = d[(l + r) >> 1];
    let a = l;
    let b = r;
    while (a <= b) {
      while (d[a] < pivot) a++;
      while (d[b] > pivot) b--;
      if (a <= b) {
        const td = d[a];
        d[a] = d[b];
        d[b] = td;
        const ti = idx[a];
        idx[a] = idx[b];
        idx[b] = ti;
        a++;
        b--;
      }
    }
    if (kth <= b) r = b;
    else if (kth >= a) l = a;
    else break;
  }
}

/**
 * Runs one exact k-NN query per point (excluding the point itself) and hands each result to `visit`: the k
 * smallest squared distances, unordered except that the k-th smallest is last, with original indices.
 * Candidates go into a buffer of 2k that is cut back to k by quickselect when full: amortised O(1) per candidate,
 * where a heap would pay log k on every improvement.
 */
function queryAll(
  tree: KdTree,
  k: number,
  visit: (query: number, dist2: Float64Array, index: Uint32Array) => void,
  limit?: { radius: number; only?: Uint8Array; unresolved?: (query: number) => void },
  range: readonly [number, number] = [0, tree.n],
): void {
  const { dim, data, perm, start, end, left, right, box, axis } = tree;
  const size = 2 * k;
  const bufD = new Float64Array(size);
  const bufI = new Uint32Array(size);
  const stack = new Int32Array(256);
  // The squared box distance of each node on the stack, computed when it was pushed.
  const stackD = new Float64Array(256);
  const q = new Float64Array(dim);

  let previousKth = Infinity;
  let first = true;
  // Searches bounded by `limit.radius` find the k-th distance when it is within the radius and otherwise report
  // the point as unresolved; the slack keeps a k-th neighbour at exactly the radius.
  const cap = limit ? limit.radius * limit.radius * (1 + 1e-9) + 1e-300 : Infinity;
  for (let qi = range[0]; qi < range[1]; qi++) {
    if (limit?.only && !limit.only[qi]) continue;
    let gap = 0;
    for (let d = 0; d < dim; d++) {
      const v = data[qi * dim + d];
      if (!first) gap += (v - q[d]) * (v - q[d]);
      q[d] = v;
    }
    first = false;
    const q0 = q[0],
      q1 = q[1],
      q2 = q[2],
      q3 = q[3],
      q4 = q[4],
      q5 = q[5],
      q6 = q[6],
      q7 = q[7];
    let m = 0;
    // Queries run in tree order, so the previous point is close: by the triangle inequality its k neighbours
    // and itself lie within previousKth + gap, which bounds this k-th distance before any point is seen.
    // The slack covers rounding; the bound only prunes, it never decides the answer.
    const bound = previousKth + Math.sqrt(gap);
    let worst = Math.min(cap, Number.isFinite(bound) ? bound * bound * (1 + 1e-9) + 1e-300 : Infinity);
    // A point farther than `reach` along one coordinate is at least `worst` away: its squared difference in that
    // coordinate alone rounds to at least worst, and adding the others' squares cannot round it below. The
    // slack covers the rounding of the square root and of the difference.
    let reach = Math.sqrt(worst) * (1 + 1e-9) + 1e-300;
    let filled = Number.isFinite(worst);
    let sp = 0;
    stack[sp] = 0;
    stackD[sp++] = 0;
    while (sp > 0) {
      const t = stack[--sp];
      if (stackD[sp] >= worst) continue;
      const l = left[t];
      if (l < 0) {
        // The leaf's points ascend along `ax`: skip those more than `reach` below q, stop at the first more than
        // `reach` above. Differences, not q - reach, are compared: they carry only relative rounding.
        const ax = axis[t];
        const qa = q[ax];
        let lo = start[t];
        let hi = end[t];
        const e = hi;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (qa - data[mid * dim + ax] > reach) lo = mid + 1;
          else hi = mid;
        }
        for (let i = lo; i < e; i++) {
          const o = i * dim;
          if (data[o + ax] - qa > reach) break;
          if (i === qi) continue;
          let dist = 0;
          if (dim === 8) {
            // DCT coordinates: unrolled, about twice as fast as the loop.
            const a0 = data[o] - q0;
            const a1 = data[o + 1] - q1;
            const a2 = data[o + 2] - q2;
            const a3 = data[o + 3] - q3;
            const a4 = data[o + 4] - q4;
            const a5 = data[o + 5] - q5;
            const a6 = data[o + 6] - q6;
            const a7 = data[o + 7] - q7;
            dist = a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3 + a4 * a4 + a5 * a5 + a6 * a6 + a7 * a7;
          } else
            for (let d = 0; d < dim; d++) {
              const diff = data[o + d] - q[d];
              dist += diff * diff;
            }
          if (dist >= worst) continue;
          bufD[m] = dist;
          bufI[m] = i;
          m++;
          if (!filled && m === k) {
            // Any k candidates bound the k-th distance from above.
            filled = true;
            worst = 0;
            for (let j = 0; j < k; j++) if (bufD[j] > worst) worst = bufD[j];
            reach = Math.sqrt(worst) * (1 + 1e-9) + 1e-300;
          } else if (m === size) {
            selectPairs(bufD, bufI, m, k - 1);
            m = k;
            worst = bufD[k - 1];
            reach = Math.sqrt(worst) * (1 + 1e-9) + 1e-300;
          }
        }
        continue;
      }
      // Visit the nearer child first: push it last.
      const r = right[t];
      const lb = l * 2 * dim;
      const rb = r * 2 * dim;
      let dl = 0;
      let dr = 0;
      for (let d = 0; d < dim; d++) {
        const v = q[d];
        const a = v < box[lb + d] ? box[lb + d] - v : v > box[lb + dim + d] ? v - box[lb + dim + d] : 0;
        const c = v < box[rb + d] ? box[rb + d] - v : v > box[rb + dim + d] ? v - box[rb + dim + d] : 0;
        dl += a * a;
        dr += c * c;
      }
      if (dl <= dr) {
        if (dr < worst) {
          stack[sp] = r;
          stackD[sp++] = dr;
        }
        if (dl < worst) {
          stack[sp] = l;
          stackD[sp++] = dl;
        }
      } else {
        if (dl < worst) {
          stack[sp] = l;
          stackD[sp++] = dl;
        }
        if (dr < worst) {
          stack[sp] = r;
          stackD[sp++] = dr;
        }
      }
    }
    if (m < k) {
      // Only possible with a radius limit: fewer than k points lie within it.
      previousKth = Infinity;
      limit?.unresolved?.(perm[qi]);
      continue;
    }
    selectPairs(bufD, bufI, m, k - 1);
    previousKth = Math.sqrt(bufD[k - 1]);
    for (let j = 0; j < k; j++) bufI[j] = perm[bufI[j]];
    visit(perm[qi], bufD, bufI);
  }
}

/** Exact k nearest neighbours of every point (the point itself excluded), nearest first. */
export function knn(points: ArrayLike<number>, n: number, dim: number, k: number): Neighbours {
  checkCloud(points, n, dim, k);
  const tree = buildKdTree(points, n, dim);
  return mergeRows(tree, k, [knnRows(tree, k, 0, n)]);
}

/**
 * The k nearest neighbours of the points at tree positions [from, to) (tree.perm[from] first): a slice of the
 * work of knn() that a thread can do on its own; mergeRows puts the slices back in point order. Rows are the
 * same whatever the slicing: the queries of a slice only start without the previous query's bound.
 */
export function knnRows(tree: KdTree, k: number, from: number, to: number): Neighbours {
  const indices = new Uint32Array((to - from) * k);
  const distances = new Float64Array((to - from) * k);
  const order = new Uint32Array(k);
  let row = 0;
  queryAll(
    tree,
    k,
    (_query, dist2, index) => {
      for (let j = 0; j < k; j++) order[j] = j;
      order.sort((a, b) => dist2[a] - dist2[b] || index[a] - index[b]);
      for (let j = 0; j < k; j++) {
        indices[row * k + j] = index[order[j]];
        distances[row * k + j] = Math.sqrt(dist2[order[j]]);
      }
      row++;
    },
    undefined,
    [from, to],
  );
  return { k, indices, distances };
}

/** Slices of knnRows covering the tree positions 0..n in order, as one Neighbours in point order. */
export function mergeRows(tree: KdTree, k: number, slices: Neighbours[]): Neighbours {
  const indices = new Uint32Array(tree.n * k);
  const distances = new Float64Array(tree.n * k);
  let position = 0;
  for (const slice of slices) {
    const rows = slice.indices.length / k;
    for (let r = 0; r < rows; r++, position++) {
      const at = tree.perm[position] * k;
      indices.set(slice.indices.subarray(r * k, r * k + k), at);
      distances.set(slice.distances.subarray(r * k, r * k + k), at);
    }
  }
  if (position !== tree.n) throw new Error(`knn: the slices hold ${position} rows, not ${tree.n}`);
  return { k, indices, distances };
}

/**
 * Distance to the k-th nearest other point of the points at tree positions [from, to), where it is at most
 * `radius` (Infinity otherwise), in tree order: a slice of kthNeighbourDistanceWithin for one thread. With
 * `only` (by tree position), the other points are not searched and stay Infinity.
 */
export function kthNeighbourDistanceRows(
  tree: KdTree,
  k: number,
  radius: number,
  from: number,
  to: number,
  only?: Uint8Array,
): Float64Array {
  const out = new Float64Array(to - from).fill(Infinity);
  const inverse = new Uint32Array(tree.n);
  // visit() gets original indices; the slice is indexed by tree position.
  for (let i = from; i < to; i++) inverse[tree.perm[i]] = i - from;
  queryAll(
    tree,
    k,
    (query, dist2) => {
      const r = Math.sqrt(dist2[k - 1]);
      if (r <= radius) out[inverse[query]] = r;
    },
    only ? { radius, only } : { radius },
    [from, to],
  );
  return out;
}

/** Distance from every point to its k-th nearest other point: the codensity rho_k, in O(n) memory. */
export function kthNeighbourDistance(points: ArrayLike<number>, n: number, dim: number, k: number): Float64Array {
  checkCloud(points, n, dim, k);
  const tree = buildKdTree(points, n, dim);
  const out = new Float64Array(n);
  queryAll(tree, k, (query, dist2) => {
    out[query] = Math.sqrt(dist2[k - 1]);
  });
  return out;
}

/**
 * Distance to the k-th nearest other point for every point whose distance is at most `radius`; Infinity for the
 * others. Much cheaper than the unbounded search when most points are sparse, and exact where finite.
 */
export function kthNeighbourDistanceWithin(
  points: ArrayLike<number>,
  n: number,
  dim: number,
  k: number,
  radius: number,
  tree: KdTree = buildKdTree(points, n, dim),
): Float64Array {
  checkCloud(points, n, dim, k);
  const out = new Float64Array(n).fill(Infinity);
  queryAll(
    tree,
    k,
    (query, dist2) => {
      const r = Math.sqrt(dist2[k - 1]);
      if (r <= radius) out[query] = r;
    },
    { radius },
  );
  return out;
}

/** Exact k-th neighbour distances of the points whose original indices are listed. */
export function kthNeighbourDistanceOf(tree: KdTree, k: number, indices: ArrayLike<number>): Map<number, number> {
  const inverse = new Uint32Array(tree.n);
  tree.perm.forEach((p, i) => (inverse[p] = i));
  const only = new Uint8Array(tree.n);
  for (let i = 0; i < indices.length; i++) only[inverse[indices[i]]] = 1;
  const out = new Map<number, number>();
  queryAll(tree, k, (query, dist2) => out.set(query, Math.sqrt(dist2[k - 1])), { radius: Infinity, only });
  return out;
}

/** The O(n^2 k) reference the tree is tested and benchmarked against. */
export function bruteForceKnn(points: ArrayLike<number>, n: number, dim: number, k: number): Neighbours {
  checkCloud(points, n, dim, k);
  const indices = new Uint32Array(n * k);
  const distances = new Float64Array(n * k);
  const d2 = new Float64Array(n);
  const order = new Uint32Array(n - 1);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const diff = points[i * dim + d] - points[j * dim + d];
        s += diff * diff;
      }
      d2[j] = s;
      order[m++] = j;
    }
    order.sort((a, b) => d2[a] - d2[b] || a - b);
    for (let j = 0; j < k; j++) {
      indices[i * k + j] = order[j];
      distances[i * k + j] = Math.sqrt(d2[order[j]]);
    }
  }
  return { k, indices, distances };
}
