import { describe, expect, test } from 'vitest';
import { mapper, MapperTooLargeError } from '../../src/lib/tda/mapper';
import { gapThreshold, minimumSpanningTree, singleLinkageClusters } from '../../src/lib/tda/singleLinkage';
import { flagBetti } from './mapperFlag';
import { gaussian, rng } from './analysisSamples';

function circle(n: number, noise: number, seed: number): Float64Array {
  const random = rng(seed);
  const p = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const t = 2 * Math.PI * random();
    p[2 * i] = Math.cos(t) + noise * gaussian(random);
    p[2 * i + 1] = Math.sin(t) + noise * gaussian(random);
  }
  return p;
}

describe('single linkage with the gap heuristic', () => {
  test('the spanning tree has the brute-force total length', () => {
    const p = circle(60, 0.1, 2);
    const subset = Array.from({ length: 60 }, (_, i) => i);
    const tree = minimumSpanningTree(p, 2, subset);
    const total = tree.length.reduce((s, v) => s + v, 0);
    // Kruskal on all pairs as the reference.
    const pairs: Array<[number, number, number]> = [];
    for (let a = 0; a < 60; a++)
      for (let b = a + 1; b < 60; b++) pairs.push([a, b, Math.hypot(p[2 * a] - p[2 * b], p[2 * a + 1] - p[2 * b + 1])]);
    pairs.sort((x, y) => x[2] - y[2]);
    const parent = Array.from({ length: 60 }, (_, i) => i);
    const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
    let ref = 0;
    for (const [a, b, d] of pairs)
      if (find(a) !== find(b)) {
        parent[find(a)] = find(b);
        ref += d;
      }
    expect(total).toBeCloseTo(ref, 10);
  });

  test('two separated blobs make two clusters, one blob makes one', () => {
    const random = rng(4);
    const pts: number[] = [];
    for (let i = 0; i < 40; i++) pts.push(0.1 * gaussian(random), 0.1 * gaussian(random));
    for (let i = 0; i < 40; i++) pts.push(5 + 0.1 * gaussian(random), 0.1 * gaussian(random));
    const all = Array.from({ length: 80 }, (_, i) => i);
    const two = singleLinkageClusters(pts, 2, all);
    expect(two.count).toBe(2);
    expect(new Set(two.labels.subarray(0, 40)).size).toBe(1);
    expect(two.labels[0]).not.toBe(two.labels[79]);
    const one = singleLinkageClusters(pts, 2, all.slice(0, 40));
    expect(one.count).toBe(1);
  });

  test('clusters at a scale are the spanning tree cut at that scale, on random and tie-heavy clouds', () => {
    // The reference: the minimum spanning tree's edges up to the scale, joined by union-find, labels numbered by
    // first member (the clustering before the components search replaced it).
    const viaTree = (pts: ArrayLike<number>, dim: number, subset: number[], scale: number) => {
      const tree = minimumSpanningTree(pts, dim, subset);
      const parent = subset.map((_, i) => i);
      const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
      for (let e = 0; e < tree.length.length; e++)
        if (tree.length[e] <= scale)
          parent[Math.max(find(tree.a[e]), find(tree.b[e]))] = Math.min(find(tree.a[e]), find(tree.b[e]));
      const label = new Map<number, number>();
      return subset.map((_, i) => {
        const r = find(i);
        if (!label.has(r)) label.set(r, label.size);
        return label.get(r)!;
      });
    };
    const random = rng(11);
    for (const [m, dim, grid] of [
      [300, 8, false],
      [200, 3, false],
      [250, 8, true],
      [150, 2, true],
    ] as const) {
      const pts = new Float64Array(m * dim);
      for (let i = 0; i < pts.length; i++)
        // Tie-heavy: integer coordinates, with repeated points and many pairs exactly at the scale.
        pts[i] = grid ? Math.floor(random() * 4) : 0.3 * gaussian(random) + (i % dim === 0 ? 2 * (i % 3) : 0);
      const subset = Array.from({ length: m }, (_, i) => i).filter(() => random() < 0.8);
      for (const scale of grid ? [0, 1, Math.SQRT2, 2] : [0.05, 0.2, 0.5, 1, 10]) {
        const got = singleLinkageClusters(pts, dim, subset, 10, scale);
        const want = viaTree(pts, dim, subset, scale);
        expect(Array.from(got.labels)).toEqual(want);
        expect(got.count).toBe(new Set(want).size);
      }
    }
  });

  test('no gap, no cut', () => {
    expect(gapThreshold(new Float64Array(Array.from({ length: 200 }, (_, i) => 1 + i / 199)))).toBe(Infinity);
    expect(gapThreshold(new Float64Array([1]))).toBe(Infinity);
    const gap = new Float64Array([...Array.from({ length: 24 }, (_, i) => 1 + i / 100), 3]);
    expect(gapThreshold(gap)).toBeLessThan(3);
    expect(gapThreshold(gap)).toBeGreaterThan(1.23);
  });
});

