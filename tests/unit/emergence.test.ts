import { describe, expect, test } from 'vitest';
import {
  dominance,
  emergenceMarkdown,
  emergencePanels,
  emergenceRows,
  formatEmergenceTable,
  mapperLoops,
  meanAccuracyByStep,
  twoLongestH1,
  type EmergenceInput,
} from '../../src/lib/analysis/emergence';
import type { Bar } from '../../src/lib/result/schema';

/** The fields a row reads, with a Mapper graph that is one square (4 nodes, 4 edges: one loop). */
function doc(step: number | undefined, layer: number | undefined, h1: Bar[], nearAxes: number, loops?: number) {
  const node = (id: number) => ({ id, size: 1, members: [id], meanFilter: new Array(9).fill(0), density: 1, lens: [] });
  return {
    source: { kind: 'training', dataset: 'mnist', step, layer },
    preprocessing: { nCore: 120 },
    persistence: { threshold: 1.5, diagrams: [[], h1] },
    mapper: {
      nodes: [0, 1, 2, 3].map(node),
      edges: [
        [0, 1, 1],
        [1, 2, 1],
        [2, 3, 1],
        [3, 0, 1],
      ],
      ...(loops !== undefined ? { loops } : {}),
    },
    modelFit: { primaryCircle: { shareHorizontalVertical: nearAxes } },
  } as unknown as EmergenceInput;
}

describe('emergence rows', () => {
  test('the two longest H1 bars, an essential bar reaching the threshold', () => {
    const [x, y] = twoLongestH1(
      doc(
        1,
        1,
        [
          [0.1, 0.3],
          [0.2, 0.9],
          [0.05, 0.2],
        ],
        0,
      ),
    );
    expect(x).toBeCloseTo(0.7, 12);
    expect(y).toBeCloseTo(0.2, 12);
    const [a, b] = twoLongestH1(
      doc(
        1,
        1,
        [
          [0.4, null],
          [0.1, 0.5],
        ],
        0,
      ),
    );
    expect(a).toBeCloseTo(1.1, 12);
    expect(b).toBeCloseTo(0.4, 12);
    expect(twoLongestH1(doc(1, 1, [], 0))).toEqual([0, 0]);
  });

  test('dominance is longest over next; one bar alone dominates without bound', () => {
    expect(dominance(0.64, 0.21)).toBeCloseTo(3.0476, 4);
    expect(dominance(0.5, 0)).toBe(Infinity);
    expect(dominance(0, 0)).toBe(0);
  });

  test("a document's stated loop count wins over the graph's cycle rank", () => {
    expect(mapperLoops(doc(1, 1, [], 0))).toBe(1);
    expect(mapperLoops(doc(1, 1, [], 0, 0))).toBe(0);
  });

  test('rows are sorted by step then layer and carry the accuracy of their step', () => {
    const acc = meanAccuracyByStep([
      { step: 100, accuracy: 0.8 },
      { step: 100, accuracy: 0.9 },
      { step: 800, accuracy: 0.97 },
    ]);
    const rows = emergenceRows(
      [
        doc(800, 2, [[0, 0.3]], 0.4),
        doc(
          800,
          1,
          [
            [0.1, 0.74],
            [0.2, 0.41],
          ],
          0.51,
        ),
        doc(
          100,
          1,
          [
            [0.1, 0.39],
            [0.1, 0.38],
          ],
          0.35,
        ),
      ],
      (s) => acc.get(s) ?? null,
    );
    expect(rows.map((r) => [r.step, r.layer])).toEqual([
      [100, 1],
      [800, 1],
      [800, 2],
    ]);
    expect(rows[0]!.accuracy).toBeCloseTo(0.85, 12);
    expect(rows[1]).toMatchObject({ accuracy: 0.97, nearAxes: 0.51, loops: 1, core: 120 });
    expect(rows[1]!.longest).toBeCloseTo(0.64, 12);
    expect(rows[1]!.next).toBeCloseTo(0.21, 12);
    expect(rows[2]!.dominance).toBe(Infinity);
    const table = formatEmergenceTable(rows).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toMatch(
      /^\s*800\s+1\s+0\.970\s+0\.640\s+0\.210\s+3\.05\s+1\s+51%\s+120\s+(none|circle|classes|undecided) \(1 sample\)$/,
    );
    expect(table[3]).toMatch(/\binf\b/);
    expect(emergenceMarkdown(rows).split('\n')[3]).toBe('| 800 | 1 | 0.970 | 0.640 | 0.210 | 3.05 | 1 | 51% |');
  });

  test("the plot's panels are figure 5's rows: one per layer, layer 1 first, each by step", () => {
    const bars: Bar[] = [
      [0, 0.5],
      [0, 0.2],
    ];
    const rows = emergenceRows([
      doc(400, 2, bars, 0.4),
      doc(100, 2, bars, 0.4),
      doc(400, 1, bars, 0.5),
      doc(100, 1, bars, 0.3),
      doc(undefined, undefined, bars, 0.3),
    ]);
    const panels = emergencePanels(rows);
    expect(panels.map((p) => [p.layer, p.rows.map((r) => r.step)])).toEqual([
      [1, [100, 400]],
      [2, [100, 400]],
    ]);
    expect(panels[1]!.rows.every((r) => r.layer === 2)).toBe(true);
    expect(emergencePanels([])).toEqual([]);
  });

  test('filters from no training (photo patches) give a row without step, layer or accuracy', () => {
    const [row] = emergenceRows(
      [
        doc(
          undefined,
          undefined,
          [
            [0, 0.5],
            [0, 0.1],
          ],
          0.4,
        ),
      ],
      () => 0.5,
    );
    expect(row).toMatchObject({ step: null, layer: null, accuracy: null, dominance: 5 });
    expect(formatEmergenceTable([row!]).split('\n')[1]).toMatch(/^\s*-\s+-\s+-\s+0\.500/);
  });
});
