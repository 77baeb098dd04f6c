// The Klein-bottle fit as a 2-D density. t1 is the gradient's direction, a half turn: (t1 + pi, -t2) is the same
// patch, so the fit reports t1 in [0, pi) and a t1 axis to 2pi would leave half the plot empty.
export const T1_MAX = Math.PI;
export const T2_MAX = 2 * Math.PI;

export interface KleinGrid {
  /** counts[row * bins + col]: col along t1 in [0, pi), row along t2 in [0, 2pi). */
  counts: Uint32Array;
  bins: number;
  peak: number;
  n: number;
}

const wrap = (x: number, period: number) => ((x % period) + period) % period;

/**
 * Counts (t1, t2) pairs in a bins x bins grid. A t1 outside [0, pi) (an older document, or another tool) is folded
 * with the patch symmetry, (t1 + pi, t2) -> (t1, -t2), so it lands where the same patch would.
 */
export function kleinGrid(t1: ArrayLike<number>, t2: ArrayLike<number>, bins: number): KleinGrid {
  const counts = new Uint32Array(bins * bins);
  const n = Math.min(t1.length, t2.length);
  let peak = 0;
  let counted = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(t1[i]) || !Number.isFinite(t2[i])) continue;
    let u = wrap(t1[i], T2_MAX);
    let v = t2[i];
    if (u >= T1_MAX) {
      u -= T1_MAX;
      v = -v;
    }
    v = wrap(v, T2_MAX);
    const col = Math.min(bins - 1, Math.floor((u / T1_MAX) * bins));
    const row = Math.min(bins - 1, Math.floor((v / T2_MAX) * bins));
    const k = row * bins + col;
    counts[k]++;
    peak = Math.max(peak, counts[k]);
    counted++;
  }
  return { counts, bins, peak, n: counted };
}

/** The grid cell a point falls in, or -1 for a point without finite parameters. */
export function kleinCell(t1: number, t2: number, bins: number): number {
  const g = kleinGrid([t1], [t2], bins);
  return g.counts.findIndex((c) => c > 0);
}
