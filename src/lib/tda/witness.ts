/**
 * The lazy witness complex (de Silva & Carlsson 2004, used on natural image patches by Carlsson et al. 2008):
 * a flag complex on a few maxmin landmarks, where an edge ab enters at the smallest R such that some data point
 * w has max(d(w,a), d(w,b)) <= R + m_nu(w), m_nu(w) being w's distance to its nu-th nearest landmark (0 for
 * nu = 0). Its persistence is computed by the Rips engine on the landmarks' edge weights.
 */
import { maxminLandmarks } from './landmarks';
import { ripsPersistence, type PersistenceResult, type RipsOptions } from './ripsCohomology';

export { maxminLandmarks };

export interface WitnessOptions extends RipsOptions {
  landmarks: number;
  nu?: 0 | 1 | 2;
  seed?: number;
}

/**
 * Fills r[a] = max(0, d(w, a) - m_nu(w)) for one witness. Since max(0, x - m) is monotone, the edge weight is
 * min over witnesses of max(r[a], r[b]), which needs no per-witness sort of the landmarks.
 */
function shiftedDistances(
  points: Float64Array,
  w: number,
  dim: number,
  lc: Float64Array,
  L: number,
  nu: 0 | 1 | 2,
  r: Float64Array,
): void {
  const ow = w * dim;
  let first = Infinity;
  let second = Infinity;
  const w0 = points[ow],
    w1 = points[ow + 1],
    w2 = points[ow + 2],
    w3 = points[ow + 3],
    w4 = points[ow + 4],
    w5 = points[ow + 5],
    w6 = points[ow + 6],
    w7 = points[ow + 7];
  for (let a = 0; a < L; a++) {
    const ol = a * dim;
    let s = 0;
    if (dim === 8) {
      // DCT coordinates: unrolled; the same sum, term by term in the same order, as the loop.
      const d0 = w0 - lc[ol];
      const d1 = w1 - lc[ol + 1];
      const d2 = w2 - lc[ol + 2];
      const d3 = w3 - lc[ol + 3];
      const d4 = w4 - lc[ol + 4];
      const d5 = w5 - lc[ol + 5];
      const d6 = w6 - lc[ol + 6];
      const d7 = w7 - lc[ol + 7];
      s = d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4 + d5 * d5 + d6 * d6 + d7 * d7;
    } else
      for (let t = 0; t < dim; t++) {
        const d = points[ow + t] - lc[ol + t];
        s += d * d;
      }
    const d = Math.sqrt(s);
    r[a] = d;
    if (d < first) {
      second = first;
      first = d;
    } else if (d < second) second = d;
  }
  const m = nu === 0 ? 0 : nu === 1 || L < 2 ? first : second;
  for (let a = 0; a < L; a++) r[a] = r[a] > m ? r[a] - m : 0;
}

function landmarkCoords(points: Float64Array, dim: number, landmarks: Uint32Array): Float64Array {
  const lc = new Float64Array(landmarks.length * dim);
  landmarks.forEach((p, i) => lc.set(points.subarray(p * dim, p * dim + dim), i * dim));
  return lc;
}

function checkAbort(w: number, signal: AbortSignal | undefined): void {
  if ((w & 1023) === 0 && signal?.aborted) {
    const e = new Error('witness computation aborted');
    e.name = 'AbortError';
    throw e;
  }
}

/**
 * Lower-triangular edge weights of the lazy witness complex on the given landmarks. Weights above `cutoff` are
 * left at Infinity: a witness then only touches the pairs of landmarks it sees within the cutoff, which is most
 * of the saving when the cutoff is the Rips threshold. Weights at most `cutoff` are exact.
 */
export function lazyWitnessWeights(
  points: Float64Array,
  n: number,
  dim: number,
  landmarks: Uint32Array,
  nu: 0 | 1 | 2,
  signal?: AbortSignal,
  cutoff = Infinity,
): Float64Array {
  const L = landmarks.length;
  const weight = new Float64Array((L * (L - 1)) / 2).fill(Infinity);
  const lc = landmarkCoords(points, dim, landmarks);
  const r = new Float64Array(L);
  const near = new Uint32Array(L);
  if (L <= SQUARE_MAX) return squareWeights(points, n, dim, lc, L, nu, signal, cutoff, weight);
  for (let w = 0; w < n; w++) {
    checkAbort(w, signal);
    shiftedDistances(points, w, dim, lc, L, nu, r);
    let count = 0;
    for (let a = 0; a < L; a++) if (r[a] <= cutoff) near[count++] = a;
    // near[] ascends, so each row of the triangle is written left to right.
    for (let i = 1; i < count; i++) {
      const a = near[i];
      const ra = r[a];
      const base = (a * (a - 1)) / 2;
      for (let j = 0; j < i; j++) {
        const b = near[j];
        const v = ra > r[b] ? ra : r[b];
        if (v < weight[base + b]) weight[base + b] = v;
      }
    }
  }
  return weight;
}

/** Up to this many landmarks the weights take a square L x L scratch matrix (8 MB at most). */
const SQUARE_MAX = 1024;

/**
 * lazyWitnessWeights with each witness's landmarks sorted by shifted distance: the pair of the i-th and an earlier
 * one then weighs the i-th's distance, max(r[a], r[b]) without comparing, and goes to the i-th's row of a square
 * matrix (so no index arithmetic of the triangle). Each pair's value lands in one of its two cells; their minimum
 * is the same minimum over witnesses of the same values, so the weights are identical.
 */
