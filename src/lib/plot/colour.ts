// Colour scales shared by the Svelte views and the SVG export, so a downloaded graph looks like the page.

/** Grey level of a filter weight: -maxAbs is black, 0 mid grey, +maxAbs white (symmetric, so signs read alike). */
export function greyOf(value: number, maxAbs: number): string {
  const t = maxAbs > 0 ? Math.max(-1, Math.min(1, value / maxAbs)) : 0;
  const g = Math.round(127.5 + 127.5 * t);
  return `rgb(${g},${g},${g})`;
}

// Viridis, sampled at nine stops: perceptually even and readable by people with common colour blindness.
const VIRIDIS: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** Sequential colour for t in [0, 1] (clamped). */
export function sequential(t: number): string {
  const x = Number.isFinite(t) ? Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1) : 0;
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  const c = (k: number) => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${c(0)},${c(1)},${c(2)})`;
}

/**
 * Cyclic colour for an angle in radians. Gradient angles t and t + pi are the same edge with opposite
 * contrast, so the hue goes round once per full turn and both ends of [0, 2pi) meet.
 */
export function cyclic(angle: number): string {
  const turn = (((angle / (2 * Math.PI)) % 1) + 1) % 1;
  return `hsl(${Math.round(turn * 360)},70%,50%)`;
}

/** Largest absolute entry, for a symmetric scale over several filters at once. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/**
 * The pattern atlas's classes (tda/patternAtlas.ts, label order: edge, line, other on the Klein bottle, centre,
 * off) and their colours: Okabe-Ito hues, told apart with common colour blindness; off is a light grey.
 */
export const PATTERN_NAMES = ['edge', 'line', 'other on Klein', 'centre', 'off'] as const;
export const PATTERN_COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#c8c8c8'] as const;
