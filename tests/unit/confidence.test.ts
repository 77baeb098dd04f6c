// Known answers for the confidence of the barcode (issue 20): the gap rule on one barcode, the weighted core of a
// resample, and the whole stage on clouds whose H1 is known.
import { describe, expect, test } from 'vitest';
import { analyzeFilters } from '../../src/lib/analysis/pipeline';
import { MAX_GRAPH_CORE, resampleGraphLoops } from '../../src/lib/analysis/graphLoops';
import { graphAgreement, verdictOf, verdictsDiffer, type Verdict } from '../../src/lib/analysis/verdict';
import {
  barLengths,
  dominanceRatio,
  GAP_THRESHOLD,
  gapScores,
  gapThreshold,
  standingClasses,
  TAIL,
  tooFewBars,
} from '../../src/lib/tda/barGap';
import { ripsPersistence } from '../../src/lib/tda/ripsCohomology';
import { densityCore, codensity } from '../../src/lib/tda/codensity';
import { fromDct } from '../../src/lib/tda/dct';
import { knn } from '../../src/lib/tda/knn';
import { seededRandom } from '../../src/lib/tda/random';
import { weightedDensityCore } from '../../src/lib/tda/weightedCore';
import type { Source } from '../../src/lib/result/schema';
import { gaussian } from './analysisSamples';
import { trainedFirstLayer } from './realisticSamples';

const DIM = 8;

/** n points in DCT coordinates, each a unit vector after `place` and noise of size sigma. */
function cloud(n: number, seed: number, place: (i: number, r: () => number) => number[], sigma = 0.03): Float64Array {
  const random = seededRandom(seed);
  const coords = new Float64Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const x = place(i, random);
    let s = 0;
    for (let t = 0; t < DIM; t++) {
      coords[i * DIM + t] = (x[t] ?? 0) + sigma * gaussian(random);
      s += coords[i * DIM + t] ** 2;
    }
    for (let t = 0; t < DIM; t++) coords[i * DIM + t] /= Math.sqrt(s);
  }
  return fromDct(coords, n);
}

const circle = (a: number) => [Math.cos(a), Math.sin(a)];
const file: Source = { kind: 'file', dataset: 'test' };

async function verdict(filters: Float64Array, source: Source = file, resamples = 20, p = 30) {
  const doc = await analyzeFilters(filters, source, { resamples, seed: 3, p });
  return { doc, v: verdictOf(doc) };
}

