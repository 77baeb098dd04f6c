/** A closed range of data values, lo <= hi. */
export interface Domain {
  lo: number;
  hi: number;
}

/**
 * Maps `domain` onto `length` pixels starting at `start`. An empty domain (lo = hi) maps everything to `start`
 * rather than to NaN, so a histogram of one repeated value still draws.
 */
export function linearScale(domain: Domain, start: number, length: number): (v: number) => number {
  const span = domain.hi - domain.lo || 1;
  return (v) => start + ((v - domain.lo) / span) * length;
}

/** `intervals + 1` evenly spaced values from `domain.lo` to `domain.hi`, both ends included. */
export function evenTicks(domain: Domain, intervals = 4): number[] {
  return Array.from({ length: intervals + 1 }, (_, t) => domain.lo + ((domain.hi - domain.lo) * t) / intervals);
}
