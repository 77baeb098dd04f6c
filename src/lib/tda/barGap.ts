/**
 * How many classes of one dimension stand out of a barcode: the longest bars against the spread of the rest.
 *
 * Noise bars of a Rips barcode are the upper tail of a skewed distribution, and the spacings between the top order
 * statistics of such a tail (Renyi's representation of an exponential tail) are independent with means sigma/1,
 * sigma/2, sigma/3, ...: the normalised spacings i * (T_i - T_{i+1}) all estimate the same scale sigma. A class that
 * stands out leaves a gap between its bar and the tail far larger than the tail's own scale. So for s = 1, 2, 3 the
 * gap after the s-th longest bar is divided by the mean normalised spacing of the next TAIL bars:
 *
 *   z_s = (L_s - L_{s+1}) / mean_{i=1..TAIL} i * (L_{s+i} - L_{s+i+1})
 *
 * and the barcode has s classes for the largest s with z_s >= GAP_THRESHOLD (0 when there is none). Under the
 * exponential tail z_s is F(2, 2*TAIL)-distributed, P(z >= t) = (1 + t/TAIL)^-TAIL, which sets the threshold. A
 * barcode with fewer bars than that is padded with zero-length bars: a short barcode of similar bars then has a
 * large tail scale (its last bar against 0) and nothing stands out, while a clean circle (one bar, nothing else)
 * does. Unlike the ratio of the longest bar to the next, the gap is measured in units of the noise, so a ratio of
 * 2 over a tight tail counts and a ratio of 2 over a ragged tail does not.
 */

/** Tail bars whose spacings estimate the noise scale. */
export const TAIL = 10;
/**
 * z at or above this is a class. P(F(2, 20) >= 9) = (1 + 9/10)^-10 = 0.0016: with three gaps looked at per
 * barcode, a barcode of pure noise shows a class in well under 1% of draws.
 */
export const GAP_THRESHOLD = 9;
/** At most this many classes are looked for in one dimension. */
export const MAX_CLASSES = 3;

/** Bar lengths, longest first; essential bars (death Infinity or null) end at `threshold`. */
export function barLengths(bars: ReadonlyArray<readonly [number, number | null]>, threshold: number): number[] {
  return bars
    .map(([b, d]) => (d === null || !Number.isFinite(d) ? threshold : d) - b)
    .filter((l) => Number.isFinite(l) && l > 0)
    .sort((a, b) => b - a);
}

/** z_s for s = 1..MAX_CLASSES (see the module comment); Infinity when the tail has no spread at all. */
export function gapScores(lengths: readonly number[]): number[] {
  const at = (i: number) => (i < lengths.length ? lengths[i] : 0);
  const scores: number[] = [];
  for (let s = 1; s <= MAX_CLASSES; s++) {
    const gap = at(s - 1) - at(s);
    if (at(s - 1) <= 0) {
      scores.push(0);
      continue;
    }
    let scale = 0;
    for (let i = 1; i <= TAIL; i++) scale += i * (at(s + i - 1) - at(s + i));
    scale /= TAIL;
    scores.push(scale > 0 ? gap / scale : gap > 0 ? Infinity : 0);
  }
  return scores;
}

/** The number of classes that stand out: the largest s with z_s >= GAP_THRESHOLD, or 0. */
export function standingClasses(lengths: readonly number[]): number {
  const z = gapScores(lengths);
  for (let s = MAX_CLASSES; s >= 1; s--) if (z[s - 1] >= GAP_THRESHOLD) return s;
  return 0;
}

/** Longest bar over the next; null with fewer than two bars (no next bar to compare with). */
export function dominanceRatio(lengths: readonly number[]): number | null {
  return lengths.length >= 2 && lengths[1] > 0 ? lengths[0] / lengths[1] : null;
}
