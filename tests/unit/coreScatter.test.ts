// The Projector's view of the core: its filters as points (issue 26, "the filters themselves").
import { describe, expect, test } from 'vitest';
import { circleScatter, nodesHolding, pcaScatter } from '../../src/lib/analysis/coreScatter';
import { seedDocument } from '../../src/seed/start.js';
import type { ResultDocument } from '../../src/lib/result/schema';

const doc = JSON.parse(seedDocument('mnist-layer1-step800.json')) as ResultDocument;

describe('core scatter', () => {
  test("PC1-PC2 of the MNIST ring's DCT coordinates: one point per core filter, a ring around the origin", () => {
    const s = pcaScatter(doc.preprocessing.coreFilters!)!;
    expect(s.kind).toBe('pca');
    expect(s.n).toBe(576);
    expect(s.explained![0]).toBeGreaterThanOrEqual(s.explained![1]!);
    // The primary circle is a circle in the first two PCs: the points keep away from their centre.
    const radii = Array.from({ length: s.n }, (_, i) => Math.hypot(s.xy[2 * i]!, s.xy[2 * i + 1]!)).sort(
      (a, b) => a - b,
    );
    const median = radii[Math.floor(s.n / 2)]!;
    expect(radii[Math.floor(s.n * 0.05)]!).toBeGreaterThan(0.3 * median);
  });

  test('any document gives the circle axes from its model fit', () => {
    const fit = doc.modelFit.primaryCircle;
    const s = circleScatter(fit.angles, fit.distances);
    expect(s.n).toBe(576);
    expect([s.xy[0], s.xy[1]]).toEqual([fit.angles[0], fit.distances[0]]);
  });

  test('a point picks the nodes that hold it', () => {
    const nodes = [{ members: [0, 1] }, { members: [1, 2] }, { members: [3] }];
    expect(nodesHolding(nodes, 1)).toEqual([0, 1]);
    expect(nodesHolding(nodes, 3)).toEqual([2]);
    expect(nodesHolding(nodes, 9)).toEqual([]);
  });

  test('filters that do not match a core (a zero filter) give no PCA view', () => {
    expect(pcaScatter(new Float64Array(27))).toBeNull();
  });
});
