import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  IndexOverflowError,
  PersistenceTooLargeError,
  estimateRipsBytes,
  ripsPersistence,
  type Cocycle,
} from '../../src/lib/tda/ripsCohomology';
import type { Metric } from '../../src/lib/tda/metric';
import { parseRipserInput } from '../../src/lib/tda/ripserFormats';
import { EXAMPLES, expectSameBarcodes, longBars, random, ripser } from './ph-support';

function cloud(n: number, dim: number, seed: number): Metric & { kind: 'points' } {
  const r = random(seed);
  const coords = new Float64Array(n * dim);
  for (let t = 0; t < coords.length; t++) coords[t] = r() * 2 - 1;
  return { kind: 'points', n, dim, coords };
}

function toText(m: Metric & { kind: 'points' }): string {
  const lines: string[] = [];
  for (let i = 0; i < m.n; i++) lines.push(Array.from(m.coords.subarray(i * m.dim, (i + 1) * m.dim)).join(' '));
  return lines.join('\n') + '\n';
}

/** A distance matrix from a function of two indices. */
function lower(n: number, d: (i: number, j: number) => number): Metric {
  const dist = new Float64Array((n * (n - 1)) / 2);
  let u = 0;
  for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) dist[u++] = d(i, j);
  return { kind: 'lower', n, dist };
}

/** A k x k grid on the flat torus or the flat Klein bottle (glide reflection (x, y) -> (x + 1, -y)). */
function flatSurface(k: number, klein: boolean): Metric {
  const pts: Array<[number, number]> = [];
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) pts.push([a / k, b / k]);
  return lower(pts.length, (i, j) => {
    const [x1, y1] = pts[i];
    const [x2, y2] = pts[j];
    let best = Infinity;
    for (let s = -1; s <= 1; s++)
      for (let m = -1; m <= 2; m++) {
        const y = klein && s !== 0 ? -y2 + m : y2 + m;
        best = Math.min(best, Math.hypot(x1 - (x2 + s), y1 - y));
      }
    return best;
  });
}

describe('Rips barcodes equal Debian ripser', () => {
  test.each([
    [40, 3, 2, 1],
    [60, 2, 1, 2],
    [30, 5, 2, 3],
  ])('random cloud of %i points in R^%i, H0-H%i (seed %i), dense and with a threshold', (n, dim, maxDim, seed) => {
    const m = cloud(n, dim, seed);
    const text = toText(m);
    const theirs = ripser(['--format', 'point-cloud', '--dim', String(maxDim)], text);
    expectSameBarcodes(ripsPersistence(m, { maxDim }).diagrams, theirs);
    const t = 0.9;
    const sparse = ripser(['--format', 'point-cloud', '--dim', String(maxDim), '--threshold', String(t)], text);
    expectSameBarcodes(ripsPersistence(m, { maxDim, threshold: t }).diagrams, sparse);
  });

  test.each([
    ['projective_plane.lower_distance_matrix', 2, undefined],
    ['random16.lower_distance_matrix', 2, undefined],
    ['random16.lower_distance_matrix', 2, 60],
    ['sphere_3_192.lower_distance_matrix', 1, undefined],
  ])('%s, H0-H%i, threshold %s', (file, maxDim, threshold) => {
    const text = readFileSync(EXAMPLES + file, 'utf8');
    const args = ['--format', 'lower-distance', '--dim', String(maxDim), EXAMPLES + file];
    if (threshold !== undefined) args.push('--threshold', String(threshold));
    const metric = parseRipserInput(text, 'lower-distance');
    expectSameBarcodes(ripsPersistence(metric, { maxDim, threshold }).diagrams, ripser(args));
  });

  test('o3_1024 point cloud, H0-H1 under threshold 1.2', () => {
    const metric = parseRipserInput(readFileSync(EXAMPLES + 'o3_1024.txt', 'utf8'), 'point-cloud');
    const args = ['--format', 'point-cloud', '--dim', '1', '--threshold', '1.2', EXAMPLES + 'o3_1024.txt'];
    expectSameBarcodes(ripsPersistence(metric, { maxDim: 1, threshold: 1.2 }).diagrams, ripser(args));
  });
});

