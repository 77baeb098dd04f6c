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

/** The decimals a tick step needs, so 0.1 + 0.2 prints as 0.3. */
function decimalsOf(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/**
 * Round tick values inside `domain`: a step of 1, 2 or 5 times a power of ten, chosen so that about `count`
 * ticks fall in the range (d3's rule), each rounded to the step's decimals.
 */
export function niceTicks(domain: Domain, count = 5): number[] {
  const span = domain.hi - domain.lo;
  if (!(span > 0) || !Number.isFinite(span)) return [domain.lo];
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  const step = power * (error >= 7.07 ? 10 : error >= 3.16 ? 5 : error >= 1.41 ? 2 : 1);
  const decimals = decimalsOf(step);
  const first = Math.ceil(domain.lo / step - 1e-9);
  const last = Math.floor(domain.hi / step + 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toFixed(decimals)));
  return ticks;
}
