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

/** Lower-triangular edge weights of the lazy witness complex on the given landmarks. */
export function lazyWitnessWeights(
  points: Float64Array,
  n: number,
  dim: number,
  landmarks: Uint32Array,
  nu: 0 | 1 | 2,
  signal?: AbortSignal,
): Float64Array {
  const L = landmarks.length;
  const weight = new Float64Array((L * (L - 1)) / 2).fill(Infinity);
  const row = new Float64Array(L);
  const order = new Uint32Array(L);
  for (let w = 0; w < n; w++) {
    if ((w & 1023) === 0 && signal?.aborted) {
      const e = new Error('witness computation aborted');
      e.name = 'AbortError';
      throw e;
    }
    const ow = w * dim;
    for (let a = 0; a < L; a++) {
      const ol = landmarks[a] * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const d = points[ow + t] - points[ol + t];
        s += d * d;
      }
      row[a] = Math.sqrt(s);
      order[a] = a;
    }
    // Visit landmarks by distance, so each pair's max(d(w,a), d(w,b)) is the later one's distance.
    order.sort((x, y) => row[x] - row[y]);
    const m = nu === 0 ? 0 : row[order[Math.min(nu, L) - 1]];
    for (let s = 1; s < L; s++) {
      const a = order[s];
      const r = Math.max(0, row[a] - m);
      const base = (a * (a - 1)) / 2;
      for (let t = 0; t < s; t++) {
        const b = order[t];
        const u = b < a ? base + b : (b * (b - 1)) / 2 + a;
        if (r < weight[u]) weight[u] = r;
      }
    }
  }
  return weight;
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
  const dist = lazyWitnessWeights(points, n, dim, landmarks, nu, options.signal);
  const result = ripsPersistence({ kind: 'lower', n: landmarks.length, dist }, options);
  return { ...result, landmarks };
}
