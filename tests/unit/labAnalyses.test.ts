import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { ResultDocument } from '../../src/lib/result/schema';
import type { AnalysisRequest } from '../../src/lib/worker/protocol';
import { minimalDocument } from '../support/fixtures';
import { parseResult } from '../../src/lib/result/validate';

// The worker cannot start in Node: a stand-in client records the calls and lets the test settle each one.
interface Call {
  request: AnalysisRequest;
  resolve(doc: ResultDocument): void;
  reject(e: Error): void;
}
const calls: Call[] = [];
let cancels = 0;

vi.mock('../../src/lib/worker/client', () => {
  class CancelledError extends Error {}
  class AnalysisClient {
    pending: Call[] = [];
    analyze(request: AnalysisRequest, onProgress?: (stage: string, fraction: number) => void) {
      onProgress?.('preprocess', 0.5);
      return new Promise<ResultDocument>((resolve, reject) => {
        const call = { request, resolve, reject };
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

  test('the options key does not depend on the order of the options', () => {
    expect(optionsKey({ k: 1, p: 2, lens: 'pca' })).toBe(optionsKey({ lens: 'pca', p: 2, k: 1 }));
  });
});
