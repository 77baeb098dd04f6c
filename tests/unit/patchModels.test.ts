import { describe, expect, test } from 'vitest';
import { DCT_BASIS, fromDct, toDct } from '../../src/lib/tda/dct';
import { fitKleinBottle, fitPrimaryCircle, kleinBottlePatch, primaryCirclePatch } from '../../src/lib/tda/patchModels';
import { rng } from './analysisSamples';

const angleGap = (a: number, b: number, period = 2 * Math.PI) => {
  const d = Math.abs(a - b) % period;
  return Math.min(d, period - d);
};

describe('DCT basis of 3x3 patches', () => {
  test('is orthonormal and orthogonal to constants', () => {
    for (let a = 0; a < 8; a++) {
      let sum = 0;
      for (let j = 0; j < 9; j++) sum += DCT_BASIS[a * 9 + j];
      expect(sum).toBeCloseTo(0, 12);
      for (let b = 0; b < 8; b++) {
        let dot = 0;
        for (let j = 0; j < 9; j++) dot += DCT_BASIS[a * 9 + j] * DCT_BASIS[b * 9 + j];
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
  });

  test('the first two vectors are the x and y gradients', () => {
    const s = 1 / Math.sqrt(6);
    expect(Array.from(DCT_BASIS.subarray(0, 9)).map((v) => v / s)).toEqual(
      [-1, 0, 1, -1, 0, 1, -1, 0, 1].map((v) => expect.closeTo(v, 12)),
    );
    expect(Array.from(DCT_BASIS.subarray(9, 18)).map((v) => v / s)).toEqual(
      [-1, -1, -1, 0, 0, 0, 1, 1, 1].map((v) => expect.closeTo(v, 12)),
    );
  });

  test('round trip of a mean-zero patch', () => {
    const patch = kleinBottlePatch(0.4, 2.2);
    const back = fromDct(toDct(patch, 1), 1);
    patch.forEach((v, j) => expect(back[j]).toBeCloseTo(v, 12));
  });
});

describe('primary circle', () => {
  test('recovers the angle of a gradient at distance 0', () => {
    for (const t of [0, 0.3, Math.PI / 2, 3, 5.9]) {
      const fit = fitPrimaryCircle(toDct(primaryCirclePatch(t), 1), 1);
      expect(angleGap(fit.angles[0], t)).toBeLessThan(1e-12);
      expect(fit.distances[0]).toBeLessThan(1e-6);
    }
  });

  test('a line patch is far from the circle', () => {
    const line = kleinBottlePatch(0, 0); // pure quadratic: a vertical line
    const fit = fitPrimaryCircle(toDct(line, 1), 1);
    expect(fit.distances[0]).toBeCloseTo(Math.SQRT2, 6);
  });
});

describe('Klein bottle', () => {
  test('model patches are unit-norm, mean-zero, and F(t1 + pi, -t2) = F(t1, t2)', () => {
    const a = kleinBottlePatch(0.7, 1.1);
    const b = kleinBottlePatch(0.7 + Math.PI, -1.1);
    a.forEach((v, j) => expect(b[j]).toBeCloseTo(v, 12));
    expect(a.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 12);
    expect(a.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12);
  });

  test('gradients lie on it: t2 = pi/2 is the primary circle', () => {
    const k = kleinBottlePatch(1.3, Math.PI / 2);
    const c = primaryCirclePatch(1.3);
    k.forEach((v, j) => expect(c[j]).toBeCloseTo(v, 12));
  });

  test('the fit recovers (t1, t2) of model patches with error 0', () => {
    const random = rng(5);
    const n = 300;
    const patches = new Float64Array(n * 9);
    const truth: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) {
      const t1 = Math.PI * random();
      const t2 = 2 * Math.PI * random();
      truth.push([t1, t2]);
      patches.set(kleinBottlePatch(t1, t2), i * 9);
    }
    const fit = fitKleinBottle(toDct(patches, n), n);
    for (let i = 0; i < n; i++) {
      expect(fit.errors[i]).toBeLessThan(1e-6);
      // Same patch, so the same point of the Klein bottle up to the identification (t1 + pi, -t2).
      const [t1, t2] = truth[i];
      const direct = angleGap(fit.t1[i], t1, Math.PI) + angleGap(fit.t2[i], t2);
      const flipped = angleGap(fit.t1[i], t1 + Math.PI, Math.PI) + angleGap(fit.t2[i], -t2);
      expect(Math.min(direct, flipped)).toBeLessThan(1e-5);
      expect(fit.t1[i]).toBeGreaterThanOrEqual(0);
      expect(fit.t1[i]).toBeLessThan(Math.PI);
    }
  });

  test('an off-model patch has the distance to its nearest model patch', () => {
    const random = rng(9);
    const patch = new Float64Array(9).map(() => random() - 0.5);
    const mean = patch.reduce((s, v) => s + v, 0) / 9;
    for (let j = 0; j < 9; j++) patch[j] -= mean;
    const norm = Math.hypot(...patch);
    for (let j = 0; j < 9; j++) patch[j] /= norm;
    const fit = fitKleinBottle(toDct(patch, 1), 1);
    let best = Infinity;
    for (let a = 0; a < 360; a++)
      for (let b = 0; b < 720; b++) {
        const m = kleinBottlePatch((a / 360) * Math.PI, (b / 720) * 2 * Math.PI);
        best = Math.min(best, Math.hypot(...m.map((v, j) => v - patch[j])));
      }
    expect(fit.errors[0]).toBeLessThanOrEqual(best + 1e-9);
    expect(fit.errors[0]).toBeGreaterThan(best - 0.01);
  });
});
