import { describe, expect, test } from 'vitest';
import { mapperStage, type MapperStageOptions } from '../../src/lib/analysis/mapperGraph';
import { analyzeFilters } from '../../src/lib/analysis/pipeline';
import { mapper } from '../../src/lib/tda/mapper';
import { ballMapper } from '../../src/lib/tda/ballMapper';
import { flagHomology } from '../../src/lib/tda/graphHomology';
import { extendedPersistence } from '../../src/lib/tda/extendedPersistence';
import { estimateScale, subsampleSize } from '../../src/lib/tda/mapperParameters';
import { seededRandom } from '../../src/lib/tda/random';
import { validateResult } from '../../src/lib/result/validate';
import { gaussian, rng } from './analysisSamples';
import { trainedFirstLayer } from './realisticSamples';
import { toPipelineOptions } from '../../src/lib/lab/options';
import { defaultAnalysisParams, validateAnalysisParams } from '../../src/lib/lab/settings';

const defaults: MapperStageOptions = {
  ball: false,
  resolution: 'auto',
  gain: 'auto',
  epsilon: 'auto',
  bootstrap: 0,
  seed: 1,
  maxNodes: 20_000,
  maxEdges: 200_000,
};

/** Points in the plane along parametrised curves, with Gaussian noise. */
function curves(
  n: number,
  pieces: Array<(t: number) => [number, number]>,
  noise: number,
  seed: number,
): { points: Float64Array; n: number } {
  const random = rng(seed);
  const points = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const [x, y] = pieces[i % pieces.length](random());
    points[2 * i] = x + noise * gaussian(random);
    points[2 * i + 1] = y + noise * gaussian(random);
  }
  return { points, n };
}

const circleAt =
  (cx: number, cy: number, r = 1) =>
  (t: number): [number, number] => [cx + r * Math.cos(2 * Math.PI * t), cy + r * Math.sin(2 * Math.PI * t)];

/** The automatic Mapper with the coordinates themselves as the 2-D lens (what PC1-2 are for planar data). */
function autoGraph({ points, n }: { points: Float64Array; n: number }, options: Partial<MapperStageOptions> = {}) {
  return mapperStage(
    points,
    2,
    n,
    points,
    2,
    [null, null],
    points.filter((_, i) => i % 2 === 0),
    {
      ...defaults,
      ...options,
    },
  );
}

describe('flag complex homology of a graph', () => {
  test('a square has one loop; its diagonal fills it with two triangles; K4 has none', () => {
    const square: Array<[number, number]> = [
      [0, 1],
      [1, 2],
      [2, 3],
      [0, 3],
    ];
    expect(flagHomology(4, square)).toEqual({ components: 1, loops: 1 });
    expect(flagHomology(4, [...square, [0, 2]])).toEqual({ components: 1, loops: 0 });
    expect(flagHomology(4, [...square, [0, 2], [1, 3]])).toEqual({ components: 1, loops: 0 });
    // Two disjoint squares and an isolated node.
    const two = [...square, ...square.map(([a, b]) => [a + 4, b + 4] as [number, number])];
    expect(flagHomology(9, two)).toEqual({ components: 3, loops: 2 });
    // The octahedron's 1-skeleton: its flag complex is a 2-sphere, no loop.
    const octa: Array<[number, number]> = [];
    for (let a = 0; a < 6; a++) for (let b = a + 1; b < 6; b++) if (b - a !== 3) octa.push([a, b]);
    expect(octa).toHaveLength(12);
    expect(flagHomology(6, octa)).toEqual({ components: 1, loops: 0 });
  });

  test('extended persistence: a loop spans the heights it climbs through', () => {
    // A 4-cycle with heights 0, 1, 3, 1 and a pendant at 5: one loop from 3 down to 0.
    const d = extendedPersistence(
      5,
      [
        [0, 1],
        [1, 2],
        [2, 3],
        [0, 3],
        [2, 4],
      ],
      [0, 1, 3, 1, 5],
    );
    expect(d.ext1).toEqual([[3, 0]]);
    expect(d.ext0).toEqual([[0, 5]]);
    expect(d.ord1).toEqual([]);
    // A filled triangle is no loop of the flag complex.
    const t = extendedPersistence(
      3,
      [
        [0, 1],
        [1, 2],
        [0, 2],
      ],
      [0, 1, 2],
    );
    expect(t.ext1).toEqual([]);
  });
});

