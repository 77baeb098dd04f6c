import { describe, expect, test } from 'vitest';
import { analyzeFilters } from '../../src/lib/analysis/pipeline';
import { documentCocycles, storedCocycles } from '../../src/lib/analysis/cocycles';
import { ripsPersistence } from '../../src/lib/tda/ripsCohomology';
import { validateResult } from '../../src/lib/result/validate';
import { circleSample } from './analysisSamples';

/** Points on a circle in the plane with a little radial wobble, so edge lengths are not all tied. */
function ring(n: number): Float64Array {
  const coords = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    const r = 1 + 0.03 * Math.sin(5 * i);
    coords[2 * i] = r * Math.cos(t);
    coords[2 * i + 1] = r * Math.sin(t);
  }
  return coords;
}

const dist = (c: Float64Array, a: number, b: number) => Math.hypot(c[2 * a] - c[2 * b], c[2 * a + 1] - c[2 * b + 1]);

describe('stored cocycles', () => {
  test('the kept cocycle of a ring is a cocycle of the complex where its class is born', () => {
    const n = 16;
    const coords = ring(n);
    const result = ripsPersistence({ kind: 'points', n, dim: 2, coords }, { maxDim: 1, modulus: 2, cocycles: true });
    const [kept] = storedCocycles(result, { edgeLength: (a, b) => dist(coords, a, b) });
    const [, death] = result.diagrams[1][kept.bar];
    const scale = kept.birth + 0.5 * (death - kept.birth);
    const bars = result.diagrams[1];
    const longest = bars.reduce((best, [b, d], i) => (d - b > bars[best][1] - bars[best][0] ? i : best), 0);
    expect(kept.bar).toBe(longest);
    expect(kept.edges.length).toBeGreaterThan(0);
    // Every edge is in the complex at the middle of the bar, and over Z/2 every triangle there has an even
    // number of cocycle edges (the coboundary vanishes).
    const inCocycle = new Set(kept.edges.map(([a, b]) => `${a},${b}`));
    for (const [a, b] of kept.edges) {
      expect(a).toBeLessThan(b);
      expect(dist(coords, a, b)).toBeLessThanOrEqual(scale + 1e-5);
    }
    let triangles = 0;
    for (let a = 0; a < n; a++)
      for (let b = a + 1; b < n; b++)
        for (let c = b + 1; c < n; c++) {
          if (Math.max(dist(coords, a, b), dist(coords, a, c), dist(coords, b, c)) > scale + 1e-5) continue;
          triangles++;
          const hits = [`${a},${b}`, `${a},${c}`, `${b},${c}`].filter((e) => inCocycle.has(e)).length;
          expect(hits % 2, `triangle ${a},${b},${c}`).toBe(0);
        }
    expect(triangles).toBeGreaterThan(0);
  });

  test('only the longest bars are kept, and a cocycle past the edge cap says it was cut', () => {
    const n = 24;
    const result = ripsPersistence(
      { kind: 'points', n, dim: 2, coords: ring(n) },
      { maxDim: 1, modulus: 2, cocycles: true },
    );
    expect(storedCocycles(result, { max: 1 })).toHaveLength(1);
    const cut = storedCocycles(result, { max: 1, maxEdges: 1 })[0];
    const full = storedCocycles(result, { max: 1 })[0];
    if (full.edges.length > 1) {
      expect(cut.edges).toHaveLength(1);
      expect(cut.truncated).toBe(true);
    }
    expect(full.truncated).toBeUndefined();
  });

  test('a witness complex maps its landmarks back to core points', () => {
    const result = {
      diagrams: [[], [[0.1, 0.9] as [number, number]]],
      threshold: Infinity,
      cocycles: [{ birth: 0.1, death: 0.9, edges: Uint32Array.from([0, 2]), coefficients: Uint8Array.from([1]) }],
    };
    // Landmarks 0 and 2 are witnesses 4 and 8; 10 witnesses strided over 40 core points: core 16 and 32.
    const witness = { n: 10, landmarks: Uint32Array.from([4, 6, 8]) };
    const kept = documentCocycles({ result, witness }, new Float64Array(40 * 8), 40);
    expect(kept.cocycles?.[0].edges).toEqual([[16, 32]]);
  });

  test('the pipeline stores the cocycles of the longest H1 bars in a valid document', async () => {
    const { filters } = circleSample(400, { outliers: 0.1, noise: 0.05, seed: 3 });
    const doc = await analyzeFilters(filters, { kind: 'synthetic', dataset: 'circle' }, { k: 20, p: 50 });
    const v = validateResult(JSON.parse(JSON.stringify(doc)));
    if (!v.ok) throw new Error(`${v.field}: ${v.message}`);
    const cocycles = doc.persistence.cocycles ?? [];
    expect(cocycles.length).toBeGreaterThan(0);
    expect(cocycles[0].edges.length).toBeGreaterThan(0);
    const h1 = doc.persistence.diagrams[1];
    const len = (i: number) => (h1[i][1] ?? Infinity) - h1[i][0];
    // The first kept cocycle belongs to the longest bar.
    expect(h1.every((_, i) => len(i) <= len(cocycles[0].bar))).toBe(true);
    // Each core point names its input filter.
    const coreInput = doc.preprocessing.coreInput ?? [];
    expect(coreInput).toHaveLength(doc.preprocessing.nCore);
    expect(new Set(coreInput).size).toBe(coreInput.length);
    expect(coreInput.every((i) => Number.isInteger(i) && i >= 0 && i < 400)).toBe(true);
    // A small core keeps its filters: the input's, in core order, so a shared result shows real members.
    const kept = doc.preprocessing.coreFilters ?? [];
    expect(kept).toHaveLength(9 * doc.preprocessing.nCore);
    coreInput.forEach((input, m) => {
      for (let k = 0; k < 9; k++) expect(kept[9 * m + k]).toBeCloseTo(filters[9 * input + k], 5);
    });
    for (const c of cocycles) {
      expect(c.birth).toBe(h1[c.bar][0]);
      for (const [a, b] of c.edges) {
        expect(a).toBeLessThan(b);
        expect(b).toBeLessThan(doc.preprocessing.nCore);
      }
    }
  });
});
