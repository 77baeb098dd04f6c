import { describe, expect, test } from 'vitest';
import { kleinCell, kleinGrid } from '../../src/lib/plot/kleinGrid';
import { fitKleinBottle, kleinBottlePatch } from '../../src/lib/tda/patchModels';
import { toDct } from '../../src/lib/tda/dct';

describe('the Klein-fit density grid', () => {
  test('t1 spans [0, pi): a direction just under pi fills the last column, not the middle one', () => {
    const g = kleinGrid([0.01, Math.PI - 0.01], [1, 1], 8);
    const cols = [...g.counts.keys()].filter((k) => g.counts[k] > 0).map((k) => k % 8);
    expect(cols).toEqual([0, 7]);
    expect(g.n).toBe(2);
  });

  test('fitted parameters of model patches use every column of the grid', () => {
    const t1: number[] = [];
    const t2: number[] = [];
    for (let a = 0; a < 16; a++)
      for (let b = 0; b < 16; b++) {
        t1.push(((a + 0.5) / 16) * Math.PI);
        t2.push(((b + 0.5) / 16) * 2 * Math.PI);
      }
    const patches = new Float64Array(t1.length * 9);
    t1.forEach((_, i) => patches.set(kleinBottlePatch(t1[i], t2[i]), 9 * i));
    // The fit reads unit vectors in DCT coordinates; the model patches are already centred.
    const coords = toDct(patches, t1.length);
    for (let i = 0; i < t1.length; i++) {
      const row = coords.subarray(8 * i, 8 * i + 8);
      const norm = Math.hypot(...row);
      for (let k = 0; k < 8; k++) row[k] /= norm;
    }
    const fit = fitKleinBottle(coords, t1.length);
    const g = kleinGrid(fit.t1, fit.t2, 8);
    for (let col = 0; col < 8; col++) {
      let inCol = 0;
      for (let row = 0; row < 8; row++) inCol += g.counts[row * 8 + col];
      expect(inCol, `column ${col}`).toBeGreaterThan(0);
    }
  });

  test('t1 beyond pi is folded with the patch symmetry (t1 + pi, -t2)', () => {
    expect(kleinCell(Math.PI + 0.2, 1, 16)).toBe(kleinCell(0.2, -1, 16));
    expect(kleinCell(Number.NaN, 1, 16)).toBe(-1);
  });
});
