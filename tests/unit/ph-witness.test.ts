import { describe, expect, test } from 'vitest';
import {
  enclosingRadiusBound,
  lazyWitnessPersistence,
  lazyWitnessWeights,
  maxminLandmarks,
} from '../../src/lib/tda/witness';
import { ripsPersistence } from '../../src/lib/tda/ripsCohomology';
import { longBars, random } from './ph-support';

/** A noisy circle of radius 1 in R^2. */
function circle(n: number, seed: number): Float64Array {
  const r = random(seed);
  const p = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const t = 2 * Math.PI * r();
    const rad = 1 + 0.05 * (r() - 0.5);
    p[2 * i] = rad * Math.cos(t);
    p[2 * i + 1] = rad * Math.sin(t);
  }
  return p;
}

describe('maxmin landmarks', () => {
  test('each landmark is the point farthest from those before it', () => {
    const pts = new Float64Array([0, 0, 10, 0, 1, 0, 5, 0, 9, 0]);
    expect(Array.from(maxminLandmarks(pts, 5, 2, 3))).toEqual([0, 1, 3]);
    expect(maxminLandmarks(pts, 5, 2, 9)).toHaveLength(5);
    const seeded = maxminLandmarks(pts, 5, 2, 5, 42);
    expect(new Set(seeded).size).toBe(5);
  });

  test('landmarks spread over the data', () => {
    const pts = circle(2000, 1);
    const l = maxminLandmarks(pts, 2000, 2, 40);
    // Every data point is within a small distance of some landmark.
    let worst = 0;
    for (let i = 0; i < 2000; i++) {
      let best = Infinity;
      for (const a of l) best = Math.min(best, Math.hypot(pts[2 * i] - pts[2 * a], pts[2 * i + 1] - pts[2 * a + 1]));
      worst = Math.max(worst, best);
    }
    expect(worst).toBeLessThan(0.2);
  });
});

describe('lazy witness complex', () => {
  test('edge weights by hand: nu = 0 is min over witnesses of the larger distance', () => {
    // Landmarks 0 and 1 at x = 0 and x = 4, a witness at x = 1.
    const pts = new Float64Array([0, 4, 1]);
    expect(Array.from(lazyWitnessWeights(pts, 3, 1, new Uint32Array([0, 1]), 0))).toEqual([3]);
    // nu = 1 subtracts each witness's distance to its nearest landmark: 3 - 1 at the witness, 4 - 0 at the ends.
    expect(Array.from(lazyWitnessWeights(pts, 3, 1, new Uint32Array([0, 1]), 1))).toEqual([2]);
  });

  test('a circle of 3000 points seen through 50 landmarks has one long H1 bar', () => {
    const pts = circle(3000, 2);
    for (const nu of [0, 1, 2] as const) {
      const r = lazyWitnessPersistence(pts, 3000, 2, { landmarks: 50, nu, maxDim: 1 });
      expect(r.landmarks).toHaveLength(50);
      expect(longBars(r.diagrams, 0.5)).toEqual([1, 1]);
    }
  });

  test('weights by brute force, and a cutoff leaves exactly the weights above it at Infinity', () => {
    const n = 400;
    const dim = 3;
    const r = random(7);
    const pts = Float64Array.from({ length: n * dim }, () => r() * 2 - 1);
    const l = maxminLandmarks(pts, n, dim, 25);
    const dist = (w: number, a: number) =>
      Math.hypot(...Array.from({ length: dim }, (_, t) => pts[w * dim + t] - pts[l[a] * dim + t]));
    for (const nu of [0, 1, 2] as const) {
      const full = lazyWitnessWeights(pts, n, dim, l, nu);
      for (const [a, b] of [
        [1, 0],
        [24, 3],
        [17, 16],
      ]) {
        let best = Infinity;
        for (let w = 0; w < n; w++) {
          const ds = Array.from(l, (_, c) => dist(w, c)).sort((x, y) => x - y);
          const m = nu === 0 ? 0 : ds[nu - 1];
          best = Math.min(best, Math.max(0, Math.max(dist(w, a), dist(w, b)) - m));
        }
        expect(full[(a * (a - 1)) / 2 + b]).toBeCloseTo(best, 12);
      }
      const cutoff = 0.6;
      const cut = lazyWitnessWeights(pts, n, dim, l, nu, undefined, cutoff);
      full.forEach((x, u) => expect(cut[u]).toBe(x <= cutoff ? x : Infinity));
    }
  });

  test.each([
    [3, true],
    [8, true],
    [8, false],
  ])('every weight equals the definition exactly in R^%i (integer coordinates: %s)', (dim, integer) => {
    const n = 300;
    const r = random(11 + dim);
    // Integer coordinates: many ties and repeated points. Real ones: the sums' rounding, so the terms' order.
    const pts = Float64Array.from({ length: n * dim }, () => (integer ? Math.floor(r() * 5) : r() * 2 - 1));
    const l = maxminLandmarks(pts, n, dim, 40);
    // Each witness's shifted distances, summed and rooted as the library does, then min over witnesses of the max.
    const shifted = (w: number, nu: 0 | 1 | 2) => {
      const d = Array.from(l, (p) => {
        let s = 0;
        for (let t = 0; t < dim; t++) s += (pts[w * dim + t] - pts[p * dim + t]) ** 2;
        return Math.sqrt(s);
      });
      const sorted = [...d].sort((x, y) => x - y);
      const m = nu === 0 ? 0 : sorted[nu - 1];
      return d.map((x) => (x > m ? x - m : 0));
    };
    for (const nu of [0, 1, 2] as const) {
      const want = new Float64Array((l.length * (l.length - 1)) / 2).fill(Infinity);
      for (let w = 0; w < n; w++) {
        const s = shifted(w, nu);
        for (let a = 1; a < l.length; a++)
          for (let b = 0; b < a; b++)
            want[(a * (a - 1)) / 2 + b] = Math.min(want[(a * (a - 1)) / 2 + b], Math.max(s[a], s[b]));
      }
      expect(Array.from(lazyWitnessWeights(pts, n, dim, l, nu))).toEqual(Array.from(want));
      const cut = lazyWitnessWeights(pts, n, dim, l, nu, undefined, 1);
      expect(Array.from(cut)).toEqual(Array.from(want, (x) => (x <= 1 ? x : Infinity)));
    }
  });

  test('the enclosing radius bound bounds it, and cutting there leaves the persistence unchanged', () => {
    const pts = circle(3000, 5);
    for (const nu of [0, 1, 2] as const) {
      const l = maxminLandmarks(pts, 3000, 2, 60);
      const full = lazyWitnessWeights(pts, 3000, 2, l, nu);
      const reference = ripsPersistence({ kind: 'lower', n: 60, dist: full }, { maxDim: 1 });
      expect(enclosingRadiusBound(pts, 3000, 2, l, nu)).toBeGreaterThanOrEqual(reference.threshold);
      const witness = lazyWitnessPersistence(pts, 3000, 2, { landmarks: 60, nu, maxDim: 1 });
      expect(witness.threshold).toBe(reference.threshold);
      expect(witness.diagrams).toEqual(reference.diagrams);
    }
  });

  test('bad parameters are refused', () => {
    const pts = circle(10, 3);
    expect(() => lazyWitnessPersistence(pts, 10, 2, { landmarks: 0 })).toThrow(/landmarks/);
    expect(() => lazyWitnessPersistence(pts, 10, 2, { landmarks: 3, nu: 3 as 1 })).toThrow(/nu/);
    expect(() => lazyWitnessPersistence(pts, 10, 3, { landmarks: 3 })).toThrow(/coordinates/);
  });
});