describe('Mapper', () => {
  test('a graph beyond its limits is refused with MapperTooLargeError, before the pair count explodes', () => {
    const n = 800;
    const p = circle(n, 0.05, 1);
    const g = mapper(p, 2, p, 2, n, { resolution: 10, gain: 3 });
    const limited = (maxNodes: number, maxEdges: number) => () =>
      mapper(p, 2, p, 2, n, { resolution: 10, gain: 3, maxNodes, maxEdges });
    expect(limited(g.nodes.length, g.edges.length)).not.toThrow();
    expect(limited(g.nodes.length - 1, Infinity)).toThrow(MapperTooLargeError);
    expect(limited(g.nodes.length - 1, Infinity)).toThrow(expect.objectContaining({ option: 'resolution' }));
    expect(limited(Infinity, g.edges.length - 1)).toThrow(expect.objectContaining({ option: 'gain' }));
    expect(limited(Infinity, g.edges.length - 1)).toThrow(/Mapper edges/);
    // Gain 40 on a 2-D lens: up to 1,600 cubes a point, ~10^9 pairs; refused up front.
    expect(() => mapper(p, 2, p, 2, n, { resolution: 100, gain: 40, maxEdges: 200_000 })).toThrow(
      /overlapping cover sets/,
    );
  });

  test('a noisy circle gives a graph whose flag complex has one cycle', () => {
    const n = 800;
    const p = circle(n, 0.05, 1);
    const g = mapper(p, 2, p, 2, n, { resolution: 10, gain: 3 });
    expect(g.nodes.length).toBeGreaterThan(8);
    expect(flagBetti(g.nodes.length, g.edges)).toEqual([1, 1]);
    // Every point is in some node, and edges count the shared points.
    const covered = new Set<number>();
    for (const node of g.nodes) for (const m of node.members) covered.add(m);
    expect(covered.size).toBe(n);
    for (const [a, b, w] of g.edges) {
      const A = new Set(g.nodes[a].members);
      expect(w).toBe(g.nodes[b].members.filter((m) => A.has(m)).length);
      expect(a).toBeLessThan(b);
    }
  });

  test('a periodic lens wraps round: the angle of a circle as a lens closes the loop', () => {
    const n = 600;
    const p = circle(n, 0.02, 3);
    const angle = new Float64Array(n);
    for (let i = 0; i < n; i++) angle[i] = (Math.atan2(p[2 * i + 1], p[2 * i]) + 2 * Math.PI) % (2 * Math.PI);
    const open = mapper(p, 2, angle, 1, n, { resolution: 12, gain: 2 });
    const closed = mapper(p, 2, angle, 1, n, { resolution: 12, gain: 2, periods: [2 * Math.PI] });
    expect(flagBetti(open.nodes.length, open.edges)).toEqual([1, 0]);
    expect(flagBetti(closed.nodes.length, closed.edges)).toEqual([1, 1]);
  });

  test('cover sizes: with gain g each point lies in about g intervals', () => {
    const n = 1000;
    const lens = new Float64Array(n).map((_, i) => i / (n - 1));
    const pts = new Float64Array(n * 2).map((_, i) => (i % 2 === 0 ? lens[i >> 1] : 0));
    const g = mapper(pts, 2, lens, 1, n, { resolution: 20, gain: 3 });
    const total = g.nodes.reduce((s, node) => s + node.members.length, 0);
    expect(total / n).toBeGreaterThan(2.5);
    expect(total / n).toBeLessThan(3.5);
    expect(new Set(g.nodes.map((node) => node.cube[0])).size).toBe(20);
  });

  test('bad resolution or gain is refused', () => {
    const p = circle(10, 0, 1);
    expect(() => mapper(p, 2, p, 2, 10, { resolution: 0, gain: 3 })).toThrow(/resolution/);
    expect(() => mapper(p, 2, p, 2, 10, { resolution: 5, gain: 0.5 })).toThrow(/gain/);
  });
});
