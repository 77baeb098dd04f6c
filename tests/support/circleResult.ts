import type { ResultDocument } from '../../src/lib/result/schema';
import { minimalDocument } from './fixtures';

/**
 * A realistic-looking result whose Mapper graph is a ring of `nodes` nodes, each the mean of the linear
 * gradients around its angle (the primary circle), with a long H1 bar among short ones. Built by hand
 * (no analysis run), so view and export tests do not depend on the pipeline.
 */
export function circleResult(nodes = 12, title = 'Primary circle (test)'): ResultDocument {
  const perNode = 5;
  const n = nodes * perNode;
  const angles: number[] = [];
  const t1: number[] = [];
  const t2: number[] = [];
  const errors: number[] = [];
  const c = [-1, 0, 1];
  const mapperNodes = Array.from({ length: nodes }, (_, i) => {
    const theta = (2 * Math.PI * i) / nodes;
    const members = Array.from({ length: perNode + 1 }, (_, k) => (i * perNode + k) % n);
    const meanFilter: number[] = [];
    for (let row = 0; row < 3; row++)
      for (let col = 0; col < 3; col++)
        meanFilter.push(0.4 * (Math.cos(theta) * c[col] + Math.sin(theta) * c[row]) || 0); // no -0: JSON drops the sign
    return {
      id: i,
      size: members.length,
      members,
      meanFilter,
      density: 0.2 + 0.05 * Math.cos(2 * theta) + i / (nodes * 20),
      lens: [Math.cos(theta), Math.sin(theta)],
      attributes: { run: i % 3 },
    };
  });
  for (let p = 0; p < n; p++) {
    const a = (2 * Math.PI * p) / n;
    angles.push(a);
    t1.push(a);
    t2.push(Math.PI / 2 + 0.1 * Math.sin(3 * a));
    errors.push(0.05 + 0.02 * Math.abs(Math.sin(5 * a)));
  }
  const edges: [number, number, number][] = mapperNodes.map((_, i) => [i, (i + 1) % nodes, 1]);
  const h0: [number, number | null][] = [[0, null]];
  for (let i = 0; i < nodes * 2; i++) h0.push([0, 0.05 + 0.01 * (i % 7)]);
  const h1: [number, number | null][] = [
    [0.2, 1.3],
    [0.3, 0.34],
    [0.4, 0.45],
    [0.5, 0.52],
  ];
  const counts = (bins: number, f: (b: number) => number) => Array.from({ length: bins }, (_, b) => f(b));
  return {
    ...structuredClone(minimalDocument),
    title,
    description: 'Synthetic ring of gradient filters, <b>not</b> HTML.',
    source: { kind: 'synthetic', dataset: 'circle', architecture: 'none', layer: 1 },
    preprocessing: { ...minimalDocument.preprocessing, nInput: n * 3, nKept: n * 2, k: 5, p: 30, nCore: n },
    mapper: { lens: 'pca', resolution: 10, gain: 3, clustering: 'single-linkage', nodes: mapperNodes, edges },
    persistence: { complex: 'rips', modulus: 2, threshold: null, maxDim: 1, nPoints: n, diagrams: [h0, h1] },
    modelFit: {
      primaryCircle: {
        angles,
        distances: angles.map(() => 0.1),
        angleHistogram: { min: 0, max: 2 * Math.PI, counts: counts(24, (b) => 2 + (b % 6 === 0 ? 4 : 0)) },
        distanceHistogram: { min: 0, max: 0.5, counts: counts(10, (b) => 10 - b) },
        meanDistance: 0.1,
        shareHorizontalVertical: 0.4,
      },
      kleinBottle: {
        t1,
        t2,
        errors,
        errorHistogram: { min: 0, max: 0.1, counts: counts(10, (b) => (b > 3 && b < 8 ? 8 : 1)) },
        meanError: 0.06,
      },
    },
    timings: { preprocess: 3, mapper: 12, persistence: 40 },
  } as ResultDocument;
}

/**
 * Filters for the real analysis pipeline: `n` noisy linear gradients at random angles (row-major 3x3, y down),
 * from a seeded generator so every run analyses the same points. Their density core is the primary circle.
 */
export function gradientFilters(n: number, noise = 0.15, seed = 7): Float32Array {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const out = new Float32Array(9 * n);
  for (let i = 0; i < n; i++) {
    const t = 2 * Math.PI * rand();
    for (let row = 0; row < 3; row++)
      for (let col = 0; col < 3; col++)
        out[9 * i + 3 * row + col] = Math.cos(t) * (col - 1) + Math.sin(t) * (row - 1) + noise * (rand() - 0.5);
  }
  return out;
}
