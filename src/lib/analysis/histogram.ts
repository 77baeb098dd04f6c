import type { Histogram } from '../result/schema';

/** Counts of values in `bins` equal bins over [min, max]; the last bin is closed, values outside are ignored. */
export function histogram(values: ArrayLike<number>, bins: number, min?: number, max?: number): Histogram {
  let lo = min ?? Infinity;
  let hi = max ?? -Infinity;
  if (min === undefined || max === undefined)
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (min === undefined && v < lo) lo = v;
      if (max === undefined && v > hi) hi = v;
    }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi <= lo) hi = lo + 1;
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  return { min: lo, max: hi, counts };
}

/** The centre of the fullest bin (the first, on ties). */
export function histogramPeak(h: Histogram): number {
  let best = 0;
  h.counts.forEach((c, i) => {
    if (c > h.counts[best]) best = i;
  });
  return h.min + ((best + 0.5) * (h.max - h.min)) / h.counts.length;
}
