import { describe, expect, test } from 'vitest';
import { analyzeFilters, DEFAULT_OPTIONS, AnalysisError } from '../../src/lib/analysis/pipeline';
import { preprocess, FilterValueError } from '../../src/lib/analysis/preprocess';
import { histogramPeak } from '../../src/lib/analysis/histogram';
import { validateResult } from '../../src/lib/result/validate';
import type { ResultDocument } from '../../src/lib/result/schema';
import { circleSample, kleinSample } from './analysisSamples';
import { flagBetti } from './mapperFlag';

const source = { kind: 'synthetic' as const, dataset: 'circle' };

function h1Lengths(doc: ResultDocument): number[] {
  const t = doc.persistence.threshold ?? Infinity;
  return (doc.persistence.diagrams[1] ?? []).map(([b, d]) => (d ?? t) - b).sort((a, b) => b - a);
}

const angleGap = (a: number, b: number) => {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return Math.min(d, 2 * Math.PI - d);
};

describe('preprocessing', () => {
  test('centres, scales to unit norm, and counts near-zero filters', () => {
    const filters = [
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9],
      ...[5, 5, 5, 5, 5, 5, 5, 5, 5], // constant: zero after centring
      ...[0, 0, 0, 0, 1e-9, 0, 0, 0, 0], // tiny next to the others
      ...[0, 0, 0, 0, 0, 0, 0, 0, 3],
    ];
    const p = preprocess(filters, 0.01);
    expect(p.nInput).toBe(4);
    expect(p.nNearZero).toBe(2);
    expect(Array.from(p.kept)).toEqual([0, 3]);
    for (let i = 0; i < 2; i++) {
      const row = Array.from(p.patches.subarray(i * 9, i * 9 + 9));
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12);
      expect(row.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 12);
      const c = Array.from(p.coords.subarray(i * 8, i * 8 + 8));
      expect(c.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 12);
    }
  });

  test('extreme but finite values keep their direction, and a norm that overflows is refused', () => {
    const shape = [1, -2, 3, 0, 5, -1, 2, 2, -4];
    const scales = [1, 1e200, 1e-200];
    const p = preprocess(
      scales.flatMap((k) => shape.map((v) => v * k)),
      0.01,
    );
    // Squaring 1e200 overflowed to Infinity before, and put the filter at the origin instead of on S^7.
    expect(p.nKept).toBe(2);
    const first = Array.from(p.patches.subarray(0, 9));
    const second = Array.from(p.patches.subarray(9, 18));
    second.forEach((v, j) => expect(v).toBeCloseTo(first[j], 14));
    expect(() => preprocess([1e308, -1e308, 1e308, -1e308, 1e308, -1e308, 1e308, -1e308, 0], 0.01)).toThrow(
      /filter 0 .*too large/,
    );
  });

  test('NaN and Infinity are refused, naming the filter', () => {
    const f = new Array(27).fill(1);
    f[13] = Number.NaN;
    expect(() => preprocess(f, 0.01)).toThrow(FilterValueError);
    expect(() => preprocess(f, 0.01)).toThrow(/filter 1 .*value 4: NaN/);
    f[13] = Infinity;
    expect(() => preprocess(f, 0.01)).toThrow(/filter 1 .*Infinity/);
    expect(() => preprocess(new Array(10).fill(1), 0.01)).toThrow(/multiple of 9/);
  });
});

describe('the pipeline on the primary circle with outliers', async () => {
  const { filters } = circleSample(1500, { outliers: 0.25, noise: 0.08 });
  const progress: string[] = [];
  const doc = await analyzeFilters(
    filters,
    source,
    { k: 30, p: 30, resolution: 15, gain: 3, title: 'circle' },
    { onProgress: (stage) => progress.push(stage) },
  );

  test('the document is valid and records what was done', () => {
    const v = validateResult(JSON.parse(JSON.stringify(doc)));
    if (!v.ok) throw new Error(`${v.field}: ${v.message}`);
    expect(v.value).toEqual(JSON.parse(JSON.stringify(doc)));
    expect(doc.preprocessing).toMatchObject({ nInput: 1500, nNearZero: 0, nKept: 1500, k: 30, p: 30, nCore: 450 });
    expect(doc.persistence).toMatchObject({ complex: 'rips', modulus: 2, maxDim: 1, nPoints: 450 });
    expect(doc.modelFit.primaryCircle.angles).toHaveLength(450);
    expect(doc.modelFit.kleinBottle.t1).toHaveLength(450);
    expect(Object.keys(doc.timings)).toEqual(
      expect.arrayContaining(['preprocess', 'knn', 'core', 'fit', 'ph', 'mapper', 'total']),
    );
    expect(progress[0]).toBe('preprocess');
    expect(progress.at(-1)).toBe('done');
    expect(doc.title).toBe('circle');
  });

  test('the core keeps the circle and sheds the outliers', () => {
    expect(doc.modelFit.primaryCircle.meanDistance).toBeLessThan(0.2);
  });

  test('H1 of the core has one dominant bar', () => {
    const [first, second = 0] = h1Lengths(doc);
    expect(first).toBeGreaterThan(0.5);
    expect(first).toBeGreaterThan(4 * second);
  });

  test("the Mapper graph's flag complex has exactly one cycle", () => {
    expect(doc.mapper.nodes.length).toBeGreaterThan(10);
    expect(flagBetti(doc.mapper.nodes.length, doc.mapper.edges)).toEqual([1, 1]);
    for (const node of doc.mapper.nodes) {
      expect(node.size).toBe(node.members.length);
      expect(node.lens).toHaveLength(2);
      expect(node.density).toBeGreaterThan(0);
      expect(node.density).toBeLessThanOrEqual(1);
    }
  });

  test('the angle histogram peaks where the sample does', async () => {
    // Half the filters at angles near 1 rad: the core is that arc, and the histogram shows it.
    const peaked = await analyzeFilters(circleSample(1500, { peakShare: 0.5, peak: 1, seed: 2 }).filters, source, {
      k: 30,
      resolution: 12,
    });
    const h = peaked.modelFit.primaryCircle.angleHistogram;
    expect(h.counts).toHaveLength(36);
    expect(angleGap(histogramPeak(h), 1)).toBeLessThan(0.2);
    const uniform = doc.modelFit.primaryCircle.angleHistogram.counts;
    expect(Math.max(...h.counts)).toBeGreaterThan(2 * Math.max(...uniform));
  });
});

