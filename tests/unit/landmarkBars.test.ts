// The layer-2 reference's measure (Rips on maxmin landmarks of the density core): a circle of edge filters gives
// one dominant H1 bar, filters with no shape give none, and the bars are Rips's own on the chosen landmarks.
import { describe, expect, it } from 'vitest';
import { landmarkBars } from '../../src/lib/analysis/landmarkBars';
import { seededRandom } from '../../src/lib/tda/random';

/** n 3x3 filters x cos t + y sin t (the primary circle), t uniform, plus Gaussian-ish noise of size `noise`. */
function edgeCircle(n: number, noise: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(n * 9);
  for (let i = 0; i < n; i++) {
    const t = 2 * Math.PI * random();
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++)
        out[i * 9 + r * 3 + c] = (c - 1) * Math.cos(t) + (r - 1) * Math.sin(t) + noise * (random() + random() - 1);
  }
  return out;
}

function shapeless(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n * 9 }, () => random() * 2 - 1);
}

describe('landmarkBars', () => {
  it('finds the circle of edges and no circle in shapeless filters', () => {
    const circle = landmarkBars(edgeCircle(600, 0.15, 1), { k: 20, p: 30, landmarks: [60, 120] });
    expect(circle).toMatchObject({ filters: 600, kept: 600, core: 180 });
    expect(circle.bars.map((b) => b.landmarks)).toEqual([60, 120]);
    for (const b of circle.bars) expect(b.ratio).toBeGreaterThan(3);
    const noise = landmarkBars(shapeless(600, 2), { k: 20, p: 30, landmarks: [60, 120] });
    for (const b of noise.bars) expect(b.ratio).toBeLessThan(2);
  });

  it('asks for no more landmarks than the core has, and one computation per first landmark', () => {
    const r = landmarkBars(edgeCircle(200, 0.1, 3), { k: 10, p: 30, landmarks: [1000], seeds: [0, 1, 2] });
    expect(r.core).toBe(60);
    expect(r.bars.map((b) => [b.landmarks, b.seed])).toEqual([
      [60, 0],
      [60, 1],
      [60, 2],
    ]);
    // With every core point a landmark the start does not matter.
    expect(new Set(r.bars.map((b) => b.ratio)).size).toBe(1);
    for (const b of r.bars) expect(b.longest).toBeGreaterThanOrEqual(b.next);
  });
});
