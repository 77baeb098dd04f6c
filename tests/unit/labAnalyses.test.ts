import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { Confidence, PersistenceSummary, ResultDocument } from '../../src/lib/result/schema';
import type { AnalysisRequest, ConfidenceCallback } from '../../src/lib/worker/protocol';
import { minimalDocument } from '../support/fixtures';
import { parseResult } from '../../src/lib/result/validate';

// The worker cannot start in Node: a stand-in client records the calls and lets the test settle each one.
interface Call {
  request: AnalysisRequest;
  onConfidence?: ConfidenceCallback;
  resolve(doc: ResultDocument): void;
  reject(e: Error): void;
}
const calls: Call[] = [];
let cancels = 0;

vi.mock('../../src/lib/worker/client', () => {
  class CancelledError extends Error {}
  class AnalysisClient {
    pending: Call[] = [];
    analyze(
      request: AnalysisRequest,
      onProgress?: (stage: string, fraction: number) => void,
      onConfidence?: ConfidenceCallback,
    ) {
      onProgress?.('preprocess', 0.5);
      return new Promise<ResultDocument>((resolve, reject) => {
        const call = { request, onConfidence, resolve, reject };
        calls.push(call);
        this.pending.push(call);
      });
    }
    cancel() {
      cancels++;
      for (const c of this.pending.splice(0)) c.reject(new CancelledError());
    }
    dispose() {}
  }
  return { AnalysisClient, CancelledError };
});

const { Analyses, optionsKey } = await import('../../src/lib/lab/analyses.svelte');

const doc = (title: string) => parseResult({ ...structuredClone(minimalDocument), title });
const subject = (key: string, step?: number) => ({
  key,
  label: key,
  layer: 1,
  step,
  filters: new Float32Array(9),
  source: { kind: 'training' as const, dataset: 'mnist' },
});
const settle = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  calls.length = 0;
  cancels = 0;
});

describe('the lab analysis queue', () => {
  test('analyses the focused subject first, then the rest in order, one at a time', async () => {
    const a = new Analyses();
    a.setOptions({ k: 5 });
    a.setSubjects([subject('a'), subject('b'), subject('c')]);
    a.setFocus('c');
    await settle();
    // 'a' was already running when the focus moved; it finishes first, then the focus jumps the queue.
    expect(calls).toHaveLength(1);
    expect(a.progress?.stage).toBe('preprocess');
    calls[0].resolve(doc('a'));
    await settle();
    calls[1].resolve(doc('c'));
    await settle();
    calls[2].resolve(doc('b'));
    await settle();
    expect([...a.results.keys()]).toEqual(['a', 'c', 'b']);
    expect(a.progress).toBeNull();
    expect(calls[0].request.options).toEqual({ k: 5 });
  });

  test('new options cancel the running analysis and drop every result', async () => {
    const a = new Analyses();
    a.setOptions({ k: 5 });
    a.setSubjects([subject('a'), subject('b')]);
    await settle();
    calls[0].resolve(doc('a'));
    await settle();
    expect(a.results.has('a')).toBe(true);
    a.setOptions({ k: 7 });
    expect(cancels).toBe(1);
    expect(a.results.size).toBe(0);
    await settle();
    expect(calls.at(-1)!.request.options).toEqual({ k: 7 });
  });

  test('a failed analysis is reported for its subject and the queue goes on', async () => {
    const a = new Analyses();
    a.setOptions({});
    a.setSubjects([subject('a'), subject('b')]);
    await settle();
    calls[0].reject(new Error('every filter is near zero'));
    await settle();
    expect(a.errors.get('a')).toBe('every filter is near zero');
    expect(calls).toHaveLength(2);
  });

  test('cached analyses are used instead of the worker, and new ones are stored', async () => {
    const stored = new Map<string, ResultDocument>([[`s1|${optionsKey({ p: 30, k: 5 })}`, doc('cached')]]);
    const a = new Analyses();
    a.cacheOf = () => ({
      get: async (s, o) => stored.get(`${s.key}|${o}`),
      put: async (s, o, d) => void stored.set(`${s.key}|${o}`, d),
    });
    a.setOptions({ k: 5, p: 30 });
    a.setSubjects([subject('s1', 10), subject('s2', 20)]);
    await settle();
    await settle();
    expect(a.results.get('s1')?.title).toBe('cached');
    expect(calls).toHaveLength(1); // only s2 went to the worker
    calls[0].resolve(doc('fresh'));
    await settle();
    expect(stored.get(`s2|${optionsKey({ k: 5, p: 30 })}`)?.title).toBe('fresh');
  });

  test('the verdict so far follows the resamples as the worker reports them, then gives way to the document', async () => {
    const a = new Analyses();
    a.setOptions({ resamples: 20 });
    a.setSubjects([subject('a'), subject('b')]);
    await settle();
    expect(a.provisional).toBeNull();
    // Twelve H1 bars, one far above the rest; each report carries the confidence of the resamples done so far.
    const h1: Array<[number, number]> = [
      [0, 1],
      ...Array.from({ length: 11 }, (_, i) => [0, 0.1 - 0.005 * i] as [number, number]),
    ];
    const persistence = (done: number, circles: number) => {
      const confidence: Confidence = {
        resamples: done,
        unit: 'filters',
        level: 0.9,
        rule: 'the gap rule',
        dims: [
          {
            dim: 1,
            significant: circles >= done / 2 ? 1 : 0,
            frequency: [(done - circles) / done, circles / done, 0, 0],
            agreement: Math.max(circles, done - circles) / done,
            ratio: { value: 10, low: 4, high: 12 },
          },
        ],
      };
      const summary: PersistenceSummary = {
        complex: 'rips',
        modulus: 2,
        threshold: null,
        maxDim: 1,
        nPoints: 30,
        diagrams: [[], h1],
        confidence,
      };
      return [confidence, summary] as const;
    };
    calls[0].onConfidence!(...persistence(4, 2));
    expect(a.provisional).toMatchObject({ key: 'a', done: 4, total: 20 });
    expect(a.provisional!.verdict.sentence).toMatch(/^Undecided: the 4 resamples \(filters\) disagree/);
    calls[0].onConfidence!(...persistence(12, 11));
    expect(a.provisional!.done).toBe(12);
    expect(a.provisional!.verdict.sentence).toMatch(/^One circle: in 11 of 12 resamples \(filters\)/);
    calls[0].resolve(doc('a'));
    await settle();
    expect(a.provisional).toBeNull();
    // A report of an analysis that new options have superseded is dropped.
    const stale = calls[1].onConfidence!;
    a.setOptions({ resamples: 20, k: 9 });
    stale(...persistence(4, 4));
    expect(a.provisional).toBeNull();
  });

  test('the options key does not depend on the order of the options', () => {
    expect(optionsKey({ k: 1, p: 2, lens: 'pca' })).toBe(optionsKey({ lens: 'pca', p: 2, k: 1 }));
  });
});