describe('the pipeline on a Klein-bottle sample', async () => {
  // The whole sample (p = 100): a uniform (t1, t2) sample is too uneven on the surface for a density core.
  const { filters } = kleinSample(1000);
  const options = { k: 10, p: 100, resolution: 8 };
  const z2 = await analyzeFilters(filters, { kind: 'synthetic', dataset: 'klein' }, options);
  const z3 = await analyzeFilters(filters, { kind: 'synthetic', dataset: 'klein' }, { ...options, modulus: 3 });

  test('filters fit the Klein bottle, not the primary circle', () => {
    expect(z2.modelFit.kleinBottle.meanError).toBeLessThan(0.05);
    expect(z2.modelFit.primaryCircle.meanDistance).toBeGreaterThan(0.3);
  });

  test('H1 has two long bars over Z/2 and one over Z/3 (Betti numbers 2 and 1)', () => {
    const a = h1Lengths(z2);
    const b = h1Lengths(z3);
    expect(a[1]).toBeGreaterThan(1.5 * a[2]);
    expect(b[0]).toBeGreaterThan(1.3 * b[1]);
    expect(b[1]).toBeLessThan(0.75 * a[1]);
  });
});

describe('options and lenses', () => {
  const { filters } = circleSample(900, { outliers: 0.1, noise: 0.08, seed: 3 });

  test('defaults match the issue', () => {
    expect(DEFAULT_OPTIONS).toMatchObject({
      k: 50,
      p: 30,
      lens: 'pca',
      resolution: 'auto',
      gain: 'auto',
      epsilon: 'auto',
      bootstrap: 0,
      maxDim: 1,
      modulus: 2,
    });
  });

  test('k is clipped to n - 1 and recorded', async () => {
    const doc = await analyzeFilters(filters.subarray(0, 90), source, { resolution: 5 });
    expect(doc.preprocessing.k).toBe(9);
  });

  test('the witness complex takes over above ripsMaxPoints, and the circular lens follows the cocycle', async () => {
    const doc = await analyzeFilters(filters, source, {
      k: 20,
      ripsMaxPoints: 100,
      landmarks: 24,
      lens: 'circular',
      resolution: 10,
    });
    expect(doc.persistence.complex).toBe('witness');
    expect(doc.persistence.landmarks).toBe(24);
    // Ten witnesses per landmark, an evenly strided subset of the 270-point core.
    expect(doc.persistence.nPoints).toBe(240);
    expect(doc.mapper.lens).toBe('circular');
    expect(flagBetti(doc.mapper.nodes.length, doc.mapper.edges)[1]).toBe(1);
    // The circular coordinate goes once round with the primary-circle angle: node means agree up to a rotation
    // and possibly a reflection.
    const angles = doc.modelFit.primaryCircle.angles;
    const pairs = doc.mapper.nodes.map((node) => {
      let s = 0;
      let c = 0;
      for (const m of node.members) {
        s += Math.sin(angles[m]);
        c += Math.cos(angles[m]);
      }
      return [node.lens[0], Math.atan2(s, c)] as const;
    });
    let best = Infinity;
    for (const sign of [1, -1])
      for (let shift = 0; shift < 360; shift++) {
        const rot = (shift / 360) * 2 * Math.PI;
        const err = pairs.reduce((e, [u, a]) => e + angleGap(sign * u + rot, a), 0) / pairs.length;
        best = Math.min(best, err);
      }
    expect(best).toBeLessThan(0.3);
  });

  test.each(['codensity', 'angle', 'pca:2,3'])('lens %s gives a valid document', async (lens) => {
    const doc = await analyzeFilters(filters, source, { k: 20, lens, resolution: 10 });
    const v = validateResult(JSON.parse(JSON.stringify(doc)));
    expect(v.ok).toBe(true);
    expect(doc.mapper.lens).toBe(lens);
  });

  test('bad options are refused with the option named', async () => {
    await expect(analyzeFilters(filters, source, { lens: 'umap' })).rejects.toThrow(/lens 'umap'/);
    await expect(analyzeFilters(filters, source, { lens: 'pca:1,1' })).rejects.toThrow(AnalysisError);
    await expect(analyzeFilters(filters, source, { p: 0 })).rejects.toThrow(/p 0 is below 0.1/);
    await expect(analyzeFilters(filters, source, { modulus: 4 })).rejects.toThrow(/prime/);
    await expect(analyzeFilters(filters, source, { resolution: 2.5 })).rejects.toThrow(/resolution/);
    await expect(analyzeFilters(new Float64Array(18).fill(1), source)).rejects.toThrow(/at least 3/);
  });

  test('an aborted signal stops the analysis', async () => {
    const controller = new AbortController();
    const run = analyzeFilters(
      filters,
      source,
      { k: 20 },
      {
        signal: controller.signal,
        onProgress: (stage) => {
          if (stage === 'core') controller.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});
