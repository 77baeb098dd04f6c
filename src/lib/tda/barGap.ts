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
 * exponential tail z_s is F(2, 2*TAIL)-distributed, P(z >= t) = (1 + t/TAIL)^-TAIL, which sets the threshold.
 *
 * A short barcode has fewer than TAIL bars below the s-th: the spacings are then the m bars there are, the last
 * one against 0 (Renyi's representation of the whole sample, X_(n+1) = 0), their mean divides by m, not by TAIL,
 * and z_s is compared with the F(2, 2m) quantile of the same tail probability, m * (ALPHA^(-1/m) - 1) (9 at
 * m = 10, 22.5 at m = 3). Padding with zero bars and dividing by TAIL, as this rule first did, shrank the noise
 * scale by m/TAIL and made every barcode of 2 or 3 bars 2 or 3 classes (a zero spacing under the last bar): on
 * 200 draws of 10 random points on S^7 (about 3 H1 bars each) it found a class in 90% of them. With fewer than
 * MIN_TAIL bars below it a class is not judged at all: the spread of the noise cannot be estimated from one or two
 * bars, and `tooFewBars` says so, so a view can state "too few bars to judge" rather than "no class".
 *
 * Unlike the ratio of the longest bar to the next, the gap is measured in units of the noise, so a ratio of
 * 2 over a tight tail counts and a ratio of 2 over a ragged tail does not.
 */

/** Tail bars whose spacings estimate the noise scale. */
export const TAIL = 10;
/**
 * z at or above this is a class (with a full tail). P(F(2, 20) >= 9) = (1 + 9/10)^-10 = 0.0016: with three gaps
 * looked at per barcode, a barcode of pure noise shows a class in well under 1% of draws.
 */
export const GAP_THRESHOLD = 9;
/** The tail probability of GAP_THRESHOLD, kept for tails shorter than TAIL. */
const ALPHA = (1 + GAP_THRESHOLD / TAIL) ** -TAIL;
/** Fewest bars below a class (the last counted against 0) from which the noise's spread is estimated. */
export const MIN_TAIL = 3;
/** A barcode with fewer bars than this has no class that can be judged. */
export const MIN_BARS = 1 + MIN_TAIL;
/** At most this many classes are looked for in one dimension. */
export const MAX_CLASSES = 3;

/** The score a gap must reach with m tail spacings: the F(2, 2m) quantile of tail probability ALPHA. */
export function gapThreshold(m: number): number {
  return m >= TAIL ? GAP_THRESHOLD : m * (ALPHA ** (-1 / m) - 1);
}

/** Bar lengths, longest first; essential bars (death Infinity or null) end at `threshold`. */
export function barLengths(bars: ReadonlyArray<readonly [number, number | null]>, threshold: number): number[] {
  return bars
    .map(([b, d]) => (d === null || !Number.isFinite(d) ? threshold : d) - b)
    .filter((l) => Number.isFinite(l) && l > 0)
    .sort((a, b) => b - a);
}

/**
 * z_s for s = 1..MAX_CLASSES (see the module comment), with the tail spacings m_s each was measured on; z_s is 0
 * where the s-th bar is missing and null where fewer than MIN_TAIL bars lie below it (not judged). Infinity when
 * the tail has no spread at all.
 */
export function gapScores(lengths: readonly number[]): Array<number | null> {
  const at = (i: number) => (i < lengths.length ? lengths[i] : 0);
  const scores: Array<number | null> = [];
  for (let s = 1; s <= MAX_CLASSES; s++) {
    if (at(s - 1) <= 0) {
      scores.push(0);
      continue;
    }
    const m = Math.min(TAIL, lengths.length - s);
    if (m < MIN_TAIL) {
      scores.push(null);
      continue;
    }
    const gap = at(s - 1) - at(s);
    let scale = 0;
    for (let i = 1; i <= m; i++) scale += i * (at(s + i - 1) - at(s + i));
    scale /= m;
    scores.push(scale > 0 ? gap / scale : gap > 0 ? Infinity : 0);
  }
  return scores;
}

/** The number of classes that stand out: the largest s whose z_s reaches its threshold, or 0. */
export function standingClasses(lengths: readonly number[]): number {
  const z = gapScores(lengths);
  for (let s = MAX_CLASSES; s >= 1; s--) {
    const score = z[s - 1];
    if (score !== null && score >= gapThreshold(Math.min(TAIL, lengths.length - s))) return s;
  }
  return 0;
}

/** True when a barcode has too few bars for the rule to judge even one class (fewer than MIN_BARS). */
export function tooFewBars(lengths: readonly number[]): boolean {
  return lengths.length < MIN_BARS;
}

/** Longest bar over the next; null with fewer than two bars (no next bar to compare with). */
export function dominanceRatio(lengths: readonly number[]): number | null {
  return lengths.length >= 2 && lengths[1] > 0 ? lengths[0] / lengths[1] : null;
}
