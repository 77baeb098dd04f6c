import { describe, expect, test } from 'vitest';
import { toDct } from '../../src/lib/tda/dct';
import { kleinBottlePatch } from '../../src/lib/tda/patchModels';
import { CENTRE_DCT, KLEIN_CHORD, PATTERNS, patternAtlas, type Pattern } from '../../src/lib/tda/patternAtlas';

const DEG = Math.PI / 180;

function unit(v: Float64Array): Float64Array {
  let n = 0;
  for (const x of v) n += x * x;
  return v.map((x) => x / Math.sqrt(n));
}

/** The point at `angle` from unit `a` towards `b` (b is made orthogonal to a first). */
function towards(a: Float64Array, b: Float64Array, angle: number): Float64Array {
  let dot = 0;
  for (let d = 0; d < 8; d++) dot += a[d] * b[d];
  const ortho = unit(b.map((x, d) => x - dot * a[d]));
  return a.map((x, d) => Math.cos(angle) * x + Math.sin(angle) * ortho[d]);
}

const klein = (t1: number, t2: number) => toDct(kleinBottlePatch(t1, t2), 1);
const axis = (d: number) => Float64Array.from({ length: 8 }, (_, i) => (i === d ? 1 : 0));
/** The checkerboard-like DCT pattern (2,2): orthogonal to every Klein-bottle plane, 45 degrees from the centre. */
const E7 = axis(7);

function atlasOf(points: Float64Array[]) {
  const coords = new Float64Array(points.length * 8);
  points.forEach((p, i) => coords.set(p, i * 8));
  return patternAtlas(coords, points.length);
}

const labelsOf = (points: Float64Array[]): Pattern[] => Array.from(atlasOf(points).labels, (l) => PATTERNS[l]);

/**
 * Distance to the Klein bottle by brute force over a fine (t1, t2) grid, each pixel averaged over its cell by a
 * midpoint rule: an independent check of the closed-form fit (and of the cell average).
 */
function bruteKleinChord(p: Float64Array): number {
  const sub = 6;
  let best = Infinity;
  for (let a = 0; a < 180; a++)
    for (let b = 0; b < 360; b++) {
      const t1 = a * DEG;
      const t2 = b * DEG;
      const patch = new Float64Array(9);
      for (let row = 0; row < 3; row++)
        for (let col = 0; col < 3; col++) {
          let s = 0;
          for (let i = 0; i < sub; i++)
            for (let j = 0; j < sub; j++) {
              const x = -1 + (2 * col + (i + 0.5) / sub) / 3;
              const y = -1 + (2 * row + (j + 0.5) / sub) / 3;
              const u = Math.cos(t1) * x + Math.sin(t1) * y;
              s += Math.sin(t2) * u + Math.cos(t2) * (2 * u * u - 1);
            }
          patch[row * 3 + col] = s / (sub * sub);
        }
      const mean = patch.reduce((x, y) => x + y, 0) / 9;
      const c = unit(
        toDct(
          patch.map((v) => v - mean),
          1,
        ),
      );
      let d2 = 0;
      for (let d = 0; d < 8; d++) d2 += (c[d] - p[d]) ** 2;
      best = Math.min(best, d2);
    }
  return Math.sqrt(best);
}

