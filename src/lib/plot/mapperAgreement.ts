import type { Bar } from '../result/schema';

/**
 * How many H1 bars stand out: the smallest count k (among the ten longest bars) such that the k-th longest bar is
 * more than 3 times the next one. The last bar has no next bar to be compared with, so a barcode of 7 bars never
 * has "7 bars longer than the next". A barcode with one dominant bar gives 1; one whose lengths fall off gradually
 * gives 0, however many small bars it has. Essential bars run to the threshold. The views state the verdict of
 * analysis/verdict.ts instead; this stays as the raw reading of one barcode.
 */
export function standoutBars(bars: ReadonlyArray<Bar>, threshold: number | null): { count: number; lengths: number[] } {
  const end = threshold ?? 0;
  const lengths = bars.map(([b, d]) => Math.max(0, (d ?? Math.max(end, b)) - b)).sort((x, y) => y - x);
  for (let k = 1; k <= Math.min(lengths.length - 1, 10); k++) {
    const next = lengths[k];
    if (lengths[k - 1] > 3 * next) return { count: k, lengths };
  }
  return { count: 0, lengths };
}
