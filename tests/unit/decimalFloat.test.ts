import { describe, expect, test } from 'vitest';
import { nearestFloat32, toExponentialEven } from '../../src/lib/tda/decimalFloat';
import { formatValue } from '../../src/lib/tda/ripserFormats';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const hex = (x: number) => {
  f32[0] = x;
  return u32[0].toString(16).padStart(8, '0');
};
const parse = (text: string) => nearestFloat32(text, Number(text));

describe('nearestFloat32', () => {
  // Each of these decimals has a nearest double that lies exactly halfway between two floats, while the decimal
  // itself lies just off the midpoint; the expected bits are glibc strtof's.
  test.each([
    ['0.013518491294234991', '3c5d7ca9'],
    ['-0.070058558136224747', 'bd8f7add'],
    ['0.090796131640672684', '3db9f353'],
    ['9.0796131640672684e-2', '3db9f353'],
  ])('%s rounds to float %s, not to the double rounding of Math.fround', (text, bits) => {
    expect(hex(Math.fround(Number(text)))).not.toBe(bits);
    expect(hex(parse(text))).toBe(bits);
  });

  test('an exact midpoint ties to even, as fround does', () => {
    // 1 + 2^-24 lies halfway between 1 and 1 + 2^-23.
    expect(parse('1.000000059604644775390625')).toBe(1);
    // 1 + 3 * 2^-24 lies halfway between 1 + 2^-23 and 1 + 2^-22; the even one is 1 + 2^-22.
    expect(parse('1.000000178813934326171875')).toBe(1 + 2 ** -22);
  });

  test('values that are not at a midpoint are fround of the double', () => {
    for (const text of ['0', '-0', '1', '0.1', '3.14159', '1e-30', '6.02214076e23', '0.5590688801286003'])
      expect(parse(text)).toBe(Math.fround(Number(text)));
    expect(parse('1e300')).toBe(Infinity);
    expect(parse('1e-400')).toBe(0);
  });
});

describe('printing as printf does', () => {
  // Expected strings are glibc printf's %g (and %.5e) of the same doubles.
  test('an exact tie rounds to even; anything off the tie rounds to nearest', () => {
    expect(toExponentialEven(0.6328125, 6)).toBe('6.32812e-1');
    expect(toExponentialEven(0.6328135, 6)).toBe(Number(0.6328135).toExponential(5));
    expect(toExponentialEven(0.6328375, 6)).toBe('6.32838e-1'); // not exact in binary: just above the tie
    expect(toExponentialEven(-2.5, 1)).toBe('-2e+0');
    expect(toExponentialEven(3.5, 1)).toBe('4e+0');
  });

  test.each([
    [0.6328125, '0.632812'],
    [-0.6328125, '-0.632812'],
    [501272.5, '501272'],
    [2081145, '2.08114e+06'],
    [123456.5, '123456'],
    [999999.5, '1e+06'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [100000, '100000'],
    [1234567, '1.23457e+06'],
    [4.242640687119285, '4.24264'],
  ])('formatValue(%s) is %s', (x, text) => {
    expect(formatValue(x)).toBe(text);
  });
});
