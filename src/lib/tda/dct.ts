/**
 * The DCT basis of 3x3 patches (Lee, Pedersen & Mumford): the 8 non-constant products
 * cos(pi/3 (x+1/2) u) cos(pi/3 (y+1/2) v), each scaled to unit norm. They are orthonormal and span the
 * mean-zero patches, so a centred unit-norm filter has unit-norm DCT coordinates: a point on S^7.
 *
 * Filters are row-major 3x3 (index 3*row + col); x runs along columns, y along rows (downwards).
 * Odd frequencies are sign-flipped so that the first two basis vectors are the gradients increasing in x and in y;
 * the primary-circle angle is then atan2(c[1], c[0]).
 */

/** Frequency pairs (u along x, v along y) in basis order: linear gradients first, then quadratics, then mixed. */
export const DCT_FREQUENCIES: ReadonlyArray<readonly [number, number]> = [
  [1, 0],
  [0, 1],
  [2, 0],
  [0, 2],
  [1, 1],
  [2, 1],
  [1, 2],
  [2, 2],
];

function factor(freq: number, pixel: number): number {
  const c = Math.cos((Math.PI / 3) * (pixel + 0.5) * freq);
  return freq % 2 === 1 ? -c : c;
}

function buildBasis(): Float64Array {
  const basis = new Float64Array(8 * 9);
  DCT_FREQUENCIES.forEach(([u, v], b) => {
    let norm = 0;
    for (let row = 0; row < 3; row++)
      for (let col = 0; col < 3; col++) {
        const value = factor(u, col) * factor(v, row);
        basis[b * 9 + row * 3 + col] = value;
        norm += value * value;
      }
    const s = 1 / Math.sqrt(norm);
    for (let i = 0; i < 9; i++) basis[b * 9 + i] *= s;
  });
  return basis;
}

/** 8 x 9 row-major: row b is the b-th basis patch. */
export const DCT_BASIS: Float64Array = buildBasis();

/** DCT coordinates (n x 8) of n row-major 3x3 patches (n x 9). The constant component is discarded. */
export function toDct(patches: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * 8);
  for (let i = 0; i < n; i++) {
    const o = i * 9;
    for (let b = 0; b < 8; b++) {
      let s = 0;
      for (let j = 0; j < 9; j++) s += DCT_BASIS[b * 9 + j] * patches[o + j];
      out[i * 8 + b] = s;
    }
  }
  return out;
}

/** The mean-zero 3x3 patches (n x 9) with the given DCT coordinates (n x 8). */
export function fromDct(coords: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * 9);
  for (let i = 0; i < n; i++)
    for (let b = 0; b < 8; b++) {
      const c = coords[i * 8 + b];
      for (let j = 0; j < 9; j++) out[i * 9 + j] += c * DCT_BASIS[b * 9 + j];
    }
  return out;
}
