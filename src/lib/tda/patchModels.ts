/**
 * The two models of 3x3 patches that filters are scored against (Carlsson, Ishkhanov, de Silva & Zomorodian 2008):
 * the primary circle of linear gradients and the Klein bottle of gradients bent by a quadratic. Patches are
 * row-major 3x3 with x along columns and y along rows (downwards), pixel centres at -2/3, 0, 2/3 of [-1,1].
 * Fits work in the DCT coordinates of dct.ts, where both models are simple: the primary circle is the unit circle
 * of the first two coordinates, and for fixed t1 the Klein bottle is a great circle.
 */

const TWO_PI = 2 * Math.PI;
const centres = [-2 / 3, 0, 2 / 3];

function centreAndNormalise(patch: Float64Array): Float64Array {
  let mean = 0;
  for (const v of patch) mean += v / 9;
  let norm = 0;
  for (let i = 0; i < 9; i++) {
    patch[i] -= mean;
    norm += patch[i] * patch[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < 9; i++) patch[i] /= norm;
  return patch;
}

/** The primary-circle patch at angle t: the linear gradient x cos t + y sin t, centred, unit norm. */
export function primaryCirclePatch(t: number): Float64Array {
  const patch = new Float64Array(9);
  for (let row = 0; row < 3; row++)
    for (let col = 0; col < 3; col++) patch[row * 3 + col] = centres[col] * Math.cos(t) + centres[row] * Math.sin(t);
  return centreAndNormalise(patch);
}

/**
 * The Klein-bottle patch F(t1,t2)(x,y) = sin t2 u + cos t2 Q(u), u = cos t1 x + sin t1 y, Q(u) = 2u^2 - 1,
 * averaged over each pixel, then centred and scaled to unit norm. Over a pixel of half-width h = 1/3 the mean of u
 * is u at the centre and the mean of u^2 is u_c^2 + h^2/3 (the cross terms cancel, cos^2 + sin^2 = 1).
 */
export function kleinBottlePatch(t1: number, t2: number): Float64Array {
  const patch = new Float64Array(9);
  const c = Math.cos(t1);
  const s = Math.sin(t1);
  for (let row = 0; row < 3; row++)
    for (let col = 0; col < 3; col++) {
      const u = c * centres[col] + s * centres[row];
      patch[row * 3 + col] = Math.sin(t2) * u + Math.cos(t2) * (2 * (u * u + 1 / 27) - 1);
    }
  return centreAndNormalise(patch);
}

export interface CircleFit {
  /** Radians in [0, 2pi); angle 0 is a gradient increasing in x (a vertical edge). */
  angles: Float64Array;
  /** Euclidean distance to the nearest point of the circle. */
  distances: Float64Array;
}

/** Projects each point (n x 8 DCT coordinates) on the plane of the linear gradients. */
export function fitPrimaryCircle(coords: Float64Array, n: number): CircleFit {
  const angles = new Float64Array(n);
  const distances = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 8;
    const a = coords[o];
    const b = coords[o + 1];
    let norm2 = 0;
    for (let d = 0; d < 8; d++) norm2 += coords[o + d] * coords[o + d];
    const t = Math.atan2(b, a);
    angles[i] = t < 0 ? t + TWO_PI : t;
    // |v - (cos t, sin t, 0..)|^2 = |v|^2 - 2 |(a, b)| + 1 at the best t.
    distances[i] = Math.sqrt(Math.max(0, norm2 - 2 * Math.hypot(a, b) + 1));
  }
  return { angles, distances };
}

export interface KleinFit {
  /** [0, pi): the direction of the gradient (t1 and t1 + pi with t2 -> -t2 are the same patch). */
  t1: Float64Array;
  /** [0, 2pi): 0 is a pure quadratic (a line), pi/2 a pure linear gradient (an edge). */
  t2: Float64Array;
  errors: Float64Array;
}

/**
 * For fixed t1 the model patches are the unit circle in the plane of two orthonormal DCT vectors:
 * A = (cos t1, sin t1, 0, ...) (the centred u) and B = (sqrt2 cos^2 t1, sqrt2 sin^2 t1, 2 sin 2t1) / norm on
 * coordinates 2, 3, 4 (the centred u^2). The best t1 maximises the squared projection on that plane.
 */
function planeProjection(c: Float64Array, o: number, t1: number): { alpha: number; beta: number; nb: number } {
  const cs = Math.cos(t1);
  const sn = Math.sin(t1);
  const s2 = Math.sin(2 * t1);
  const nb = Math.sqrt(2 + 3 * s2 * s2);
  const alpha = cs * c[o] + sn * c[o + 1];
  const beta = (Math.SQRT2 * cs * cs * c[o + 2] + Math.SQRT2 * sn * sn * c[o + 3] + 2 * s2 * c[o + 4]) / nb;
  return { alpha, beta, nb };
}

const GRID = 90;

/** Best Klein-bottle parameters and the distance to the model for each point (n x 8 DCT coordinates). */
export function fitKleinBottle(coords: Float64Array, n: number): KleinFit {
  const t1 = new Float64Array(n);
  const t2 = new Float64Array(n);
  const errors = new Float64Array(n);
  const step = Math.PI / GRID;
  const score = (o: number, t: number) => {
    const { alpha, beta } = planeProjection(coords, o, t);
    return alpha * alpha + beta * beta;
  };
  for (let i = 0; i < n; i++) {
    const o = i * 8;
    let best = 0;
    let bestScore = -1;
    for (let g = 0; g < GRID; g++) {
      const sc = score(o, g * step);
      if (sc > bestScore) {
        bestScore = sc;
        best = g * step;
      }
    }
    // Golden-section refinement inside the neighbouring grid cells.
    let lo = best - step;
    let hi = best + step;
    const phi = (Math.sqrt(5) - 1) / 2;
    let x1 = hi - phi * (hi - lo);
    let x2 = lo + phi * (hi - lo);
    let f1 = score(o, x1);
    let f2 = score(o, x2);
    for (let it = 0; it < 30; it++) {
      if (f1 > f2) {
        hi = x2;
        x2 = x1;
        f2 = f1;
        x1 = hi - phi * (hi - lo);
        f1 = score(o, x1);
      } else {
        lo = x1;
        x1 = x2;
        f1 = f2;
        x2 = lo + phi * (hi - lo);
        f2 = score(o, x2);
      }
    }
    let t = (lo + hi) / 2;
    if (score(o, best) > score(o, t)) t = best;
    // Fold into [0, pi) before reading t2: t1 + pi with -t2 is the same patch, and the projection follows.
    t = ((t % Math.PI) + Math.PI) % Math.PI;
    const { alpha, beta, nb } = planeProjection(coords, o, t);
    // The model point F(t1,t2) is proportional to sin t2 |A_raw| A + cos t2 |B_raw| B with |A_raw| = 2 sqrt6 / 3
    // and |B_raw| = 8 nb / 9, so matching the projection's direction gives t2.
    const theta = Math.atan2(alpha / ((2 * Math.sqrt(6)) / 3), beta / ((8 * nb) / 9));
    t1[i] = t;
    t2[i] = theta < 0 ? theta + TWO_PI : theta;
    let norm2 = 0;
    for (let d = 0; d < 8; d++) norm2 += coords[o + d] * coords[o + d];
    errors[i] = Math.sqrt(Math.max(0, norm2 - 2 * Math.hypot(alpha, beta) + 1));
  }
  return { t1, t2, errors };
}
