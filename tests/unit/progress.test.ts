// The lab's progress: the analysis bar moves during persistence, the ETA does not jump around snapshots, and a
// pooled training's label names the runs that train together.
import { describe, expect, test } from 'vitest';
import { analyzeFilters } from '../../src/lib/analysis/pipeline';
import { createEta, trainingDetail } from '../../src/lib/lab/eta';
import { circleSample } from './analysisSamples';

describe('analysis progress', () => {
  test('persistence reports its own progress between 45% and 75%, always forward', async () => {
    const { filters } = circleSample(500, { outliers: 0.1, seed: 4 });
    const seen: Array<[string, number]> = [];
    await analyzeFilters(
      filters,
      { kind: 'synthetic', dataset: 'circle' },
      { k: 20, p: 60, maxDim: 1, resolution: 8 },
      {
        onProgress: (stage, fraction) => seen.push([stage, fraction]),
      },
    );
    const ph = seen.filter(([stage]) => stage === 'ph').map(([, f]) => f);
    // Before, 'ph' was reported once, at its start; the engine's checkpoints now move the bar within it.
    expect(ph.length).toBeGreaterThan(2);
    expect(ph[0]).toBe(0.45);
    expect(Math.max(...ph)).toBeLessThanOrEqual(0.75);
    expect(Math.max(...ph)).toBeGreaterThan(0.55);
    const all = seen.map(([, f]) => f);
    expect(all.every((f, i) => i === 0 || f >= all[i - 1])).toBe(true);
  });
});

describe('training ETA', () => {
  /**
   * 400 steps of 50 ms with a 5 s snapshot every 100 steps (the true average is 100 ms a step), after a 2 s
   * warm-up on the first step. Returns the ETA shown after each step and the true time left.
   */
  function simulate() {
    const eta = createEta(400);
    let t = 0;
    eta.update(0, t);
    const shown: Array<{ step: number; eta: number | null; truth: number }> = [];
    const times: number[] = [];
    for (let step = 1; step <= 400; step++) {
      t += step === 1 ? 2000 : 50;
      if (step % 100 === 0) t += 5000;
      times.push(t);
      eta.update(step, t);
      shown.push({ step, eta: eta.secondsLeft(), truth: 0 });
    }
    for (const s of shown) s.truth = (times[399] - times[s.step - 1]) / 1000;
    return shown;
  }

  // Near the end the last snapshot is a large share of what is left; the check stops before that.
  test('stays within a factor two of the time left once a snapshot has been seen, and never jumps 3x', () => {
    const shown = simulate();
    for (const s of shown.filter((x) => x.step > 110 && x.step < 300)) {
      expect(s.eta, `step ${s.step}`).not.toBeNull();
      expect(s.eta! / s.truth, `step ${s.step}: ${s.eta} s shown, ${s.truth} s left`).toBeLessThan(2);
      expect(s.eta! / s.truth, `step ${s.step}: ${s.eta} s shown, ${s.truth} s left`).toBeGreaterThan(0.5);
    }
    for (let i = 11; i < shown.length; i++) {
      const [a, b] = [shown[i - 1].eta!, shown[i].eta!];
      if (a > 1 && b > 1) expect(Math.max(a / b, b / a), `step ${shown[i].step}: ${a} s then ${b} s`).toBeLessThan(3);
    }
  });
});

describe('training label', () => {
  test('runs that train together are named together, not as "run 2/2"', () => {
    expect(trainingDetail([10, 10], 1, 10, 0.5)).toBe('runs 1–2 of 2 together, step 10, loss 0.500');
    expect(trainingDetail([10, 9, 0], 0, 10, 0.25)).toBe('run 1 of 3, step 10, loss 0.250');
    expect(trainingDetail([100, 40, 40], 2, 40, 1)).toBe('runs 2–3 of 3 together, step 40, loss 1.000');
    expect(trainingDetail([7], 0, 7, 2)).toBe('step 7, loss 2.000');
  });
});
