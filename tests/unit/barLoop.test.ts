// Clicking the longest H1 bar must show the loop, not only where its cocycle cuts it (issue 26, item 6).
import { describe, expect, test } from 'vitest';
import { barLoop, nodeLoopValues } from '../../src/lib/analysis/barLoop';
import { nodesThrough } from '../../src/lib/plot/linkedViews';
import { seedDocument } from '../../src/seed/start.js';
import type { ResultDocument } from '../../src/lib/result/schema';

const doc = JSON.parse(seedDocument('mnist-layer1-step800.json')) as ResultDocument;

/** Largest gap between consecutive values on the circle: small when the values go all the way round. */
function largestGap(values: Float64Array): number {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  let gap = 2 * Math.PI - sorted.at(-1)! + sorted[0]!;
  for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i]! - sorted[i - 1]!);
  return gap;
}

describe("the longest H1 bar's loop on the real MNIST ring (the seeded step-800 layer 1)", () => {
  const longest = doc.persistence.cocycles![0]!;
  const [birth, death] = doc.persistence.diagrams[1]![longest.bar]!;
  const loop = barLoop(doc.preprocessing.coreFilters!, birth, death)!;

  test('the Z/47 class found is the bar asked for', () => {
    expect(loop).not.toBeNull();
    expect(loop.bar[0]).toBeCloseTo(birth, 5);
    expect(loop.bar[1]).toBeCloseTo(death!, 5);
  });

  test('every node gets a place on the loop, and the nodes go all the way round it', () => {
    const values = nodeLoopValues(doc.mapper.nodes, loop.angles);
    expect(values).toHaveLength(doc.mapper.nodes.length);
    expect(values.every(Number.isFinite)).toBe(true);
    // Round the whole circle with no gap over a quarter turn; the cut alone marked fewer than half the nodes.
    expect(largestGap(values)).toBeLessThan(Math.PI / 2);
    expect(nodesThrough(doc.mapper, longest).size).toBeLessThan(doc.mapper.nodes.length / 2);
  });

  test('neighbouring nodes sit close on the circle: the colour goes round the ring, not at random', () => {
    const values = nodeLoopValues(doc.mapper.nodes, loop.angles);
    const index = new Map(doc.mapper.nodes.map((n, i) => [n.id, i]));
    const jumps = doc.mapper.edges.map(([a, b]) => {
      const d = Math.abs(values[index.get(a)!]! - values[index.get(b)!]!);
      return Math.min(d, 2 * Math.PI - d);
    });
    const median = [...jumps].sort((a, b) => a - b)[Math.floor(jumps.length / 2)]!;
    expect(median).toBeLessThan(0.5);
  });

  test('a bar the core does not have gives no loop', () => {
    expect(barLoop(doc.preprocessing.coreFilters!, 5, 6)).toBeNull();
  });
});
