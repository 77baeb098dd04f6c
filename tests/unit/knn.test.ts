import { describe, expect, test } from 'vitest';
import { bruteForceKnn, buildKdTree, knn, kthNeighbourDistance, kthNeighbourDistanceRows } from '../../src/lib/tda/knn';
import { codensity, densityCore, densityCoreSearch } from '../../src/lib/tda/codensity';
import { gaussian, rng } from './analysisSamples';

function cloud(n: number, dim: number, seed: number): Float64Array {
  const random = rng(seed);
  const p = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const t = 2 * Math.PI * random();
    for (let d = 0; d < dim; d++) p[i * dim + d] = 0.2 * gaussian(random);
    p[i * dim] += Math.cos(t);
    p[i * dim + 1] += Math.sin(t);
  }
  return p;
}

describe('exact k nearest neighbours', () => {
  test.each([
    [800, 8, 1],
    [800, 8, 25],
    [600, 9, 40],
    [500, 3, 7],
    [300, 2, 299],
  ])('k-d tree matches brute force: n=%i dim=%i k=%i', (n, dim, k) => {
    const p = cloud(n, dim, n + dim + k);
    const tree = knn(p, n, dim, k);
    const brute = bruteForceKnn(p, n, dim, k);
    expect(Array.from(tree.distances)).toEqual(Array.from(brute.distances));
    // Indices agree wherever distances are not tied.
    let differ = 0;
    for (let i = 0; i < tree.indices.length; i++) if (tree.indices[i] !== brute.indices[i]) differ++;
    expect(differ).toBe(0);
    const kth = kthNeighbourDistance(p, n, dim, k);
    for (let i = 0; i < n; i++) expect(kth[i]).toBe(brute.distances[i * k + k - 1]);
  });

  test('duplicate points and a point never counted as its own neighbour', () => {
    const p = new Float64Array([0, 0, 0, 0, 0, 0, 1, 0, 5, 5]);
    const r = knn(p, 5, 2, 2);
    expect(Array.from(r.distances.subarray(0, 2))).toEqual([0, 0]);
    expect(Array.from(r.indices.subarray(0, 2)).sort()).toEqual([1, 2]);
    expect(r.distances[3 * 2]).toBe(1);
  });

  test.each([
    [700, 8, 30, 3, 16],
    [500, 3, 12, 2, 8],
    [400, 2, 40, 5, 64],
    [600, 8, 50, 1, 4],
    [300, 3, 20, 0, 16],
  ])(
    'tie-heavy clouds (n=%i dim=%i k=%i, integer coordinates 0..%i, leaves of %i): the brute force answers',
    (n, dim, k, top, leaf) => {
      // Integer coordinates: many equal distances, repeated points, neighbours exactly at a leaf's reach.
      const random = rng(n * dim + k);
      const p = Float64Array.from({ length: n * dim }, () => Math.floor(random() * (top + 1)));
      const brute = bruteForceKnn(p, n, dim, k);
      const tree = knn(p, n, dim, k);
      expect(Array.from(tree.distances)).toEqual(Array.from(brute.distances));
      // Which of several points tied at the k-th distance a row lists is the search's choice; below it, the same.
      const all = bruteForceKnn(p, n, dim, Math.min(n - 1, k + 1));
      const K = all.k;
      for (let i = 0; i < n; i++) {
        const kth = brute.distances[i * k + k - 1];
        const strictly = (r: { indices: Uint32Array; distances: Float64Array }) =>
          Array.from(r.indices.subarray(i * k, i * k + k)).filter((_, j) => r.distances[i * k + j] < kth);
        expect(strictly(tree)).toEqual(strictly(brute));
        if (K === k || all.distances[i * K + k] > kth)
          expect([...tree.indices.subarray(i * k, i * k + k)].sort()).toEqual(
            [...brute.indices.subarray(i * k, i * k + k)].sort(),
          );
      }
      // The bounded search on a tree with small leaves: exact within the radius, Infinity beyond it.
      const t = buildKdTree(p, n, dim, leaf);
      for (const radius of [0, 1, Math.SQRT2, 2, 3]) {
        const rows = kthNeighbourDistanceRows(t, k, radius, 0, n);
        for (let i = 0; i < n; i++) {
          const want = brute.distances[t.perm[i] * k + k - 1];
          expect(rows[i]).toBe(want <= radius ? want : Infinity);
        }
      }
    },
  );

  test('bad k is refused', () => {
    const p = cloud(10, 3, 1);
    expect(() => knn(p, 10, 3, 10)).toThrow(/k must be/);
    expect(() => knn(p, 10, 3, 0)).toThrow(/k must be/);
  });
});

describe('density core', () => {
  test('keeps the p% of points with the smallest codensity', () => {
    const n = 1000;
    const p = cloud(n, 8, 3);
    const rho = codensity(p, n, 8, 15);
    const core = densityCore(rho, 30);
    expect(core.length).toBe(300);
    const sorted = Array.from(rho).sort((a, b) => a - b);
    expect(Math.max(...Array.from(core, (i) => rho[i]))).toBe(sorted[299]);
    expect(new Set(core).size).toBe(300);
  });

  test('refuses p outside (0, 100]', () => {
    expect(() => densityCore(new Float64Array(3), 0)).toThrow(RangeError);
    expect(() => densityCore(new Float64Array(3), 101)).toThrow(RangeError);
  });
});

describe('density core search', () => {
  test.each([
    [6000, 30],
    [5000, 10],
    [3000, 30],
  ])('equals the core of the full codensity: n=%i p=%i', (n, p) => {
    const pts = cloud(n, 8, n + p);
    // A sparse halo, so most points fall outside the search radius.
    const random = rng(1);
    for (let i = 0; i < n; i += 4) for (let d = 0; d < 8; d++) pts[i * 8 + d] += gaussian(random);
    const full = codensity(pts, n, 8, 40);
    const search = densityCoreSearch(pts, n, 8, 40, p);
    expect(Array.from(search.core)).toEqual(Array.from(densityCore(full, p)));
    for (const i of search.core) expect(search.rho[i]).toBe(full[i]);
    for (let i = 0; i < n; i++) if (Number.isFinite(search.rho[i])) expect(search.rho[i]).toBe(full[i]);
    if (n > 4000) expect(search.radius).toBeLessThan(Infinity);
  });
});