describe('automatic cover and clustering scale (Carriere-Michel-Oudot)', () => {
  test('the subsample size follows n / log10(n) and delta shrinks as the sample grows', () => {
    // m = n / log10(n)^(1 + beta): beta = 1 by default, GUDHI's beta = 0 on request.
    expect(subsampleSize(1000)).toBe(111);
    expect(subsampleSize(1000, 10, 0)).toBe(333);
    expect(subsampleSize(5)).toBe(4);
    const coarse = curves(300, [circleAt(0, 0)], 0, 1);
    const fine = curves(3000, [circleAt(0, 0)], 0, 1);
    const a = estimateScale(coarse.points, 2, coarse.n).delta;
    const b = estimateScale(fine.points, 2, fine.n).delta;
    expect(b).toBeLessThan(a);
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThan(0.5);
  });

  test('delta is the brute force: each point scans every subsample for its nearest sampled point', () => {
    // The same draws (seed 1, partial Fisher-Yates) and the same far-out fence; no neighbour lists.
    const reference = (points: Float64Array, dim: number, n: number, repetitions: number) => {
      const m = subsampleSize(n);
      const d2 = (a: number, b: number) => {
        let s = 0;
        for (let d = 0; d < dim; d++) s += (points[a * dim + d] - points[b * dim + d]) ** 2;
        return s;
      };
      const nearest = Float64Array.from({ length: n }, (_, i) => {
        let best = Infinity;
        for (let j = 0; j < n; j++) if (j !== i) best = Math.min(best, d2(i, j));
        return Math.sqrt(best);
      });
      const sorted = Float64Array.from(nearest).sort();
      const fence =
        sorted[Math.floor(0.75 * (n - 1))] +
        3 * (sorted[Math.floor(0.75 * (n - 1))] - sorted[Math.floor(0.25 * (n - 1))]);
      const random = seededRandom(1);
      const order = Uint32Array.from({ length: n }, (_, i) => i);
      let total = 0;
      for (let rep = 0; rep < repetitions; rep++) {
        for (let i = 0; i < m; i++) {
          const j = i + Math.floor(random() * (n - i));
          [order[i], order[j]] = [order[j], order[i]];
        }
        const sample = new Set(order.subarray(0, m));
        let worst = 0;
        for (let x = 0; x < n; x++) {
          if (sample.has(x) || !(nearest[x] <= fence)) continue;
          let best = Infinity;
          for (const y of sample) best = Math.min(best, d2(x, y));
          worst = Math.max(worst, best);
        }
        total += Math.sqrt(worst);
      }
      return total / repetitions;
    };
    const random = rng(5);
    for (const [n, dim, grid] of [
      [400, 2, true],
      [300, 8, false],
      [120, 3, true],
    ] as const) {
      const points = Float64Array.from({ length: n * dim }, () => (grid ? Math.floor(random() * 6) : gaussian(random)));
      expect(estimateScale(points, dim, n, { repetitions: 20 }).delta).toBe(reference(points, dim, n, 20));
    }
  });

  test.each([
    ['a circle', [circleAt(0, 0)], 1, 1],
    ['two circles', [circleAt(0, 0), circleAt(4, 0)], 2, 2],
    ['a figure eight', [circleAt(0, 0), circleAt(2, 0)], 1, 2],
    ['a line segment', [(t: number): [number, number] => [4 * t - 2, 0.5 * t]], 1, 0],
  ] as const)('%s: the right components and loops with default parameters', (_, pieces, components, loops) => {
    for (const seed of [1, 2, 3]) {
      const g = autoGraph(curves(1200, [...pieces], 0.04, seed));
      expect(g.choice.chosen).toBe('auto');
      expect({ components: g.components, loops: g.loops }).toEqual({ components, loops });
      expect(g.graph.nodes.length).toBeGreaterThanOrEqual(10);
      expect(g.graph.nodes.length).toBeLessThanOrEqual(200);
    }
  });

  test('Ball Mapper with its automatic epsilon sees the same shapes', () => {
    const circle = autoGraph(curves(800, [circleAt(0, 0)], 0.04, 4), { ball: true });
    expect({ components: circle.components, loops: circle.loops }).toEqual({ components: 1, loops: 1 });
    const eight = autoGraph(curves(1200, [circleAt(0, 0), circleAt(2, 0)], 0.04, 4), { ball: true });
    expect({ components: eight.components, loops: eight.loops }).toEqual({ components: 1, loops: 2 });
    expect(circle.choice.scale).toBeGreaterThan(0);
    // Every point lies in some ball, and no ball repeats another.
    const covered = new Set(circle.graph.nodes.flatMap((node) => [...node.members]));
    expect(covered.size).toBe(800);
  });

  test('a fixed resolution and gain keep the gap-heuristic clustering', () => {
    const data = curves(600, [circleAt(0, 0)], 0.04, 5);
    const g = autoGraph(data, { resolution: 10, gain: 3 });
    expect(g.choice).toMatchObject({ chosen: 'fixed', resolutions: [10, 10], gain: 3 });
    const direct = mapper(data.points, 2, data.points, 2, data.n, { resolution: 10, gain: 3 });
    expect(g.graph.nodes.map((node) => [...node.members])).toEqual(direct.nodes.map((node) => [...node.members]));
  });
});