describe('the gap rule on one barcode', () => {
  test('one bar far above a tight tail is one class; a ratio of 2 over a ragged tail is none', () => {
    const tail = Array.from({ length: 40 }, (_, i) => 0.2 - 0.004 * i);
    expect(standingClasses([1, ...tail])).toBe(1);
    expect(standingClasses([1, 0.9, ...tail])).toBe(2);
    const ragged = [0.4, 0.2, 0.17, 0.12, 0.1, 0.07, 0.05, 0.04, 0.02, 0.01, 0.005];
    expect(dominanceRatio(ragged)).toBe(2);
    expect(standingClasses(ragged)).toBe(0);
  });

  test('a short barcode of similar bars has no class (7 bars is not "7 bars longer than the next")', () => {
    const seven = [0.3, 0.27, 0.25, 0.22, 0.2, 0.17, 0.15];
    expect(standingClasses(seven)).toBe(0);
    expect(tooFewBars(seven)).toBe(false);
  });

  test('a short tail is judged at the F quantile of its own length, and under MIN_TAIL bars not at all', () => {
    expect(gapThreshold(TAIL)).toBe(GAP_THRESHOLD);
    expect(gapThreshold(20)).toBe(GAP_THRESHOLD);
    // m (1 + t/m)^-m at the same tail probability: 22.5 at m = 3, rising as the tail shortens.
    expect(gapThreshold(3)).toBeCloseTo(22.5, 1);
    expect(gapThreshold(5)).toBeGreaterThan(gapThreshold(6));
    // Two or three bars were two or three classes when the missing bars counted as zero-length noise.
    expect(standingClasses([0.3, 0.2])).toBe(0);
    expect(standingClasses([0.3, 0.2, 0.1])).toBe(0);
    expect(standingClasses([0.8])).toBe(0);
    expect(tooFewBars([0.8])).toBe(true);
    expect(tooFewBars([0.3, 0.2, 0.1])).toBe(true);
    expect(gapScores([0.3, 0.2, 0.1])).toEqual([null, null, null]);
    expect(dominanceRatio([0.8])).toBeNull();
    // A long bar over a short, tight tail counts once the tail can be measured (z = 38.8 and 21.1 against 22.5).
    expect(standingClasses([1, 0.03, 0.025, 0.02])).toBe(1);
    expect(standingClasses([1, 0.05, 0.045, 0.04])).toBe(0);
    // With the full tail (TAIL bars below the class) the rule is the same as before.
    const tail = Array.from({ length: TAIL + 1 }, (_, i) => 0.2 - 0.01 * i);
    // The mean normalised spacing telescopes to the mean of the 10 bars below less the 11th: 0.155 - 0.1.
    expect(gapScores([1, ...tail])[0]).toBeCloseTo(0.8 / 0.055, 9);
  });

  test('real 1-run MNIST barcodes at step 100 (64 filters, core of 19) have no class', () => {
    // H1 bar lengths of `kleinscope analyze` on the conv1 kernels of single runs of mnist-paper trained 100 steps
    // (batch 64; `kleinscope train --runs 3 --steps 100 --seed 1`, PyTorch's and Glorot's initialisation).
    const runs = [
      [0.111, 0.096, 0.084, 0.081, 0.067, 0.034, 0.033, 0.028, 0.021, 0.021],
      [0.139, 0.096, 0.064, 0.049, 0.038, 0.03, 0.029, 0.019, 0.016],
      [0.246, 0.182, 0.164, 0.119, 0.105, 0.075, 0.064, 0.055, 0.046, 0.033, 0.016, 0.003],
      [0.259, 0.191, 0.189, 0.096, 0.038, 0.018, 0.012],
      [0.188, 0.153, 0.129, 0.113, 0.035, 0.015],
      [0.21, 0.115, 0.093, 0.074, 0.073, 0.072, 0.043, 0.002],
    ];
    for (const bars of runs) expect(standingClasses(bars)).toBe(0);
  });

  test('random points give no class however few the bars (the old zero padding found one in most)', () => {
    const random = seededRandom(7);
    let found = 0;
    let short = 0;
    for (let t = 0; t < 100; t++) {
      const n = 10 + (t % 3) * 4;
      const coords = Float64Array.from({ length: n * DIM }, () => gaussian(random));
      const r = ripsPersistence({ kind: 'points', n, dim: DIM, coords }, { maxDim: 1, modulus: 2 });
      const lengths = barLengths(r.diagrams[1], r.threshold);
      if (standingClasses(lengths) > 0) found++;
      if (tooFewBars(lengths)) short++;
    }
    expect(found).toBe(0);
    // The draws are small enough that many barcodes cannot be judged at all: the case the rule must not call.
    expect(short).toBeGreaterThan(10);
  });

  test('bar lengths end essential bars at the threshold and drop empty bars', () => {
    expect(
      barLengths(
        [
          [0.1, null],
          [0.2, 0.5],
          [0.3, 0.3],
        ],
        1,
      ),
    ).toEqual([0.9, 0.3]);
  });
});

