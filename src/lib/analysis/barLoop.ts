// Where an H1 bar's loop runs through the Mapper graph. A result keeps the bar's Z/2 cocycle, which marks where
// the loop is cut open, not the loop itself. The loop is the bar's circular coordinate (de Silva, Morozov &
// Vejdemo-Johansson): recompute the core's H1 over Z/47 (an integer lift needs a large prime), take the class of
// the bar asked for, and map every core point to the circle; a node's value is its members' circular mean, so the
// graph shows the loop going once round the colour wheel. It needs the core's own filters, which a document keeps
// when its core is small (preprocessing.coreFilters).
import { preprocess } from './preprocess';
import { ripsPersistence } from '../tda/ripsCohomology';
import { circularCoordinates } from '../tda/circularCoordinates';

const LIFT_MODULUS = 47;

export interface BarLoop {
  /** Circle value in [0, 2pi) of each core point, in core order. */
  angles: Float64Array;
  /** The Z/47 bar whose class was used: the one closest to the bar asked for. */
  bar: [number, number];
}

/**
 * The circular coordinate of the H1 bar [birth, death) of the core whose filters are `coreFilters` (9 numbers
 * each, as the analysis kept them). Null when the core has no H1 class near that bar.
 */
export function barLoop(coreFilters: ArrayLike<number>, birth: number, death: number | null): BarLoop | null {
  const pre = preprocess(coreFilters, 0);
  const n = pre.nKept;
  if (n !== coreFilters.length / 9) return null; // a zero filter in the core: indices would no longer match
  const ph = ripsPersistence(
    { kind: 'points', n, dim: 8, coords: pre.coords },
    { maxDim: 1, modulus: LIFT_MODULUS, cocycles: true },
  );
  const bars = ph.diagrams[1] ?? [];
  const end = (d: number) => (Number.isFinite(d) ? d : ph.threshold);
  const wanted = death ?? ph.threshold;
  let best = -1;
  let bestGap = Infinity;
  bars.forEach(([b, d], i) => {
    const gap = Math.abs(b - birth) + Math.abs(end(d) - wanted);
    if (gap < bestGap) [best, bestGap] = [i, gap];
  });
  const cocycle = best >= 0 ? ph.cocycles?.[best] : undefined;
  // Over Z/2 and Z/47 the same class has the same bar here (no torsion in a circle's H1); a bar far from the one
  // asked for is another class, and colouring by it would mislead.
  if (!cocycle || bestGap > 1e-3 * Math.max(1, wanted)) return null;
  const [b, d] = bars[best]!;
  const scale = b + 0.5 * (end(d) - b);
  return { angles: circularCoordinates(pre.coords, n, 8, cocycle, { modulus: LIFT_MODULUS, scale }), bar: [b, d] };
}

/** Each node's members' circular mean of `angles`, in [0, 2pi); NaN for a node with no member. */
export function nodeLoopValues(nodes: ReadonlyArray<{ members: readonly number[] }>, angles: ArrayLike<number>) {
  return Float64Array.from(nodes, (node) => {
    let s = 0;
    let c = 0;
    for (const m of node.members) {
      const a = angles[m];
      if (a === undefined || !Number.isFinite(a)) continue;
      s += Math.sin(a);
      c += Math.cos(a);
    }
    if (s === 0 && c === 0) return Number.NaN;
    const t = Math.atan2(s, c);
    return t < 0 ? t + 2 * Math.PI : t;
  });
}