describe('known shapes', () => {
  test('a circle has one long H1 bar, and its cocycle is a cocycle that winds once', () => {
    const n = 40;
    const coords = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      coords[2 * i] = Math.cos((2 * Math.PI * i) / n);
      coords[2 * i + 1] = Math.sin((2 * Math.PI * i) / n);
    }
    const metric: Metric = { kind: 'points', n, dim: 2, coords };
    for (const modulus of [2, 3, 5]) {
      const r = ripsPersistence(metric, { maxDim: 1, cocycles: true, modulus });
      expect(longBars(r.diagrams, 0.5)).toEqual([1, 1]);
      expect(r.diagrams[0].filter(([, d]) => d === Infinity)).toHaveLength(1);
      expect(r.cocycles).toHaveLength(r.diagrams[1].length);
      const i = r.diagrams[1].findIndex(([b, d]) => d - b > 0.5);
      const c = r.cocycles![i];
      expect([c.birth, c.death]).toEqual(r.diagrams[1][i]);
      expectCocycle(c, metric, modulus);
      // Summed around the circle (edges i -> i+1, oriented), the cocycle is non-zero.
      let winding = 0;
      for (let t = 0; t < c.coefficients.length; t++) {
        const [a, b] = [c.edges[2 * t], c.edges[2 * t + 1]];
        if (b === a + 1) winding += c.coefficients[t];
        if (a === 0 && b === n - 1) winding -= c.coefficients[t];
      }
      expect(((winding % modulus) + modulus) % modulus).not.toBe(0);
    }
  });

  test('a torus has two long H1 bars and one long H2 bar', () => {
    const r = ripsPersistence(flatSurface(9, false), { maxDim: 2 });
    expect(longBars(r.diagrams, 0.15)).toEqual([1, 2, 1]);
  });

  test('the Klein bottle has Betti numbers (1,2,1) over Z/2 and (1,1,0) over Z/3', () => {
    const m = flatSurface(9, true);
    expect(longBars(ripsPersistence(m, { maxDim: 2, modulus: 2 }).diagrams, 0.15)).toEqual([1, 2, 1]);
    expect(longBars(ripsPersistence(m, { maxDim: 2, modulus: 3 }).diagrams, 0.15)).toEqual([1, 1, 0]);
  });

  test('the real projective plane: H1 and H2 over Z/2, nothing over Z/3', () => {
    const text = readFileSync(EXAMPLES + 'projective_plane.lower_distance_matrix', 'utf8');
    const m = parseRipserInput(text, 'lower-distance');
    expect(ripsPersistence(m, { maxDim: 2, modulus: 2 }).diagrams.slice(1)).toEqual([[[1, 2]], [[1, 2]]]);
    expect(ripsPersistence(m, { maxDim: 2, modulus: 3 }).diagrams.slice(1)).toEqual([[], []]);
  });

  test('empty and one-point clouds', () => {
    const empty = ripsPersistence({ kind: 'points', n: 0, dim: 3, coords: new Float64Array(0) }, { maxDim: 2 });
    expect(empty.diagrams).toEqual([[], [], []]);
    const one = ripsPersistence({ kind: 'points', n: 1, dim: 2, coords: new Float64Array([1, 2]) }, { maxDim: 1 });
    expect(one.diagrams).toEqual([[[0, Infinity]], []]);
  });

  test('a sparse edge list: a square with one diagonal missing', () => {
    const m: Metric = {
      kind: 'sparse',
      n: 4,
      i: new Uint32Array([0, 1, 2, 3, 0]),
      j: new Uint32Array([1, 2, 3, 0, 2]),
      dist: new Float64Array([1, 1, 1, 1, 3]),
    };
    expect(ripsPersistence(m, { maxDim: 1 }).diagrams[1]).toEqual([[1, 3]]);
  });
});

