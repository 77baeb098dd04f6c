import { describe, expect, test } from 'vitest';
import { evenTicks, linearScale } from '../../src/lib/plot/axis';

describe('chart axes', () => {
  test('linearScale maps the domain ends onto the pixel range and is linear in between', () => {
    const x = linearScale({ lo: 2, hi: 6 }, 8, 400);
    expect(x(2)).toBe(8);
    expect(x(6)).toBe(408);
    expect(x(3)).toBe(108);
    expect(x(7)).toBe(508); // past the domain stays linear: infinite bars are drawn by the caller
  });

  test('an empty domain maps to the start instead of NaN', () => {
    const x = linearScale({ lo: 1, hi: 1 }, 24, 268);
    expect(x(1)).toBe(24);
  });

  test('evenTicks spans the domain, both ends included', () => {
    expect(evenTicks({ lo: 0, hi: 2 })).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(evenTicks({ lo: -1, hi: 1 }, 2)).toEqual([-1, 0, 1]);
  });
});
