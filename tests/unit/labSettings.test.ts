import { describe, expect, test } from 'vitest';
import { createEta, formatDuration, parseSchedule } from '../../src/lib/lab/eta';
import {
  defaultAnalysisParams,
  defaultRunSettings,
  validateAnalysisParams,
  validateRunSettings,
} from '../../src/lib/lab/settings';
import { toGrey } from '../../src/lib/lab/images';

describe('snapshot schedule', () => {
  test('"every N" lists the multiples of N and always ends at the last step', () => {
    expect(parseSchedule('every 50', 200)).toEqual([50, 100, 150, 200]);
    expect(parseSchedule('every 30', 100)).toEqual([30, 60, 90, 100]);
  });
  test('explicit lists are sorted, deduplicated and get the last step', () => {
    expect(parseSchedule('500, 100 100;20', 600)).toEqual([20, 100, 500, 600]);
  });
  test('bad schedules say what is wrong', () => {
    expect(() => parseSchedule('every 0', 10)).toThrow(/N > 0/);
    expect(() => parseSchedule('10, x', 10)).toThrow(/"x" is not a whole number/);
    expect(() => parseSchedule('20', 10)).toThrow(/step 20 is outside 1..10/);
    expect(() => parseSchedule('  ', 10)).toThrow(/give steps/);
  });
});

describe('ETA', () => {
  test('extrapolates the rate after the first progress, and knows nothing before', () => {
    const eta = createEta(100);
    eta.update(0, 0);
    expect(eta.secondsLeft()).toBeNull();
    eta.update(10, 5000); // the first progress: warm-up, not counted
    expect(eta.secondsLeft()).toBeNull();
    eta.update(20, 6000); // 100 ms per unit, 80 units left
    expect(eta.secondsLeft()).toBeCloseTo(8, 6);
  });
  test('leaves the slow warm-up out', () => {
    const eta = createEta(100);
    eta.update(0, 0);
    eta.update(1, 5000); // warm-up: 5 s for one step
    for (let d = 2, t = 5000; d <= 20; d++) eta.update(d, (t += 100));
    const left = eta.secondsLeft()!;
    expect(left).toBeGreaterThan(80 * 0.1 * 0.99);
    expect(left).toBeLessThan(80 * 0.2);
  });
  test('formats durations for people', () => {
    expect(formatDuration(null)).toBe('…');
    expect(formatDuration(12.4)).toBe('12 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
  });
});

describe('lab settings', () => {
  test('the defaults are valid', () => {
    const run = validateRunSettings(defaultRunSettings());
    expect(run.snapshotSteps).toEqual([50, 100, 150, 200]);
    expect(validateAnalysisParams(defaultAnalysisParams())).toEqual(defaultAnalysisParams());
  });
  test('out-of-range values are refused with the field name', () => {
    expect(() => validateRunSettings({ ...defaultRunSettings(), runs: 0 })).toThrow(/Runs/);
    expect(() => validateRunSettings({ ...defaultRunSettings(), steps: 1.5 })).toThrow(/Steps per run/);
    expect(() => validateAnalysisParams({ ...defaultAnalysisParams(), p: 0 })).toThrow(/p: 0 is below 0.1/);
    expect(() => validateAnalysisParams({ ...defaultAnalysisParams(), modulus: 1 })).toThrow(/Modulus/);
    expect(() => validateAnalysisParams({ ...defaultAnalysisParams(), k: Number.NaN })).toThrow(
      /k: 'NaN' is not a number/,
    );
  });
});

test('RGBA to grey uses luma weights on the 0-255 scale', () => {
  const grey = toGrey(new Uint8ClampedArray([255, 255, 255, 255, 255, 0, 0, 255, 0, 0, 0, 0]));
  expect(Array.from(grey).map((v) => Math.round(v * 1000) / 1000)).toEqual([255, 76.245, 0]);
});