describe('the weighted core of a resample', () => {
  test('with every weight 1 it is the density core', () => {
    const f = cloud(300, 1, (i) => circle((2 * Math.PI * i) / 300), 0.05);
    const coords = new Float64Array(300 * DIM);
    // The DCT coordinates again, as the pipeline sees them.
    const back = cloud(300, 1, (i) => circle((2 * Math.PI * i) / 300), 0.05);
    expect(back).toEqual(f);
    const random = seededRandom(2);
    for (let i = 0; i < coords.length; i++) coords[i] = gaussian(random);
    const nb = knn(coords, 300, DIM, 20);
    const units = Uint32Array.from({ length: 300 }, (_, i) => i);
    const w = new Float64Array(300).fill(1);
    const { core } = weightedDensityCore(coords, DIM, nb, units, w, 10, 30);
    expect(Array.from(core)).toEqual(Array.from(densityCore(codensity(coords, 300, DIM, 10), 30)));
  });

  test('a unit drawn twice weighs twice, and its own copy is no neighbour', () => {
    // Two clusters of 10 points; unit 0 (the first cluster) drawn twice, unit 1 not at all, unit 2 once.
    const coords = new Float64Array(30 * DIM);
    const random = seededRandom(4);
    for (let i = 0; i < 30; i++)
      for (let t = 0; t < DIM; t++) coords[i * DIM + t] = (i < 10 ? 0 : 5) + gaussian(random);
    const unitOf = Uint32Array.from({ length: 30 }, (_, i) => Math.floor(i / 10));
    const nb = knn(coords, 30, DIM, 29);
    const { core, rho } = weightedDensityCore(coords, DIM, nb, unitOf, [2, 0, 1], 4, 50);
    for (let i = 10; i < 20; i++) expect(rho[i]).toBe(Infinity);
    // k = 4 in unit 0 is reached by the 2nd distinct neighbour (weight 2 each), not by the point's own copy.
    const plain = knn(coords.subarray(0, 10 * DIM), 10, DIM, 2);
    for (let i = 0; i < 10; i++) expect(rho[i]).toBeCloseTo(plain.distances[i * 2 + 1], 12);
    // The core fills half of the total weight (30): its last point crosses 15, and no point of unit 1 is in it.
    const weights = Array.from(core, (i) => [2, 0, 1][unitOf[i]!]!);
    const taken = weights.reduce((a, b) => a + b, 0);
    expect(taken).toBeGreaterThanOrEqual(15);
    expect(taken - weights.at(-1)!).toBeLessThan(15);
    expect(Array.from(core).some((i) => i >= 10 && i < 20)).toBe(false);
  });
});

