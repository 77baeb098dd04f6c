import type { Bar } from '../result/schema';

/**
 * How many H1 bars stand out: the smallest count k (among the ten longest bars) such that the k-th longest bar is
 * more than 3 times the next one (a missing bar has length 0). A barcode with one dominant bar gives 1; one whose
 * lengths fall off gradually gives 0, however many small bars it has. Essential bars run to the threshold.
 */
export function standoutBars(bars: ReadonlyArray<Bar>, threshold: number | null): { count: number; lengths: number[] } {
  const end = threshold ?? 0;
  const lengths = bars.map(([b, d]) => Math.max(0, (d ?? Math.max(end, b)) - b)).sort((x, y) => y - x);
  for (let k = 1; k <= Math.min(lengths.length, 10); k++) {
    const next = lengths[k] ?? 0;
    if (lengths[k - 1] > 3 * next) return { count: k, lengths };
  }
  return { count: 0, lengths };
}
