/**
 * Distances between persistence diagrams: bottleneck and q-Wasserstein with the L-infinity ground metric,
 * where any point may instead be matched to the diagonal at cost (death - birth) / 2.
 *
 * Infinite bars (death = Infinity) are essential classes: they are matched only among themselves, by birth.
 * If the two diagrams have different numbers of them the distance is Infinity.
 */

export type Diagram = ReadonlyArray<readonly [number, number]>;

interface Split {
  /** Finite off-diagonal points as interleaved [birth, death]. */
  finite: Float64Array;
  /** Births of essential classes, sorted. */
  essential: Float64Array;
}

function split(diagram: Diagram, name: string): Split {
  const finite: number[] = [];
  const essential: number[] = [];
  for (let i = 0; i < diagram.length; i++) {
    const point = diagram[i];
    const b = point?.[0];
    const d = point?.[1];
    if (typeof b !== 'number' || typeof d !== 'number' || !Number.isFinite(b) || Number.isNaN(d)) {
      throw new RangeError(`${name}[${i}] is not a [birth, death] pair of numbers`);
    }
    if (d < b) throw new RangeError(`${name}[${i}] dies (${d}) before it is born (${b})`);
    if (d === Infinity) essential.push(b);
    // Points on the diagonal cost nothing to match to it, so they change no distance.
    else if (d > b) finite.push(b, d);
  }
  return { finite: Float64Array.from(finite), essential: Float64Array.from(essential).sort() };
}

/**
 * A power of two that brings every coordinate of both diagrams into [-1, 1] (at worst [-2, 2]), or 1 if they already are. Distances
 * are homogeneous (d(sA, sB) = s d(A, B)), so computing on the scaled diagrams and scaling the answer back is the
 * same distance; without it a squared cost above about 1e154 overflows to Infinity and the assignment cannot
 * make progress. Dividing by a power of two is exact.
 */
function commonScale(a: Split, b: Split): number {
  let max = 0;
  for (const values of [a.finite, a.essential, b.finite, b.essential]) {
    for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
  }
  if (max <= 1) return 1;
  // 2^1024 is already Infinity; 2^1023 still brings the largest double below 2.
  return 2 ** Math.min(1023, Math.ceil(Math.log2(max)));
}

function rescale(s: Split, scale: number): Split {
  if (scale === 1) return s;
  return { finite: s.finite.map((x) => x / scale), essential: s.essential.map((x) => x / scale) };
}

