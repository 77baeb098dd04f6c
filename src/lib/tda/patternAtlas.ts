/**
 * The pattern atlas of a set of 3x3 filters: which of the paper's patterns each one is (Carlsson et al. 2008;
 * figure 6 of Gabrielsson & Carlsson 2019), with stated tolerances. Every filter is a point of S^7 (mean-centred,
 * unit norm, in the orthonormal DCT coordinates of dct.ts, so angles are the same as between the centred pixel
 * patches).
 *
 * - klein: within KLEIN_ANGLE (30 degrees) of the Klein-bottle model F(t1,t2) of patchModels.ts, i.e. the chord to
 *   its nearest model point is at most 2 sin 15 degrees = 0.518;
 * - edge: on the Klein bottle with t2 within EDGE_LINE_ANGLE (15 degrees) of +-pi/2 (a pure linear gradient: the
 *   primary circle);
 * - line: on the Klein bottle with t2 within 15 degrees of 0 or pi (a pure quadratic: a line on a background, the
 *   secondary circles);
 * - other: on the Klein bottle, neither an edge nor a line;
 * - centre: within CENTRE_ANGLE (30 degrees) of +-(the centre tap, mean-centred): a bulls-eye, centre-surround;
 * - off: none of these.
 *
 * Precedence: a filter's exclusive class is edge, line or other when it is on the Klein bottle, else centre, else
 * off; `klein` is the union of the first three. The centre patch is 60 degrees from the Klein bottle (it has no
 * linear part, and its largest projection on a model plane is 1/2), so the two 30-degree balls meet only on their
 * boundaries and the order decides nothing on real data; it is fixed so that the classes partition the filters.
 */
import { fromDct, toDct } from './dct';
import { fitKleinBottle, type KleinFit } from './patchModels';

export const KLEIN_ANGLE = Math.PI / 6;
export const EDGE_LINE_ANGLE = Math.PI / 12;
export const CENTRE_ANGLE = Math.PI / 6;
/** Chord on the unit sphere that subtends KLEIN_ANGLE: 2 sin 15 degrees = 0.518. */
export const KLEIN_CHORD = 2 * Math.sin(KLEIN_ANGLE / 2);

/** The exclusive classes, in label order: each filter has exactly one. */
export const PATTERNS = ['edge', 'line', 'other', 'centre', 'off'] as const;
export type Pattern = (typeof PATTERNS)[number];
/** The classes with a share: the exclusive ones and their union on the Klein bottle. */
export type PatternShareKey = Pattern | 'klein';
export const SHARE_KEYS: readonly PatternShareKey[] = ['klein', 'edge', 'line', 'centre', 'other', 'off'];

export interface PatternClassSummary {
  count: number;
  /** count / n (0 when n = 0). */
  share: number;
  /**
   * The class's mean filter (row-major 3x3, mean zero), each member's sign chosen first so that opposite patches
   * do not cancel (F(t1, t2 + pi) = -F(t1, t2)): centre members point along +centre tap, lines take the
   * representative with cos t2 > 0 (a dark line on a bright background), edges and other Klein-bottle members the
   * one with sin t2 > 0; off members keep their own sign. Zeros for an empty class.
   */
  meanFilter: Float64Array;
}

export interface PatternAtlas {
  n: number;
  /** Index into PATTERNS for each filter, in input order. */
  labels: Uint8Array;
  classes: Record<PatternShareKey, PatternClassSummary>;
}

/** The centre tap, mean-centred and unit norm, in DCT coordinates. */
export const CENTRE_DCT: Float64Array = (() => {
  const patch = new Float64Array(9).fill(-1 / 9);
  patch[4] = 8 / 9;
  const c = toDct(patch, 1);
  let norm = 0;
  for (const v of c) norm += v * v;
  return c.map((v) => v / Math.sqrt(norm));
})();

/** Angular distance from t (radians) to the nearest of the angles k * period + offset. */
function offBy(t: number, period: number, offset: number): number {
  const x = t - offset;
  return Math.abs(x - period * Math.round(x / period));
}

/**
 * The atlas of n points given as n x 8 DCT coordinates (scaled to unit norm here, so any non-zero length works).
 * `fit` may pass the Klein-bottle fit of the same unit-norm points when the caller already has it.
 */
export function patternAtlas(coords: Float64Array, n: number, fit?: KleinFit): PatternAtlas {
  if (coords.length < n * 8) throw new RangeError(`patternAtlas: expected ${n * 8} coordinates, got ${coords.length}`);
  const unit = new Float64Array(n * 8);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < 8; d++) norm += coords[i * 8 + d] ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) throw new RangeError(`patternAtlas: point ${i} is zero or not finite`);
    for (let d = 0; d < 8; d++) unit[i * 8 + d] = coords[i * 8 + d] / norm;
  }
  const klein = fit ?? fitKleinBottle(unit, n);
  const cosCentre = Math.cos(CENTRE_ANGLE);
  const labels = new Uint8Array(n);
  // Each member's coordinates with the sign its class's mean takes (see PatternClassSummary.meanFilter).
  const signed = new Float64Array(n * 8);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let d = 0; d < 8; d++) dot += unit[i * 8 + d] * CENTRE_DCT[d];
    let label: Pattern;
    let sign = 1;
    const t2 = klein.t2[i];
    if (klein.errors[i] <= KLEIN_CHORD) {
      if (offBy(t2, Math.PI, Math.PI / 2) <= EDGE_LINE_ANGLE) label = 'edge';
      else if (offBy(t2, Math.PI, 0) <= EDGE_LINE_ANGLE) label = 'line';
      else label = 'other';
      // Lines sit at t2 = 0 and pi, so they are folded onto cos t2 > 0; edges and the rest onto sin t2 > 0, whose
      // fold (t2 = 0, pi) is at least 15 degrees away from them.
      if ((label === 'line' ? Math.cos(t2) : Math.sin(t2)) < 0) sign = -1;
    } else if (Math.abs(dot) >= cosCentre) {
      label = 'centre';
      if (dot < 0) sign = -1;
    } else label = 'off';
    labels[i] = PATTERNS.indexOf(label);
    for (let d = 0; d < 8; d++) signed[i * 8 + d] = sign * unit[i * 8 + d];
  }
  const summary = (member: (label: number) => boolean): PatternClassSummary => {
    const sum = new Float64Array(8);
    let count = 0;
    for (let i = 0; i < n; i++)
      if (member(labels[i])) {
        count++;
        for (let d = 0; d < 8; d++) sum[d] += signed[i * 8 + d];
      }
    if (count) for (let d = 0; d < 8; d++) sum[d] /= count;
    return { count, share: n ? count / n : 0, meanFilter: fromDct(sum, 1) };
  };
  const onKlein = new Set([0, 1, 2]);
  const classes = {
    klein: summary((l) => onKlein.has(l)),
    ...Object.fromEntries(PATTERNS.map((p, index) => [p, summary((l) => l === index)])),
  } as Record<PatternShareKey, PatternClassSummary>;
  return { n, labels, classes };
}
