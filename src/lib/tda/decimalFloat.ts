/**
 * Decimal text and binary floats the way C converts them, so that `kleinscope ph` reads and prints numbers as
 * Ripser does. JS rounds twice where C rounds once (reading a float32), and rounds exact ties in printing up where
 * C rounds them to even: both show in the last printed digit.
 */
const bits64 = new Float64Array(1);
const word64 = new BigUint64Array(bits64.buffer);
const bits32 = new Float32Array(1);
const word32 = new Uint32Array(bits32.buffer);

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;

/**
 * The float32 nearest to the decimal `text`, whose nearest double is `d` (Number(text)), as strtof gives it.
 * Math.fround(d) is wrong when d lies exactly halfway between two floats while the decimal lies just off that
 * midpoint: a value written with 17 digits from a double of few significant bits does that now and then.
 */
export function nearestFloat32(text: string, d: number): number {
  const r = Math.fround(d);
  if (r === d || !Number.isFinite(r) || r === 0) return r;
  // The float on the other side of d from r: one step away from r in its bit pattern.
  bits32[0] = r;
  word32[0] += Math.abs(d) > Math.abs(r) ? 1 : -1;
  const other = bits32[0];
  // Both differences are exact (Sterbenz): d is a midpoint only if they are equal.
  if (d - r !== other - d) return r;
  const cmp = compareDecimal(text, d);
  // A true tie keeps fround's tie to even; otherwise the side the decimal is on wins.
  if (cmp === 0) return r;
  return cmp > 0 === Math.abs(other) > Math.abs(r) ? other : r;
}

/** Sign of |text| - |d|, exactly, for a decimal text; 0 when text is not plain decimal notation. */
export function compareDecimal(text: string, d: number): number {
  const m = DECIMAL.exec(text);
  if (m === null) return 0;
  const [whole, fraction = ''] = m[1].split('.');
  let lhs = BigInt(whole + fraction || '0');
  const e10 = Number(m[2] ?? 0) - fraction.length;
  bits64[0] = Math.abs(d);
  const w = word64[0];
  const exponent = Number(w >> 52n);
  let rhs = w & ((1n << 52n) - 1n);
  let e2 = -1074;
  if (exponent > 0) {
    rhs |= 1n << 52n;
    e2 = exponent - 1075;
  }
  // lhs * 10^e10 against rhs * 2^e2, with every power moved to the side where it multiplies.
  if (e10 >= 0) lhs *= 10n ** BigInt(e10);
  else rhs *= 10n ** BigInt(-e10);
  if (e2 >= 0) rhs <<= BigInt(e2);
  else lhs <<= BigInt(-e2);
  return lhs > rhs ? 1 : lhs < rhs ? -1 : 0;
}

/**
 * x to `digits` significant digits, as a decimal string in exponential notation, rounding an exact tie to even as
 * C's printf does (JS's toExponential rounds it up: 0.6328125 gives 6.32813e-1 where printf gives 6.32812e-1).
 */
export function toExponentialEven(x: number, digits: number): string {
  const s = x.toExponential(digits - 1);
  const longer = x.toExponential(digits);
  const [mantissa, exponent] = longer.split('e');
  if (!mantissa.endsWith('5') || compareDecimal(longer, x) !== 0) return s;
  const kept = mantissa.slice(0, -1);
  if (Number(kept.replace('.', '').slice(-1)) % 2 === 1) return s;
  // An exact tie after an even digit: drop the 5.
  return `${kept.endsWith('.') ? kept.slice(0, -1) : kept}e${exponent}`;
}