/** Every triangle born before the death has a zero coboundary, mod p. */
function expectCocycle(c: Cocycle, metric: Metric & { kind: 'points' }, p: number): void {
  const value = new Map<number, number>();
  const n = metric.n;
  for (let t = 0; t < c.coefficients.length; t++) {
    const [a, b] = [c.edges[2 * t], c.edges[2 * t + 1]];
    expect(a).toBeLessThan(b);
    value.set(a * n + b, c.coefficients[t]);
  }
  const d = (i: number, j: number) =>
    Math.hypot(metric.coords[2 * i] - metric.coords[2 * j], metric.coords[2 * i + 1] - metric.coords[2 * j + 1]);
  const v = (i: number, j: number) => value.get(i * n + j) ?? 0;
  let checked = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      for (let k = j + 1; k < n; k++) {
        if (Math.max(d(i, j), d(i, k), d(j, k)) >= c.death - 1e-6) continue;
        checked++;
        expect((((v(j, k) - v(i, k) + v(i, j)) % p) + p) % p).toBe(0);
      }
  expect(checked).toBeGreaterThan(0);
}

/**
 * Textbook persistence as the reference: every simplex of the flag complex up to dimension maxDim + 1 under the
 * threshold, sorted by diameter and then dimension, and the boundary matrix reduced column by column over Z/p.
 * Returns the bars of positive length per dimension, sorted, so pairings chosen among ties do not matter.
 */
function referenceBarcodes(
  n: number,
  d: (i: number, j: number) => number,
  maxDim: number,
  threshold: number,
  p: number,
) {
  const simplices: Array<{ v: number[]; diam: number }> = [];
  const grow = (v: number[], diam: number) => {
    simplices.push({ v, diam });
    if (v.length > maxDim + 1) return;
    for (let w = v[v.length - 1] + 1; w < n; w++) {
      const nd = Math.max(diam, ...v.map((u) => d(w, u)));
      if (nd <= threshold) grow([...v, w], nd);
    }
  };
  for (let i = 0; i < n; i++) grow([i], 0);
  simplices.sort((a, b) => a.diam - b.diam || a.v.length - b.v.length);
  const position = new Map(simplices.map((s, k) => [s.v.join(','), k]));
  const inverse = (a: number) => {
    for (let x = 1; x < p; x++) if ((a * x) % p === 1) return x;
    throw new Error('no inverse');
  };
  const pivotOf = new Map<number, number>();
  const columns: Array<Map<number, number>> = [];
  const bars: Array<Array<[number, number]>> = Array.from({ length: maxDim + 1 }, () => []);
  const paired = new Set<number>();
  simplices.forEach((s, k) => {
    const col = new Map<number, number>();
    if (s.v.length > 1)
      s.v.forEach((_, r) => {
        const face = s.v.filter((__, t) => t !== r).join(',');
        col.set(position.get(face)!, r % 2 === 0 ? 1 : p - 1);
      });
    for (;;) {
      if (col.size === 0) break;
      const low = Math.max(...col.keys());
      const other = pivotOf.get(low);
      if (other === undefined) {
        pivotOf.set(low, k);
        paired.add(low).add(k);
        const dim = simplices[low].v.length - 1;
        if (dim <= maxDim && s.diam > simplices[low].diam) bars[dim].push([simplices[low].diam, s.diam]);
        break;
      }
      const factor = (col.get(low)! * inverse(columns[other].get(low)!)) % p;
      for (const [row, c] of columns[other]) {
        const x = ((((col.get(row) ?? 0) - factor * c) % p) + p) % p;
        if (x === 0) col.delete(row);
        else col.set(row, x);
      }
    }
    columns.push(col);
  });
  simplices.forEach((s, k) => {
    const dim = s.v.length - 1;
    if (dim <= maxDim && !paired.has(k)) bars[dim].push([s.diam, Infinity]);
  });
  return bars.map((b) => b.sort((x, y) => x[0] - y[0] || x[1] - y[1]));
}

