// The one set of bounds on the analysis parameters a person chooses. The lab's form takes its min/max from here,
// the lab checks a run against it, and the pipeline (the worker's and the CLI's) refuses anything outside it; so
// a value the form marks invalid is never computed, and a value it accepts never fails later.

export interface NumberLimit {
  min: number;
  max: number;
  integer: boolean;
}

export const ANALYSIS_LIMITS = {
  /** Neighbours for the codensity; beyond a few thousand it is no longer a local density on any input we take. */
  k: { min: 1, max: 100_000, integer: true },
  /** Percentage of the densest filters kept: 0.1% of 100k filters is still 100 points. */
  p: { min: 0.1, max: 100, integer: false },
  /** Intervals per lens axis (when not chosen automatically); the cover guard refuses covers too large to build. */
  resolution: { min: 1, max: 1000, integer: true },
  gain: { min: 1, max: 100, integer: false },
  maxDim: { min: 0, max: 2, integer: true },
  modulus: { min: 2, max: 251, integer: true },
} as const satisfies Record<string, NumberLimit>;

export type LimitedParam = keyof typeof ANALYSIS_LIMITS;

/** What is wrong with `value` for `name` ("is above 1000", "is not a whole number"), or null if it is within. */
export function limitProblem(name: LimitedParam, value: unknown): string | null {
  const limit: NumberLimit = ANALYSIS_LIMITS[name];
  const v = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(v)) return `'${String(value)}' is not a number`;
  if (limit.integer && !Number.isInteger(v)) return `${v} is not a whole number`;
  if (v < limit.min) return `${v} is below ${limit.min}`;
  if (v > limit.max) return `${v} is above ${limit.max}`;
  return null;
}
