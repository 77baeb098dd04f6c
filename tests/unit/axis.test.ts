import { describe, expect, test } from 'vitest';
import { evenTicks, linearScale, niceTicks } from '../../src/lib/plot/axis';

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

describe('round ticks', () => {
  test('steps of 1, 2 or 5 times a power of ten, inside the domain, with no float noise', () => {
    expect(niceTicks({ lo: 0, hi: 1 })).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks({ lo: 0.0137, hi: 0.4123 })).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks({ lo: 0, hi: 812 })).toEqual([0, 200, 400, 600, 800]);
    expect(niceTicks({ lo: -0.35, hi: 0.35 }, 4)).toEqual([-0.2, 0, 0.2]);
    for (const t of niceTicks({ lo: 0.123456, hi: 0.987654 })) expect(String(t).length).toBeLessThanOrEqual(4);
  });

  test('an empty or broken domain gives its one value', () => {
    expect(niceTicks({ lo: 2, hi: 2 })).toEqual([2]);
    expect(niceTicks({ lo: 0, hi: Infinity })).toEqual([0]);
  });
});
