import { describe, expect, test } from 'vitest';
import { assignmentCost, bottleneck, truncate, wasserstein, type Diagram } from '../../src/lib/tda/diagramDistance';

/** A deterministic generator so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function randomDiagram(random: () => number, n: number, grid?: number): Array<[number, number]> {
  const snap = (x: number) => (grid ? Math.round(x * grid) / grid : x);
  return Array.from({ length: n }, () => {
    const b = snap(random() * 2);
    return [b, snap(b + random() * 1.5)] as [number, number];
  });
}

/** Brute force over every permutation of the diagonal-augmented matrix: the definition, with no cleverness. */
function bruteForce(a: Diagram, b: Diagram, q: number): number {
  const n = a.length;
  const m = b.length;
  const size = n + m;
  const linf = (x: readonly [number, number], y: readonly [number, number]) =>
    Math.max(Math.abs(x[0] - y[0]), Math.abs(x[1] - y[1]));
  const half = (x: readonly [number, number]) => (x[1] - x[0]) / 2;
  const cost = (i: number, j: number): number => {
    if (i < n && j < m) return linf(a[i]!, b[j]!);
    if (i < n) return half(a[i]!);
    if (j < m) return half(b[j]!);
    return 0;
  };
  let best = Infinity;
  const perm = Array.from({ length: size }, (_, i) => i);
  const permute = (k: number) => {
    if (k === size) {
      let total = 0;
      for (let i = 0; i < size; i++) {
        const c = cost(i, perm[i]!);
        total = q === Infinity ? Math.max(total, c) : total + c ** q;
      }
      best = Math.min(best, total);
      return;
    }
    for (let i = k; i < size; i++) {
      [perm[k], perm[i]] = [perm[i]!, perm[k]!];
      permute(k + 1);
      [perm[k], perm[i]] = [perm[i]!, perm[k]!];
    }
  };
  permute(0);
  return q === Infinity ? best : best ** (1 / q);
}

describe('bottleneck', () => {
  test('matches brute force on random small diagrams, including ties on a grid', () => {
    const random = rng(7);
    for (let trial = 0; trial < 150; trial++) {
      const n = Math.floor(random() * 4);
      const m = Math.floor(random() * 4);
      const grid = trial % 2 ? 4 : undefined;
      const a = randomDiagram(random, n, grid);
      const b = randomDiagram(random, m, grid);
      expect(bottleneck(a, b)).toBeCloseTo(bruteForce(a, b, Infinity), 12);
    }
  });

  test('known values', () => {
    expect(bottleneck([], [])).toBe(0);
    expect(bottleneck([[0, 2]], [])).toBe(1);
    expect(bottleneck([[0, 2]], [[0.5, 2]])).toBe(0.5);
    // Far apart points are cheaper to send to the diagonal.
    expect(bottleneck([[0, 1]], [[10, 11]])).toBe(0.5);
    expect(bottleneck([[0, 1]], [[0, 1]])).toBe(0);
  });

  test('points on the diagonal change nothing', () => {
    expect(
      bottleneck(
        [
          [0, 2],
          [1, 1],
          [3, 3],
        ],
        [[0, 2]],
      ),
    ).toBe(0);
  });

  test('essential classes are matched only among themselves', () => {
    expect(bottleneck([[0, Infinity]], [[0.25, Infinity]])).toBe(0.25);
    expect(bottleneck([[0, Infinity]], [])).toBe(Infinity);
    expect(
      bottleneck(
        [[0, Infinity]],
        [
          [0, Infinity],
          [1, Infinity],
        ],
      ),
    ).toBe(Infinity);
    expect(
      bottleneck(
        [
          [0, Infinity],
          [0, 4],
        ],
        [
          [0.1, Infinity],
          [0, 1],
        ],
      ),
    ).toBe(2);
  });

  test('is symmetric and satisfies the triangle inequality', () => {
    const random = rng(99);
    for (let trial = 0; trial < 30; trial++) {
      const [a, b, c] = [0, 1, 2].map(() => randomDiagram(random, 1 + Math.floor(random() * 12)));
      const ab = bottleneck(a!, b!);
      expect(bottleneck(b!, a!)).toBeCloseTo(ab, 12);
      expect(ab).toBeLessThanOrEqual(bottleneck(a!, c!) + bottleneck(c!, b!) + 1e-12);
    }
  });

  test('a few thousand points finish and stay within the trivial bounds', () => {
    const random = rng(3);
    const a = randomDiagram(random, 2000);
    const b = a.map(([x, y]) => {
      const nb = x + (random() - 0.5) * 0.02;
      return [nb, Math.max(nb, y + (random() - 0.5) * 0.02)] as [number, number];
    });
    const d = bottleneck(a, b);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(0.01);
  });

  test('refuses malformed points', () => {
    expect(() => bottleneck([[1, 0]], [])).toThrow(/dies/);
    expect(() => bottleneck([[NaN, 1]], [])).toThrow(/not a \[birth, death\]/);
    expect(() => bottleneck([], [[0, NaN]])).toThrow(/b\[0\]/);
  });
});