describe('pattern atlas', () => {
  test('synthetic filters of each class give exact shares', () => {
    const points = [
      klein(0, Math.PI / 2),
      klein(1, -Math.PI / 2),
      klein(2.5, Math.PI / 2 + 10 * DEG),
      klein(0.3, 0),
      klein(1.2, Math.PI),
      klein(0.7, Math.PI / 4),
      CENTRE_DCT,
      CENTRE_DCT.map((v) => -v),
      E7,
      unit(Float64Array.from([0, 0, 0, 0, 0, 1, 1, 0])),
    ];
    expect(labelsOf(points)).toEqual([
      'edge',
      'edge',
      'edge',
      'line',
      'line',
      'other',
      'centre',
      'centre',
      'off',
      'off',
    ]);
    const { classes } = atlasOf(points);
    expect(classes.klein.share).toBe(0.6);
    expect(classes.edge.share).toBe(0.3);
    expect(classes.line.share).toBe(0.2);
    expect(classes.other.share).toBe(0.1);
    expect(classes.centre.share).toBe(0.2);
    expect(classes.off.share).toBe(0.2);
    expect(classes.klein.count).toBe(6);
  });

  test('the tolerances are 30 degrees from the bottle, 15 degrees in t2, 30 degrees from the centre', () => {
    const edge = klein(0.4, Math.PI / 2);
    expect(labelsOf([towards(edge, E7, 29 * DEG), towards(edge, E7, 31 * DEG)])).toEqual(['edge', 'off']);
    expect(KLEIN_CHORD).toBeCloseTo(0.5176, 4);
    expect(labelsOf([klein(0.4, Math.PI / 2 + 14 * DEG), klein(0.4, Math.PI / 2 + 16 * DEG)])).toEqual([
      'edge',
      'other',
    ]);
    expect(labelsOf([klein(2, Math.PI - 14 * DEG), klein(2, Math.PI - 16 * DEG), klein(2, 14 * DEG)])).toEqual([
      'line',
      'other',
      'line',
    ]);
    const e5 = axis(5);
    expect(labelsOf([towards(CENTRE_DCT, e5, 29 * DEG), towards(CENTRE_DCT, e5, 31 * DEG)])).toEqual(['centre', 'off']);
  });

  test('a mean-centred bulls-eye layer is all centre, with the centre-surround as its mean filter', () => {
    // Weights at the centre tap only, of both signs, as in face-api's conv256_down_out/conv2.
    const filters = [3, -0.5, 1.2, -2].map((w) => Float64Array.from({ length: 9 }, (_, j) => (j === 4 ? w : 0)));
    const coords = new Float64Array(filters.length * 8);
    filters.forEach((f, i) => coords.set(toDct(f, 1), i * 8));
    const atlas = patternAtlas(coords, filters.length);
    expect(atlas.classes.centre.share).toBe(1);
    const mean = Array.from(atlas.classes.centre.meanFilter);
    expect(mean[4]).toBeCloseTo(Math.sqrt(8 / 9), 12);
    for (const j of [0, 1, 2, 3, 5, 6, 7, 8]) expect(mean[j]).toBeCloseTo(-1 / 9 / Math.sqrt(8 / 9), 12);
  });

  test('the centre is 60 degrees from the Klein bottle, so the precedence decides nothing off the boundary', () => {
    const chord = bruteKleinChord(CENTRE_DCT);
    expect(chord).toBeGreaterThan(0.99);
    expect(chord).toBeLessThan(1.01);
  });

  test('the closed-form fit agrees with a brute-force search over cell-averaged model patches', () => {
    const points = [
      towards(klein(0.9, 1.1), E7, 20 * DEG),
      towards(klein(2.2, 4), axis(5), 25 * DEG),
      unit(Float64Array.from([0.3, -0.2, 0.5, 0.1, -0.4, 0.2, 0.6, -0.1])),
    ];
    const coords = new Float64Array(points.length * 8);
    points.forEach((p, i) => coords.set(p, i * 8));
    const atlas = patternAtlas(coords, points.length);
    // The atlas classifies by the closed-form chord; the brute-force search must find the same distance.
    points.forEach((p, i) => {
      const brute = bruteKleinChord(p);
      const onKlein = atlas.labels[i] <= 2;
      expect(onKlein).toBe(brute <= KLEIN_CHORD);
    });
  });

  test('the mean filter aligns opposite patches instead of cancelling them', () => {
    const { classes } = atlasOf([klein(0.5, 0), klein(0.5, Math.PI)]);
    expect(classes.line.count).toBe(2);
    const expected = kleinBottlePatch(0.5, 0);
    Array.from(classes.line.meanFilter).forEach((v, j) => expect(v).toBeCloseTo(expected[j], 10));
  });

  test('an empty input and a zero point', () => {
    const empty = patternAtlas(new Float64Array(0), 0);
    expect(empty.classes.klein.share).toBe(0);
    expect(() => patternAtlas(new Float64Array(8), 1)).toThrow(/zero/);
  });
});
