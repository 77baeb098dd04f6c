import { expect, test } from 'vitest';
import { compareDiagrams } from '../../src/lib/tda/diagramComparison';
import { bottleneck, wasserstein } from '../../src/lib/tda/diagramDistance';

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const diagram = (random: () => number, finite: number, essential: number): Array<[number, number]> => [
  ...Array.from({ length: essential }, () => [random(), Infinity] as [number, number]),
  ...Array.from({ length: finite }, () => {
    const b = random();
    return [b, b + random() * random()] as [number, number];
  }),
];

test('past the caps the exact distance of the full diagrams lies within the error bound', () => {
  const random = rng(2026);
  const caps = { bottleneck: 8, wasserstein: 5 };
  for (let trial = 0; trial < 25; trial++) {
    const a = diagram(random, 14 + (trial % 5), 2);
    const b = diagram(random, 11 + (trial % 3), 2);
    const c = compareDiagrams(a, b, caps);
    expect(c.compared).toEqual({ bottleneck: [8, 8], wasserstein: [5, 5] });
    expect(c.errorBound.wasserstein).toBeGreaterThan(0);
    const slack = 1e-12;
    expect(Math.abs(bottleneck(a, b) - c.bottleneck)).toBeLessThanOrEqual(c.errorBound.bottleneck + slack);
    expect(Math.abs(wasserstein(a, b, 1) - c.wasserstein)).toBeLessThanOrEqual(c.errorBound.wasserstein + slack);
    expect(Math.abs(wasserstein(a, b, 2) - c.wasserstein2)).toBeLessThanOrEqual(c.errorBound.wasserstein2 + slack);
  }
});

test('within the caps the answer is exact, and essential classes are never truncated', () => {
  const random = rng(7);
  const a = diagram(random, 6, 40);
  const b = diagram(random, 5, 40);
  const c = compareDiagrams(a, b, { bottleneck: 6, wasserstein: 6 });
  expect(c.errorBound).toEqual({ bottleneck: 0, wasserstein: 0, wasserstein2: 0 });
  expect(c.bottleneck).toBe(bottleneck(a, b));
  expect(c.wasserstein).toBe(wasserstein(a, b, 1));
  // Even with caps far below the number of essential classes, all 40 of them are matched.
  const tiny = compareDiagrams(a, b, { bottleneck: 1, wasserstein: 1 });
  const essentials = (d: Array<[number, number]>) => d.filter(([, death]) => death === Infinity);
  expect(tiny.bottleneck).toBeGreaterThanOrEqual(bottleneck(essentials(a), essentials(b)));
  expect(compareDiagrams(a, diagram(rng(8), 6, 39), { bottleneck: 1, wasserstein: 1 }).bottleneck).toBe(Infinity);
});

test('ties at the cut are broken the same way on both sides: a diagram is at distance 0 from itself', () => {
  const ties: Array<[number, number]> = Array.from({ length: 1000 }, (_, i) => [(i % 7) / 10, (i % 7) / 10 + 0.5]);
  const c = compareDiagrams(ties, [...ties].reverse(), { bottleneck: 50, wasserstein: 20 });
  expect([c.bottleneck, c.wasserstein, c.wasserstein2]).toEqual([0, 0, 0]);
  // Each side dropped points of half-persistence 0.25: the bound adds both sides.
  expect(c.errorBound.bottleneck).toBeCloseTo(0.5, 12);
});