describe('the verdict of resampled barcodes (known H1)', { timeout: 120_000 }, () => {
  test('a clean circle is one circle', async () => {
    const { v, doc } = await verdict(cloud(600, 11, (i) => circle((2 * Math.PI * i) / 600)));
    expect(doc.persistence.confidence?.unit).toBe('filters');
    expect(doc.persistence.confidence?.resamples).toBe(20);
    expect(v.kind).toBe('circle');
    expect(v.sentence).toMatch(/^One circle: in \d+ of 20 resamples \(filters\)/);
    // The barcode's whiskers: the circle's bar reaches far above the second longest. (Its low end is not: in one
    // or two of 20 weighted resamples the core was too uneven to close the circle, 0.05 against 1.4 here.)
    const lengths = doc.persistence.confidence!.dims[0].lengths!;
    expect(lengths).toHaveLength(4);
    expect(lengths[0].high).toBeGreaterThan(10 * lengths[1].high);
    for (const l of lengths) expect(l.low).toBeLessThanOrEqual(l.high);
  });

  test('the worker hook gets the confidence so far with the full barcode, one report per resample', async () => {
    const reports: Array<[number, number]> = [];
    const doc = await analyzeFilters(
      cloud(300, 19, (i) => circle((2 * Math.PI * i) / 300)),
      file,
      { resamples: 5, seed: 3 },
      { onConfidence: (c, persistence) => reports.push([c.resamples, persistence.diagrams[1].length]) },
    );
    expect(reports.map(([r]) => r)).toEqual([1, 2, 3, 4, 5]);
    for (const [, bars] of reports) expect(bars).toBe(doc.persistence.diagrams[1].length);
  });

  test('two circles far apart are two classes', async () => {
    const f = cloud(400, 12, (i) =>
      i % 2 ? circle((2 * Math.PI * i) / 400) : [0, 0, 0, 0, ...circle((2 * Math.PI * i) / 400)],
    );
    // The whole cloud (p = 100): the test is of the rule, not of which part of two even circles is densest.
    const { v } = await verdict(f, file, 12, 100);
    expect(v.classes).toBe(2);
    expect(v.kind).toBe('classes');
  });

  test('a torus has two H1 classes', async () => {
    // An even 16 x 16 grid on the flat torus (with the usual noise): a random sample this small has holes of its own.
    const f = cloud(256, 13, (i) => [
      ...circle((2 * Math.PI * (i % 16)) / 16),
      ...circle((2 * Math.PI * Math.floor(i / 16)) / 16),
    ]);
    const { v } = await verdict(f, file, 6, 100);
    expect(v.classes).toBe(2);
  });

  test('Gaussian noise has none', async () => {
    const random = seededRandom(14);
    const f = Float64Array.from({ length: 200 * 9 }, () => gaussian(random));
    const { v } = await verdict(f, file, 8);
    expect(v.kind).toBe('none');
  });

  test('a circle with 20% outliers is one circle', async () => {
    const f = cloud(600, 15, (i, r) =>
      i % 5 === 0 ? Array.from({ length: DIM }, () => r() - 0.5) : circle((2 * Math.PI * i) / 600),
    );
    expect((await verdict(f)).v.kind).toBe('circle');
  });

  test('a tiny barcode (one small run) is no circle, and runs are the unit of a pooled training', async () => {
    const random = seededRandom(16);
    // Three runs of 12 near-random filters: a core of a dozen points, a handful of bars.
    const f = Float64Array.from({ length: 36 * 9 }, () => gaussian(random));
    const source: Source = { kind: 'training', dataset: 'mnist', runs: 3, step: 100, layer: 1 };
    const { doc, v } = await verdict(f, source);
    expect(doc.persistence.confidence?.unit).toBe('runs');
    expect(v.classes).toBe(0);
    expect(['none', 'undecided']).toContain(v.kind);
    if (v.tooFewBars) expect(v.sentence).toMatch(/^Undecided: only \d H1 bars?, too few to judge/);
  });

  test('one run of 64 barely trained filters (the issue case: a 1-run snapshot at step 100) has no class', async () => {
    const f = trainedFirstLayer({ runs: 1, seed: 18, reachMin: 0.005, reachSpan: 0.01 });
    const source: Source = { kind: 'training', dataset: 'mnist', runs: 1, step: 100, layer: 1 };
    const { doc, v } = await verdict(f, source);
    // One run: its filters are the unit.
    expect(doc.persistence.confidence?.unit).toBe('filters');
    expect(v.classes).toBe(0);
    expect(doc.persistence.confidence?.dims[0]?.frequency[0]).toBeGreaterThanOrEqual(0.9);
  });

  test('a barcode of two or three bars is undecided, said as too few bars, not a class per bar', () => {
    const doc = {
      persistence: {
        complex: 'rips' as const,
        modulus: 2,
        threshold: null,
        maxDim: 1,
        nPoints: 12,
        diagrams: [
          [[0, null] as [number, null]],
          [
            [0.2, 0.5],
            [0.3, 0.4],
          ] as Array<[number, number]>,
        ],
      },
    };
    const v = verdictOf(doc);
    expect(v.kind).toBe('undecided');
    expect(v.classes).toBe(0);
    expect(v.sentence).toBe(
      'Undecided (one sample, no resampling): only 2 H1 bars, too few to judge (the rule needs 4); longest bar 3.0x the next',
    );
  });

  test('a document without resamples states its one sample', async () => {
    const doc = await analyzeFilters(
      cloud(300, 17, (i) => circle(i)),
      file,
      { resamples: 0 },
    );
    const v = verdictOf(doc);
    expect(doc.persistence.confidence).toBeUndefined();
    expect(v.resampled).toBe(false);
    expect(v.sentence).toContain('one sample, no resampling');
    expect(verdictsDiffer(v, v)).toBeNull();
  });
});