/** Cost of the essential classes: sorted births matched in order is optimal for every q and for q = Infinity. */
function essentialCost(a: Float64Array, b: Float64Array, q: number): number {
  if (a.length !== b.length) return Infinity;
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    const gap = Math.abs(a[i]! - b[i]!);
    total = q === Infinity ? Math.max(total, gap) : total + gap ** q;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------------------
// Bottleneck

/**
 * Can every point be matched within radius r? Points whose half-persistence exceeds r cannot go to the diagonal,
 * so they must be matched across; the rest are free. By the Mendelsohn-Dulmage theorem a matching covering the
 * forced points on both sides exists iff one covers the forced points of A and another those of B, which avoids
 * the dense diagonal-to-diagonal block of the usual augmented graph.
 */
function feasible(a: Float64Array, b: Float64Array, r: number): boolean {
  return coversForced(a, b, r) && coversForced(b, a, r);
}

/** Hopcroft-Karp from the forced points of `from` into all points of `to`, with edges of L-inf length <= r. */
function coversForced(from: Float64Array, to: Float64Array, r: number): boolean {
  const nTo = to.length / 2;
  const left: number[] = [];
  for (let i = 0; i < from.length / 2; i++) {
    if ((from[2 * i + 1]! - from[2 * i]!) / 2 > r) left.push(i);
  }
  const nLeft = left.length;
  if (nLeft === 0) return true;
  if (nLeft > nTo) return false;
  // Adjacency in CSR form, built once per radius.
  const start = new Int32Array(nLeft + 1);
  const adj: number[] = [];
  for (let u = 0; u < nLeft; u++) {
    const i = left[u]!;
    const fb = from[2 * i]!;
    const fd = from[2 * i + 1]!;
    for (let j = 0; j < nTo; j++) {
      if (Math.abs(fb - to[2 * j]!) <= r && Math.abs(fd - to[2 * j + 1]!) <= r) adj.push(j);
    }
    if (adj.length === start[u]) return false; // an isolated forced point can never be covered
    start[u + 1] = adj.length;
  }
  const matchLeft = new Int32Array(nLeft).fill(-1);
  const matchRight = new Int32Array(nTo).fill(-1);
  const dist = new Int32Array(nLeft);
  const queue = new Int32Array(nLeft);
  let matched = 0;
  const INF = 0x3fffffff;
  const it = new Int32Array(nLeft);
  const stack = new Int32Array(nLeft);

  for (;;) {
    // BFS layers from free left vertices.
    let head = 0;
    let tail = 0;
    for (let u = 0; u < nLeft; u++) {
      if (matchLeft[u] === -1) {
        dist[u] = 0;
        queue[tail++] = u;
      } else dist[u] = INF;
    }
    let found = false;
    while (head < tail) {
      const u = queue[head++]!;
      for (let e = start[u]!; e < start[u + 1]!; e++) {
        const w = matchRight[adj[e]!]!;
        if (w === -1) found = true;
        else if (dist[w] === INF) {
          dist[w] = dist[u]! + 1;
          queue[tail++] = w;
        }
      }
    }
    if (!found) break;
    // Iterative DFS along the layers (recursion could overflow the stack on a few thousand points).
    for (let e = 0; e < nLeft; e++) it[e] = start[e]!;
    for (let root = 0; root < nLeft; root++) {
      if (matchLeft[root] !== -1) continue;
      let depth = 0;
      stack[0] = root;
      while (depth >= 0) {
        const u = stack[depth]!;
        let advanced = false;
        while (it[u]! < start[u + 1]!) {
          const v = adj[it[u]!]!;
          const w = matchRight[v]!;
          if (w === -1) {
            // Augment along the stack.
            for (let k = depth; k >= 0; k--) {
              const x = stack[k]!;
              const y = adj[it[x]!]!;
              matchLeft[x] = y;
              matchRight[y] = x;
            }
            matched++;
            depth = -1;
            advanced = true;
            break;
          }
          if (dist[w] === dist[u]! + 1) {
            stack[++depth] = w;
            advanced = true;
            break;
          }
          it[u]!++;
        }
        if (depth < 0) break;
        if (!advanced) {
          dist[u] = INF; // dead end: never try it again in this phase
          depth--;
          if (depth >= 0) it[stack[depth]!]!++;
        }
      }
    }
  }
  return matched === nLeft;
}

/** Calls `visit` with every distance the bottleneck can take: half-persistences and cross L-inf distances. */
function eachCandidate(a: Float64Array, b: Float64Array, visit: (c: number) => void): void {
  for (let i = 0; i < a.length; i += 2) visit((a[i + 1]! - a[i]!) / 2);
  for (let j = 0; j < b.length; j += 2) visit((b[j + 1]! - b[j]!) / 2);
  for (let i = 0; i < a.length; i += 2) {
    const ab = a[i]!;
    const ad = a[i + 1]!;
    for (let j = 0; j < b.length; j += 2) visit(Math.max(Math.abs(ab - b[j]!), Math.abs(ad - b[j + 1]!)));
  }
}

/**
 * Exact bottleneck distance of the finite parts: the answer is one of the candidate distances, so narrow an
 * interval (lo, hi] around it with random pivots until few candidates remain, then binary search those. This
 * never holds all n*m candidates in memory.
 */
function finiteBottleneck(a: Float64Array, b: Float64Array): number {
  if (a.length === 0 && b.length === 0) return 0;
  let lo = -Infinity; // infeasible (or below every candidate)
  let hi = 0; // feasible: everything to the diagonal
  for (let i = 0; i < a.length; i += 2) hi = Math.max(hi, (a[i + 1]! - a[i]!) / 2);
  for (let j = 0; j < b.length; j += 2) hi = Math.max(hi, (b[j + 1]! - b[j]!) / 2);
  const SMALL = 1 << 16;
  let seed = 0x9e3779b9;
  const random = () => {
    // xorshift32: deterministic, so the same input always takes the same path
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  for (;;) {
    let count = 0;
    eachCandidate(a, b, (c) => {
      if (c > lo && c < hi) count++;
    });
    if (count === 0) return hi;
    if (count <= SMALL) {
      const inside = new Float64Array(count);
      let k = 0;
      eachCandidate(a, b, (c) => {
        if (c > lo && c < hi) inside[k++] = c;
      });
      inside.sort();
      let l = 0;
      let h = count; // inside[h] stands for hi
      while (l < h) {
        const mid = (l + h) >>> 1;
        if (feasible(a, b, inside[mid]!)) h = mid;
        else l = mid + 1;
      }
      return h === count ? hi : inside[h]!;
    }
    const target = Math.floor(random() * count);
    let k = 0;
    let pivot = hi;
    eachCandidate(a, b, (c) => {
      if (c > lo && c < hi && k++ === target) pivot = c;
    });
    if (feasible(a, b, pivot)) hi = pivot;
    else lo = pivot;
  }
}

/** Bottleneck distance between two diagrams (L-infinity ground metric). */
export function bottleneck(a: Diagram, b: Diagram): number {
  const ra = split(a, 'a');
  const rb = split(b, 'b');
  const scale = commonScale(ra, rb);
  const sa = rescale(ra, scale);
  const sb = rescale(rb, scale);
  const ess = essentialCost(sa.essential, sb.essential, Infinity);
  if (ess === Infinity) return Infinity;
  return Math.max(ess, finiteBottleneck(sa.finite, sb.finite)) * scale;
}

// ---------------------------------------------------------------------------------------------------------
// Wasserstein

/**
 * Minimum-cost perfect assignment on a square cost matrix (row-major), by the Hungarian algorithm with
 * potentials (shortest augmenting paths), O(n^3). Returns the total cost.
 */
export function assignmentCost(cost: Float64Array, n: number): number {
  if (n === 0) return 0;
  // 1-based arrays with a virtual column 0, as in the classical formulation.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1); // p[j]: row matched to column j
  const way = new Int32Array(n + 1);
  const minv = new Float64Array(n + 1);
  const used = new Uint8Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      const row = (i0 - 1) * n;
      const ui0 = u[i0]!;
      let delta = Infinity;
      // Start from some unused column rather than none: if every reduced cost were infinite (or NaN), no
      // comparison below would pick a column and the path would never grow. With a column added to `used` on
      // each pass, a row takes at most n passes whatever the costs.
      let j1 = 0;
      for (let j = 1; j <= n && j1 === 0; j++) if (!used[j]) j1 = j;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[row + j - 1]! - ui0 - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  let total = 0;
  for (let j = 1; j <= n; j++) total += cost[(p[j]! - 1) * n + j - 1]!;
  return total;
}

/**
 * Sum of matched costs^q for the finite parts: the diagonal-augmented square matrix has rows A plus one
 * diagonal slot per point of B, and columns B plus one diagonal slot per point of A. A point may use any
 * diagonal slot (all slots are alike), and diagonal-to-diagonal costs nothing.
 */
function finiteWassersteinPower(a: Float64Array, b: Float64Array, q: number): number {
  const n = a.length / 2;
  const m = b.length / 2;
  const size = n + m;
  if (size === 0) return 0;
  const cost = new Float64Array(size * size);
  for (let i = 0; i < n; i++) {
    const ab = a[2 * i]!;
    const ad = a[2 * i + 1]!;
    const toDiagonal = ((ad - ab) / 2) ** q;
    const row = i * size;
    for (let j = 0; j < m; j++) {
      cost[row + j] = Math.max(Math.abs(ab - b[2 * j]!), Math.abs(ad - b[2 * j + 1]!)) ** q;
    }
    for (let j = m; j < size; j++) cost[row + j] = toDiagonal;
  }
  for (let i = n; i < size; i++) {
    const row = i * size;
    for (let j = 0; j < m; j++) cost[row + j] = ((b[2 * j + 1]! - b[2 * j]!) / 2) ** q;
    // the diagonal-to-diagonal block stays 0
  }
  return assignmentCost(cost, size);
}

/** q-Wasserstein distance between two diagrams (L-infinity ground metric), q >= 1. */
export function wasserstein(a: Diagram, b: Diagram, q = 1): number {
  if (!(q >= 1) || q === Infinity) throw new RangeError(`wasserstein: q must be a finite number >= 1, got ${q}`);
  const ra = split(a, 'a');
  const rb = split(b, 'b');
  const scale = commonScale(ra, rb);
  const sa = rescale(ra, scale);
  const sb = rescale(rb, scale);
  const ess = essentialCost(sa.essential, sb.essential, q);
  if (ess === Infinity) return Infinity;
  return (ess + finiteWassersteinPower(sa.finite, sb.finite, q)) ** (1 / q) * scale;
}

/**
 * The `keep` most persistent points of a diagram (essential ones first) and the half-persistences of the rest.
 * By the triangle inequality, replacing diagrams by their truncations moves W_q by at most the q-norm of the
 * dropped half-persistences of both, and the bottleneck by at most their maximum.
 */
export function truncate(diagram: Diagram, keep: number): { kept: Array<[number, number]>; dropped: number[] } {
  const persistence = (p: readonly [number, number]) => p[1] - p[0];
  const sorted = diagram
    .map((p) => [p[0], p[1]] as [number, number])
    .sort((x, y) => {
      const px = persistence(x);
      const py = persistence(y);
      if (px === py) return x[0] - y[0];
      return px < py ? 1 : -1;
    });
  return {
    kept: sorted.slice(0, keep),
    dropped: sorted.slice(keep).map(([b, d]) => (d - b) / 2),
  };
}
