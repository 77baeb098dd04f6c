import { describe, expect, test } from 'vitest';
import { mnistPaper, parameterSpecs } from '../../src/lib/nn/architectures';
import { pytorchParams, runSeedOf, startCheckpoint } from '../../src/lib/nn/initialisation';
import { initialState, runSeed } from '../../src/lib/nn/training';

describe("PyTorch's default initialisation", () => {
  test("its run seeds are training.ts's, so a run starts from the same seed whichever way it is started", () => {
    for (const [seed, run] of [
      [0, 0],
      [0, 29],
      [7, 3],
      [2 ** 32 - 1, 12],
    ]) {
      expect(runSeedOf(seed!, run!)).toBe(runSeed(seed!, run!));
    }
  });

  test('every tensor is uniform in +-1/sqrt(fan_in) of its layer, biases included', () => {
    const specs = parameterSpecs(mnistPaper);
    const params = pytorchParams(mnistPaper, 123);
    const fanIn = [9, 9, 576, 576, 200, 200, 512, 512];
    expect(specs.map((s) => s.name)).toHaveLength(fanIn.length);
    params.forEach((p, i) => {
      const bound = 1 / Math.sqrt(fanIn[i]!);
      let max = 0;
      let sum = 0;
      for (const v of p) {
        max = Math.max(max, Math.abs(v));
        sum += v;
      }
      expect(max).toBeLessThanOrEqual(bound);
      // Spread over the whole interval (not Glorot's narrower one), centred on zero.
      if (p.length >= 64) {
        expect(max).toBeGreaterThan(0.9 * bound);
        expect(Math.abs(sum / p.length)).toBeLessThan(0.2 * bound);
      }
    });
    // The first conv layer starts three times wider than Keras's Glorot limit sqrt(6 / (9 + 576)).
    const glorot = initialState(mnistPaper, 123).params[0]!;
    expect(Math.max(...glorot.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 585));
    expect(Math.max(...params[0]!.map(Math.abs))).toBeGreaterThan(3 * Math.sqrt(6 / 585) * 0.9);
  });

  test('a start checkpoint is reproducible from the seed and has zero Adam moments', () => {
    const a = startCheckpoint(mnistPaper, 5, 2, 'pytorch');
    const b = startCheckpoint(mnistPaper, 5, 2, 'pytorch');
    const c = startCheckpoint(mnistPaper, 5, 3, 'pytorch');
    expect(a).toMatchObject({ run: 2, step: 0, seed: runSeed(5, 2) });
    expect(a.params).toEqual(b.params);
    expect(a.params[0]).not.toEqual(c.params[0]);
    expect(a.adamM.every((m) => m.every((v) => v === 0))).toBe(true);
    expect(a.adamV.every((m) => m.every((v) => v === 0))).toBe(true);
  });
});