describe('wasserstein', () => {
  test('matches brute force for q = 1 and q = 2', () => {
    const random = rng(11);
    for (let trial = 0; trial < 120; trial++) {
      const a = randomDiagram(random, Math.floor(random() * 4));
      const b = randomDiagram(random, Math.floor(random() * 4));
      expect(wasserstein(a, b, 2)).toBeCloseTo(bruteForce(a, b, 2), 10);
    }
  });

  test('known values and essential classes', () => {
    expect(wasserstein([], [], 1)).toBe(0);
    expect(wasserstein([[0, 2]], [], 1)).toBe(1);
    expect(
      wasserstein(
        [
          [0, 2],
          [0, 4],
        ],
        [],
        2,
      ),
    ).toBeCloseTo(Math.sqrt(1 + 4), 12);
    expect(
      wasserstein(
        [
          [0, Infinity],
          [1, Infinity],
        ],
        [
          [1.5, Infinity],
          [0.5, Infinity],
        ],
        1,
      ),
    ).toBe(1);
    expect(wasserstein([[0, Infinity]], [], 2)).toBe(Infinity);
    expect(() => wasserstein([], [], 0.5)).toThrow(/q must be/);
  });

  test('never exceeds the sum of sending everything to the diagonal', () => {
    const random = rng(5);
    const a = randomDiagram(random, 150);
    const b = randomDiagram(random, 120);
    const allToDiagonal = [...a, ...b].reduce((s, [x, y]) => s + (y - x) / 2, 0);
    const w = wasserstein(a, b, 1);
    expect(w).toBeGreaterThan(0);
    expect(w).toBeLessThanOrEqual(allToDiagonal);
    expect(bottleneck(a, b)).toBeLessThanOrEqual(w + 1e-12);
  });
});

test('assignmentCost finds the optimum of a known matrix', () => {
  // rows x cols; the optimum picks 1 + 2 + 1 (off the obvious greedy choice)
  const cost = Float64Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]);
  expect(assignmentCost(cost, 3)).toBe(5);
  expect(assignmentCost(new Float64Array(0), 0)).toBe(0);
});

test('assignmentCost terminates on infinite and on equal costs', () => {
  // Before the fix a row whose reduced costs were all infinite never found a column and looped forever.
  expect(assignmentCost(new Float64Array(4).fill(Infinity), 2)).toBe(Infinity);
  expect(assignmentCost(Float64Array.from([1, Infinity, Infinity, Infinity]), 2)).toBe(Infinity);
  expect(assignmentCost(new Float64Array(25).fill(3), 5)).toBe(15);
});

describe('huge coordinates', () => {
  test('are compared on a common scale, so squared costs cannot overflow', () => {
    // wasserstein([[0, 1e200]], [[0, 1]], 2) used to hang: (1e200)^2 is Infinity.
    expect(wasserstein([[0, 1e200]], [[0, 1]], 2)).toBeCloseTo(5e199, -185);
    expect(wasserstein([[0, 1e200]], [[0, 1]], 1)).toBeCloseTo(5e199, -185);
    expect(bottleneck([[0, 1e200]], [[0, 1]])).toBeCloseTo(5e199, -185);
    expect(bottleneck([[-1e308, 1e308]], [[0, 1]])).toBe(1e308);
    expect(wasserstein([[-1e308, 1e308]], [[0, 1]], 2)).toBe(1e308);
  });

  test('scaling by a power of two changes no distance on ordinary diagrams', () => {
    const random = rng(77);
    for (let trial = 0; trial < 20; trial++) {
      const a = randomDiagram(random, 6);
      const b = randomDiagram(random, 5);
      const big = (d: Array<[number, number]>) => d.map(([x, y]) => [x * 2 ** 600, y * 2 ** 600] as [number, number]);
      expect(wasserstein(big(a), big(b), 2)).toBeCloseTo(wasserstein(a, b, 2) * 2 ** 600, -170);
      expect(bottleneck(big(a), big(b))).toBe(bottleneck(a, b) * 2 ** 600);
    }
  });
});

test('truncate keeps the most persistent points and reports what it dropped', () => {
  const { kept, dropped } = truncate(
    [
      [0, 1],
      [0, Infinity],
      [0, 3],
      [1, 1.5],
    ],
    2,
  );
  expect(kept).toEqual([
    [0, Infinity],
    [0, 3],
  ]);
  expect(dropped).toEqual([0.5, 0.25]);
});