describe('the graph against the barcode', () => {
  const base = verdictOf({
    persistence: { complex: 'rips', modulus: 2, threshold: null, maxDim: 1, nPoints: 3, diagrams: [[], []] },
  });
  const said = (kind: Verdict['kind'], classes: number): Verdict => ({ ...base, kind, classes, tooFewBars: false });
  const counts = (...pairs: Array<[number, number]>) => pairs.flatMap(([c, n]) => Array<number>(n).fill(c));

  test("the graph's loop count against the barcode's supported count", () => {
    expect(graphAgreement(said('circle', 1), 1).kind).toBe('agree');
    expect(graphAgreement(said('circle', 1), 3).kind).toBe('graph-more');
    expect(graphAgreement(said('classes', 2), 1).kind).toBe('graph-fewer');
    expect(graphAgreement(said('undecided', 1), 1)).toMatchObject({ kind: 'undecided', undecidedBy: 'barcode' });
  });

  test("with the bootstrap's loop counts the graph's side is their upper median, undecided when they disagree", () => {
    const firm = graphAgreement(said('circle', 1), 2, counts([1, 18], [2, 2]));
    // The full graph has 2 loops, but 18 of its 20 bootstrap graphs have 1: the graph supports one.
    expect(firm).toMatchObject({ kind: 'agree', loops: 2, resampled: { loops: 1, agreeing: 18, resamples: 20 } });
    expect(firm.resampled!.frequency).toEqual([
      [1, 18],
      [2, 2],
    ]);
    const split = graphAgreement(said('circle', 1), 1, counts([1, 10], [2, 10]));
    expect(split).toMatchObject({ kind: 'undecided', undecidedBy: 'graph', resampled: { loops: 2, agreeing: 10 } });
    expect(graphAgreement(said('undecided', 0), 1, counts([0, 5], [1, 5])).undecidedBy).toBe('both');
  });

  test("each confidence resample rebuilds the graph and counts its loops, at the barcode's unit", async () => {
    const f = cloud(300, 22, (i) => circle((2 * Math.PI * i) / 300));
    const doc = await analyzeFilters(f, file, { resamples: 4, seed: 3, p: 100, k: 20 });
    const counts = doc.persistence.confidence!.graphLoops!;
    expect(counts).toHaveLength(4);
    // The whole circle is the core (p = 100): the full graph and the resampled graphs show its one loop.
    expect(doc.mapper.loops).toBe(1);
    expect(counts.filter((c) => c === 1).length).toBeGreaterThanOrEqual(3);
    expect(graphAgreement(verdictOf(doc), doc.mapper.loops!, counts).kind).toBe('agree');
    // A lens that needs more than the core (the whole data's codensity) is not rebuilt: no counts, said by absence.
    const byDensity = await analyzeFilters(f, file, { resamples: 2, seed: 3, p: 100, k: 20, lens: 'codensity' });
    expect(byDensity.persistence.confidence!.graphLoops).toBeUndefined();
    const big = MAX_GRAPH_CORE + 1;
    const auto = { lens: 'pca', resolution: 'auto', gain: 'auto', epsilon: 'auto', seed: 1 } as const;
    expect(resampleGraphLoops(new Float64Array(big * DIM), big, auto)).toBeNull();
  });

  test("the pipeline keeps each bootstrap graph's loop count", async () => {
    const doc = await analyzeFilters(
      cloud(300, 21, (i) => circle((2 * Math.PI * i) / 300)),
      file,
      { resamples: 0, bootstrap: 4, seed: 3 },
    );
    const counts = doc.mapper.bootstrap!.loopCounts!;
    expect(counts).toHaveLength(4);
    for (const c of counts) expect(Number.isInteger(c) && c >= 0).toBe(true);
    // On this small core (90 points) the automatic cover misses the loop, and does so in 3 of 4 bootstrap graphs
    // too: a firm disagreement with a barcode that holds one class, not an undecided one.
    expect(doc.mapper.loops).toBe(0);
    expect(graphAgreement(said('circle', 1), doc.mapper.loops!, counts)).toMatchObject({
      kind: 'graph-fewer',
      resampled: { loops: 0, agreeing: 3, resamples: 4 },
    });
  });
});