describe('nodes are distinct member sets', () => {
  test('clusters repeated by overlapping cubes become one node, and the nerve is recomputed on the merged nodes', () => {
    const data = curves(150, [circleAt(0, 0)], 0.02, 6);
    // Gain 6 on a 2-D lens: each point in about 36 cubes, many holding the very same cluster.
    const g = mapper(data.points, 2, data.points, 2, data.n, { resolution: 20, gain: 6 });
    const keys = g.nodes.map((node) => [...node.members].join(','));
    expect(new Set(keys).size).toBe(keys.length);
    // Without merging, the cover would hold many more clusters: count them cube by cube as a reference.
    const cubeClusters = mapper(data.points, 2, data.points, 2, data.n, { resolution: 20, gain: 6, maxNodes: 1e9 });
    expect(cubeClusters.nodes.length).toBe(keys.length);
    expect(keys.length).toBeLessThan(20 * 20);
    const union = new Set(g.nodes.flatMap((node) => [...node.members]));
    expect(union.size).toBe(150);
    for (const [a, b, w] of g.edges) {
      const shared = [...g.nodes[a].members].filter((m) => g.nodes[b].members.includes(m)).length;
      expect(shared).toBe(w);
      expect(shared).toBeGreaterThan(0);
    }
  });

  test('Ball Mapper merges equal balls too', () => {
    // Ten copies of each of three far-apart points: three balls, whatever the order.
    const pts: number[] = [];
    for (let c = 0; c < 30; c++) pts.push(10 * (c % 3), 0);
    const g = ballMapper(pts, 2, 30, 1);
    expect(g.nodes.length).toBe(3);
    expect(g.edges).toEqual([]);
  });
});

