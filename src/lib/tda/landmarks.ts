/**
 * Maxmin (farthest point) landmark selection, as in de Silva & Carlsson's witness complexes: each new landmark
 * is the point farthest from those already chosen, which spreads landmarks evenly over the data.
 */
export function maxminLandmarks(points: Float64Array, n: number, dim: number, count: number, seed = 0): Uint32Array {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`landmark count must be an integer >= 0, got ${count}`);
  if (points.length !== n * dim) throw new RangeError(`${n} points in dimension ${dim} need ${n * dim} coordinates`);
  const k = Math.min(count, n);
  const out = new Uint32Array(k);
  if (k === 0) return out;
  // The seed picks the first landmark; the rest follow deterministically.
  let first = 0;
  if (seed !== 0) {
    let s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ (seed >>> 13)) >>> 0;
    s = Math.imul(s ^ (s >>> 16), 0x7feb352d) >>> 0;
    first = s % n;
  }
  const nearest = new Float64Array(n).fill(Infinity);
  let current = first;
  for (let l = 0; l < k; l++) {
    out[l] = current;
    const oc = current * dim;
    let far = -1;
    let farDist = -1;
    for (let i = 0; i < n; i++) {
      const oi = i * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const d = points[oi + t] - points[oc + t];
        s += d * d;
      }
      if (s < nearest[i]) nearest[i] = s;
      if (nearest[i] > farDist) {
        farDist = nearest[i];
        far = i;
      }
    }
    current = far;
  }
  return out;
}
