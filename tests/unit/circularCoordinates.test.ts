import { describe, expect, test } from 'vitest';
import { circularCoordinates, solveLaplacian } from '../../src/lib/tda/circularCoordinates';
import { ripsPersistence } from '../../src/lib/tda/ripsCohomology';
import { gaussian, rng } from './analysisSamples';

const gap = (a: number, b: number) => {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return Math.min(d, 2 * Math.PI - d);
};

describe('circular coordinates', () => {
  test('a noisy circle maps to its angle, up to rotation and reflection', () => {
    const random = rng(8);
    const n = 150;
    const pts = new Float64Array(n * 3);
    const angle: number[] = [];
    for (let i = 0; i < n; i++) {
      // Jittered even spacing: the harmonic coordinate follows the sampling density, so keep it even.
      const t = (2 * Math.PI * (i + 0.8 * random())) / n;
      angle.push(t);
      pts[3 * i] = Math.cos(t) + 0.05 * gaussian(random);
      pts[3 * i + 1] = Math.sin(t) + 0.05 * gaussian(random);
      pts[3 * i + 2] = 0.05 * gaussian(random);
    }
    const ph = ripsPersistence({ kind: 'points', n, dim: 3, coords: pts }, { modulus: 47, cocycles: true });
    const h1 = ph.diagrams[1];
    let best = 0;
    h1.forEach(([b, d], i) => {
      if (d - b > h1[best][1] - h1[best][0]) best = i;
    });
    const cocycle = ph.cocycles![best];
    const scale = (cocycle.birth + Math.min(cocycle.death, ph.threshold)) / 2;
    const theta = circularCoordinates(pts, n, 3, cocycle, { modulus: 47, scale });
    // The harmonic representative moves at the local density's pace, not exactly with the angle: compare on average,
    // and check it is a degree +-1 map (no point is far off).
    let mean = Infinity;
    let worst = Infinity;
    for (const sign of [1, -1])
      for (let s = 0; s < 720; s++) {
        const rot = (s / 720) * 2 * Math.PI;
        const errs = angle.map((a, i) => gap(sign * theta[i] + rot, a));
        const m = errs.reduce((x, y) => x + y, 0) / n;
        if (m < mean) {
          mean = m;
          worst = Math.max(...errs);
        }
      }
    expect(mean).toBeLessThan(0.1);
    expect(worst).toBeLessThan(Math.PI / 4);
  });

  test('conjugate gradients solve a path Laplacian', () => {
    // Path 0-1-2-3; b sums to zero, so a solution exists up to a constant.
    const graph = { offsets: new Uint32Array([0, 1, 3, 5, 6]), neighbours: new Uint32Array([1, 0, 2, 1, 3, 2]) };
    const b = new Float64Array([-1, 0, 0, 1]);
    const { x } = solveLaplacian(graph, b, 100, 1e-12);
    expect(x[1] - x[0]).toBeCloseTo(1, 9);
    expect(x[2] - x[1]).toBeCloseTo(1, 9);
    expect(x[3] - x[2]).toBeCloseTo(1, 9);
  });
});