describe('coefficients: Z/2, Z/3 and Z/5 against a textbook reduction', () => {
  test.each([1, 2, 3, 4])('tie-heavy random metric on 11 points, H0-H2 (seed %i)', (seed) => {
    const r = random(seed);
    const n = 11;
    // Distances in [1, 1.875] form a metric whatever their order; eight values make many ties.
    const table = new Float64Array(n * n);
    for (let i = 1; i < n; i++)
      for (let j = 0; j < i; j++) table[i * n + j] = table[j * n + i] = 1 + Math.floor(r() * 8) / 8;
    const d = (i: number, j: number) => table[i * n + j];
    const metric = lower(n, d);
    for (const modulus of [2, 3, 5]) {
      const result = ripsPersistence(metric, { maxDim: 2, modulus });
      const ours = result.diagrams.map((b) => [...b].sort((x, y) => x[0] - y[0] || x[1] - y[1]));
      expect(ours).toEqual(referenceBarcodes(n, d, 2, result.threshold, modulus));
    }
  });

  test('the Klein bottle grid, H0-H2, with a threshold', () => {
    const m = flatSurface(4, true) as Metric & { kind: 'lower' };
    const n = m.n;
    const d = (i: number, j: number) =>
      i === j ? 0 : Math.fround(i > j ? m.dist[(i * (i - 1)) / 2 + j] : m.dist[(j * (j - 1)) / 2 + i]);
    const byModulus = [2, 3, 5].map((modulus) => {
      const result = ripsPersistence(m, { maxDim: 2, modulus, threshold: 0.6 });
      const ours = result.diagrams.map((b) => [...b].sort((x, y) => x[0] - y[0] || x[1] - y[1]));
      expect(ours).toEqual(referenceBarcodes(n, d, 2, result.threshold, modulus));
      return ours;
    });
    // The coefficients matter here: H2 exists over Z/2 only.
    expect(byModulus[0][2].length).toBeGreaterThan(byModulus[1][2].length);
    expect(byModulus[1]).toEqual(byModulus[2]);
  });
});

describe('options and limits', () => {
  const m = cloud(30, 3, 7);

  test('a modulus that is not a prime below 256 is refused', () => {
    for (const modulus of [1, 4, 9, 256, 257, 2.5]) expect(() => ripsPersistence(m, { modulus })).toThrow(/prime/);
    expect(() => ripsPersistence(m, { modulus: 251 })).not.toThrow();
  });

  test('progress is reported and an abort stops the work with an AbortError', () => {
    const phases = new Set<string>();
    ripsPersistence(m, { maxDim: 2, onProgress: (p) => phases.add(p.phase) });
    expect(phases.has('reduce')).toBe(true);
    const controller = new AbortController();
    controller.abort();
    expect(() => ripsPersistence(m, { signal: controller.signal })).toThrow(
      expect.objectContaining({ name: 'AbortError' }),
    );
    const late = new AbortController();
    let calls = 0;
    const run = () =>
      ripsPersistence(m, {
        maxDim: 2,
        signal: late.signal,
        onProgress: () => {
          if (++calls === 2) late.abort();
        },
      });
    expect(run).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });

  test('work that cannot fit is refused up front with a clear message', () => {
    const big = cloud(3000, 3, 1);
    expect(estimateRipsBytes(big, 3)).toBeGreaterThan(estimateRipsBytes(big, 1));
    expect(estimateRipsBytes(big, 2, 0.1)).toBeLessThan(estimateRipsBytes(big, 2));
    expect(() => ripsPersistence(big, { maxDim: 3, maxBytes: 256e6 })).toThrow(PersistenceTooLargeError);
    expect(() => ripsPersistence(big, { maxDim: 3, maxBytes: 256e6 })).toThrow(/needs about .* more than the 256 MB/);
  });

  test('simplex indices that would pass 2^53 are refused, not wrapped', () => {
    const many: Metric = { kind: 'points', n: 200_000, dim: 0, coords: new Float64Array(0) };
    expect(() => ripsPersistence(many, { maxDim: 2 })).toThrow(IndexOverflowError);
    expect(() => ripsPersistence(many, { maxDim: 2 })).toThrow(/2\^53/);
  });

  test('bad metrics are refused', () => {
    expect(() => ripsPersistence({ kind: 'lower', n: 3, dist: new Float64Array([1, 2]) })).toThrow(/need 3/);
    expect(() => ripsPersistence({ kind: 'lower', n: 2, dist: new Float64Array([NaN]) })).toThrow(/not a number/);
    expect(() => ripsPersistence({ kind: 'points', n: 2, dim: 1, coords: new Float64Array([0, Infinity]) })).toThrow(
      /not finite/,
    );
  });
});
