/**
 * From the barcodes of B resamples to one answer per dimension: how many classes the data supports, how often each
 * count occurred, and the longest/next ratio with its interval.
 *
 * The rule: each resample's barcode is read with standingClasses (barGap.ts: a class is a bar whose gap to the
 * rest is GAP_THRESHOLD times the noise's own spread), and `significant` is the MEDIAN of those counts: the largest
 * s that at least half of the resamples reach. `agreement` is the share of resamples whose count equals it; the
 * verdict is "undecided" when that share is below AGREEMENT (barely half the resamples, or fewer, see the same
 * number of classes). A single lucky sample cannot decide: it is one vote among B.
 */
import { dominanceRatio, MAX_CLASSES, standingClasses } from './barGap';

/** Below this share of resamples agreeing with the median count the answer is "undecided". */
export const AGREEMENT = 2 / 3;

export interface DimensionConfidence {
  dim: number;
  /** The median number of standing classes over the resamples. */
  significant: number;
  /** frequency[s]: the share of resamples with s standing classes (s = 0..MAX_CLASSES). */
  frequency: number[];
  /** Share of resamples whose count is `significant`. */
  agreement: number;
  /** Longest bar over the next: on the full data (null without two bars), and the resamples' central interval. */
  ratio: { value: number | null; low: number | null; high: number | null };
  /**
   * lengths[r]: the central interval of the (r+1)-th longest bar's length over the resamples, r < MAX_CLASSES + 1
   * (a resample with fewer bars counts 0 there): the whiskers a barcode draws on its longest bars. The r-th bar of
   * a resample is its r-th longest, not a matched class of the full data; for the few bars that stand out of a
   * barcode the two are the same.
   */
  lengths: Array<{ low: number; high: number }>;
}

/** Quantile q of sorted values (linear interpolation between order statistics, R's type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * @param full the full data's bar lengths of this dimension, longest first.
 * @param resamples each resample's bar lengths of this dimension, longest first.
 * @param level the coverage of the ratio's interval (0.9: from the 5% to the 95% quantile).
 */
export function dimensionConfidence(
  dim: number,
  full: readonly number[],
  resamples: ReadonlyArray<readonly number[]>,
  level: number,
): DimensionConfidence {
  const counts = resamples.map(standingClasses).sort((a, b) => a - b);
  const frequency = Array.from({ length: MAX_CLASSES + 1 }, () => 0);
  for (const c of counts) frequency[c] += 1 / counts.length;
  // The upper median: with an even B and a tie at the middle the larger count needs half the resamples, no more.
  const significant = counts.length ? counts[Math.floor(counts.length / 2)] : standingClasses(full);
  const ratios = resamples
    .map(dominanceRatio)
    .filter((r): r is number => r !== null)
    .sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  const lengths = counts.length
    ? Array.from({ length: MAX_CLASSES + 1 }, (_, r) => {
        const at = resamples.map((l) => l[r] ?? 0).sort((a, b) => a - b);
        return { low: quantile(at, tail), high: quantile(at, 1 - tail) };
      })
    : [];
  return {
    dim,
    significant,
    frequency,
    agreement: counts.length ? counts.filter((c) => c === significant).length / counts.length : 0,
    ratio: {
      value: dominanceRatio(full),
      low: ratios.length ? quantile(ratios, tail) : null,
      high: ratios.length ? quantile(ratios, 1 - tail) : null,
    },
    lengths,
  };
}