describe("the bootstrap of the graph's loops", () => {
  test('the loop of a clean circle survives nearly every resample', () => {
    const g = autoGraph(curves(600, [circleAt(0, 0)], 0.03, 7), { bootstrap: 20 });
    expect(g.loops).toBe(1);
    expect(g.bootstrap!.loops).toHaveLength(1);
    expect(g.bootstrap!.loops[0].survival).toBeGreaterThanOrEqual(0.9);
    expect(g.bootstrap!.distances).toHaveLength(20);
  });

  test('loops of uniform noise survive almost never', () => {
    const random = rng(8);
    const points = Float64Array.from({ length: 1200 }, () => random());
    // The automatic choice draws uniform noise without loops; a fine fixed cover makes dozens of spurious ones
    // to judge.
    expect(autoGraph({ points, n: 600 }).loops).toBe(0);
    const g = autoGraph({ points, n: 600 }, { resolution: 20, gain: 2, bootstrap: 20 });
    expect(g.loops).toBeGreaterThan(10);
    const survival = g.bootstrap!.loops.map((l) => l.survival);
    expect(survival.reduce((a, b) => a + b, 0) / survival.length).toBeLessThan(0.05);
    expect(Math.max(...survival)).toBeLessThan(0.5);
  });
});

describe('the pipeline with its defaults', () => {
  test('filters like those of 30 MNIST trainings: a few dozen nodes, one loop, one component holding the core', async () => {
    const doc = await analyzeFilters(
      trainedFirstLayer({ seed: 3 }),
      { kind: 'synthetic', dataset: 'mnist-like' },
      {
        k: 50,
        p: 30,
        maxDim: 0,
      },
    );
    const m = doc.mapper;
    expect(m.chosen).toBe('auto');
    expect(m.nodes.length).toBeGreaterThanOrEqual(15);
    expect(m.nodes.length).toBeLessThanOrEqual(150);
    expect(m.loops).toBe(1);
    expect(m.largestComponentShare).toBeGreaterThanOrEqual(0.9);
    expect(m.resolutions).toHaveLength(2);
    expect(m.resolution).toBe(Math.max(...m.resolutions!));
    expect(m.scale).toBeGreaterThan(0);
    expect(m.selection).toMatchObject({ repetitions: 100, estimatedOn: doc.preprocessing.nCore });
    const keys = m.nodes.map((node) => node.members.join(','));
    expect(new Set(keys).size).toBe(keys.length);
    expect(validateResult(JSON.parse(JSON.stringify(doc))).ok).toBe(true);
  });

  test('an explicit resolution and gain are recorded as fixed, and Ball Mapper as its epsilon', async () => {
    const filters = trainedFirstLayer({ runs: 6, seed: 4 });
    const source = { kind: 'synthetic', dataset: 'mnist-like' } as const;
    const fixed = await analyzeFilters(filters, source, { resolution: 10, gain: 3, maxDim: 0 });
    expect(fixed.mapper).toMatchObject({ chosen: 'fixed', resolution: 10, gain: 3 });
    expect(fixed.mapper.clustering).toMatch(/gap heuristic/);
    const ball = await analyzeFilters(filters, source, { lens: 'ball', epsilon: 0.5, maxDim: 0 });
    expect(ball.mapper).toMatchObject({ lens: 'ball', chosen: 'fixed', scale: 0.5, resolution: 1 });
    expect(validateResult(JSON.parse(JSON.stringify(ball))).ok).toBe(true);
    await expect(analyzeFilters(filters, source, { epsilon: -1 })).rejects.toThrow(/epsilon/);
    await expect(analyzeFilters(filters, source, { gain: 1 })).rejects.toThrow(/overlap/);
  });
});

describe('what the result page and the lab say', () => {
  test("the lab's automatic cover reaches the pipeline as 'auto', a fixed one as its numbers", () => {
    const p = defaultAnalysisParams();
    expect(p).toMatchObject({ k: 50, cover: 'auto', bootstrap: 0 });
    expect(toPipelineOptions(p)).toMatchObject({ k: 50, resolution: 'auto', gain: 'auto', bootstrap: 0 });
    expect(toPipelineOptions({ ...p, cover: 'fixed', resolution: 12, gain: 2 })).toMatchObject({
      resolution: 12,
      gain: 2,
    });
    expect(() => validateAnalysisParams({ ...p, bootstrap: -1 })).toThrow(/Bootstrap/);
  });
});
