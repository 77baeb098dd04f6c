/**
 * The Klein bottle model patch F(t1, t2) sampled at the nine pixel centres of [-1, 1]^2, row-major with y running
 * down the rows (the convention of src/lib/tda/dct.ts). Used to draw a member when the document holds only its fitted parameters,
 * never its weights; the view labels such glyphs as model patches.
 */
export function kleinPatch(t1: number, t2: number): number[] {
  const out: number[] = [];
  const c = [-2 / 3, 0, 2 / 3];
  for (let row = 0; row < 3; row++)
    for (let col = 0; col < 3; col++) {
      const u = Math.cos(t1) * c[col] + Math.sin(t1) * c[row];
      out.push(Math.sin(t2) * u + Math.cos(t2) * (2 * u * u - 1));
    }
  const mean = out.reduce((a, b) => a + b, 0) / 9;
  return out.map((v) => v - mean);
}