function squareWeights(
  points: Float64Array,
  n: number,
  dim: number,
  lc: Float64Array,
  L: number,
  nu: 0 | 1 | 2,
  signal: AbortSignal | undefined,
  cutoff: number,
  weight: Float64Array,
): Float64Array {
  const square = new Float64Array(L * L).fill(Infinity);
  const r = new Float64Array(L);
  const near = new Uint32Array(L);
  const key = new Float64Array(L);
  for (let w = 0; w < n; w++) {
    checkAbort(w, signal);
    shiftedDistances(points, w, dim, lc, L, nu, r);
    let count = 0;
    for (let a = 0; a < L; a++)
      if (r[a] <= cutoff) {
        near[count] = a;
        key[count++] = r[a];
      }
    sortPairs(key, near, 0, count - 1);
    for (let i = 1; i < count; i++) {
      const ra = key[i];
      const row = near[i] * L;
      for (let j = 0; j < i; j++) {
        const c = row + near[j];
        if (ra < square[c]) square[c] = ra;
      }
    }
  }
  for (let a = 1; a < L; a++) {
    const base = (a * (a - 1)) / 2;
    for (let b = 0; b < a; b++) {
      const x = square[a * L + b];
      const y = square[b * L + a];
      weight[base + b] = x < y ? x : y;
    }
  }
  return weight;
}

/** Sorts key[lo..hi] ascending, moving idx alongside (quicksort, insertion sort on short runs). */
function sortPairs(key: Float64Array, idx: Uint32Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const pivot = key[(lo + hi) >> 1];
    let a = lo;
    let b = hi;
    while (a <= b) {
      while (key[a] < pivot) a++;
      while (key[b] > pivot) b--;
      if (a <= b) {
        const tk = key[a];
        key[a] = key[b];
        key[b] = tk;
        const ti = idx[a];
        idx[a] = idx[b];
        idx[b] = ti;
        a++;
        b--;
      }
    }
    // Recurse into the shorter side, loop on the longer: the stack stays logarithmic.
    if (b - lo < hi - a) {
      sortPairs(key, idx, lo, b);
      lo = a;
    } else {
      sortPairs(key, idx, a, hi);
      hi = b;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const k = key[i];
    const x = idx[i];
    let j = i - 1;
    while (j >= lo && key[j] > k) {
      key[j + 1] = key[j];
      idx[j + 1] = idx[j];
      j--;
    }
    key[j + 1] = k;
    idx[j + 1] = x;
  }
}

/**
 * An upper bound on the enclosing radius (min over landmarks of the largest weight in its row) from a few
 * complete rows, computed exactly in O(witnesses x landmarks x rows). Rips homology above the enclosing radius is
 * that of a cone, so weights beyond this bound never change the persistence the engine computes.
 */
export function enclosingRadiusBound(
  points: Float64Array,
  n: number,
  dim: number,
  landmarks: Uint32Array,
  nu: 0 | 1 | 2,
  rows = 8,
  signal?: AbortSignal,
): number {
  const L = landmarks.length;
  if (L < 2) return Infinity;
  // The first maxmin landmarks lie far apart, so their rows differ as much as any.
  const R = Math.min(rows, L);
  const lc = landmarkCoords(points, dim, landmarks);
  const r = new Float64Array(L);
  const row = new Float64Array(R * L).fill(Infinity);
  for (let w = 0; w < n; w++) {
    checkAbort(w, signal);
    shiftedDistances(points, w, dim, lc, L, nu, r);
    for (let c = 0; c < R; c++) {
      const rc = r[c];
      const o = c * L;
      for (let b = 0; b < L; b++) {
        const v = rc > r[b] ? rc : r[b];
        if (v < row[o + b]) row[o + b] = v;
      }
    }
  }
  let bound = Infinity;
  for (let c = 0; c < R; c++) {
    let max = 0;
    for (let b = 0; b < L; b++) if (b !== c && row[c * L + b] > max) max = row[c * L + b];
    if (max < bound) bound = max;
  }
  return bound;
}

export function lazyWitnessPersistence(
  points: Float64Array,
  n: number,
  dim: number,
  options: WitnessOptions,
): PersistenceResult & { landmarks: Uint32Array } {
  const nu = options.nu ?? 1;
  if (nu !== 0 && nu !== 1 && nu !== 2) throw new RangeError(`nu must be 0, 1 or 2, got ${nu}`);
  if (!Number.isInteger(options.landmarks) || options.landmarks < 1)
    throw new RangeError(`landmarks must be an integer >= 1, got ${options.landmarks}`);
  for (let t = 0; t < points.length; t++)
    if (!Number.isFinite(points[t]))
      throw new RangeError(`coordinate ${t % dim} of point ${Math.floor(t / dim)} is not finite`);
  const landmarks = maxminLandmarks(points, n, dim, options.landmarks, options.seed);
  options.onProgress?.({ phase: 'witness', dim: 0, done: 0, total: n });
  // The engine keeps edges up to the given threshold, or else up to the enclosing radius, which the complete rows
  // behind the bound still determine exactly. The slack keeps every weight that rounds (to float32, as the engine
  // stores them) to the threshold itself.
  const limit = options.threshold ?? enclosingRadiusBound(points, n, dim, landmarks, nu, 8, options.signal);
  const dist = lazyWitnessWeights(points, n, dim, landmarks, nu, options.signal, limit * (1 + 1e-6));
  const result = ripsPersistence({ kind: 'lower', n: landmarks.length, dist }, options);
  return { ...result, landmarks };
}
