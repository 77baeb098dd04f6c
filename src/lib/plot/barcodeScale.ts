import type { Bar } from '../result/schema';

/** The axis of a barcode or persistence diagram: from 0 (or the smallest birth) to past the largest finite value. */
export interface PersistenceDomain {
  lo: number;
  hi: number;
}

/** One domain shared by all dimensions, so bars of H0, H1 and H2 can be compared by eye. */
export function persistenceDomain(diagrams: readonly (readonly Bar[])[], threshold?: number | null): PersistenceDomain {
  let lo = 0;
  let hi = 0;
  for (const bars of diagrams)
    for (const [b, d] of bars) {
      lo = Math.min(lo, b);
      hi = Math.max(hi, b, d ?? b);
    }
  if (threshold != null && Number.isFinite(threshold)) hi = Math.max(hi, threshold);
  if (hi <= lo) hi = lo + 1;
  // Headroom so the longest finite bar does not touch the edge reserved for infinite ones.
  return { lo, hi: lo + (hi - lo) * 1.08 };
}

/** Bars longest first, infinite ones on top: the signal reads first and the noise trails below. */
export function sortedBars<T extends readonly [number, number | null, ...unknown[]]>(bars: readonly T[]): T[] {
  const len = ([b, d]: T) => (d === null ? Infinity : d - b);
  return [...bars].sort((p, q) => len(q) - len(p) || p[0] - q[0]);
}

export function formatValue(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 || a < 0.001 ? v.toExponential(2) : Number(v.toPrecision(3)).toString();
}
