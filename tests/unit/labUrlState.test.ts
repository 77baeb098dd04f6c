import { describe, expect, test } from 'vitest';
import { readLabView, writeLabView } from '../../src/lib/lab/urlState';
import { defaultAnalysisParams } from '../../src/lib/lab/settings';
import { coreFilters } from '../../src/lib/lab/coreFilters';

describe("the lab's view in its address", () => {
  test('parameters, layer and step survive a round trip; defaults are left out', () => {
    const params = { ...defaultAnalysisParams(), k: 20, p: 12.5, lens: 'angle' as const, cover: 'fixed' as const };
    const search = writeLabView({ params, layer: 2, step: 150 }, new URLSearchParams('backend=cpu'));
    expect(search.toString()).toBe('backend=cpu&k=20&p=12.5&lens=angle&cover=fixed&layer=2&step=150');
    expect(readLabView(search)).toEqual({ params, layer: 2, step: 150 });
    expect(writeLabView({ params: defaultAnalysisParams() }).toString()).toBe('');
  });

  test('a value out of bounds or unknown keeps its default instead of breaking the page', () => {
    const view = readLabView(new URLSearchParams('k=0&p=500&lens=tsne&cover=maybe&resolution=2.5&layer=x&step=-1'));
    expect(view).toEqual({ params: defaultAnalysisParams(), layer: undefined, step: undefined });
    expect(readLabView(new URLSearchParams('dim=2&modulus=3')).params).toMatchObject({ maxDim: 2, modulus: 3 });
  });
});

describe("the lab's member filters", () => {
  test('core filters are the input filters the document names, in core order', () => {
    const input = Float32Array.from({ length: 4 * 9 }, (_, i) => i);
    const core = coreFilters(input, [3, 1]);
    expect(Array.from(core!)).toEqual([
      ...Array.from({ length: 9 }, (_, k) => 27 + k),
      ...Array.from({ length: 9 }, (_, k) => 9 + k),
    ]);
    expect(coreFilters(input, undefined)).toBeUndefined();
    // A document that names a filter the input does not have is not this input's.
    expect(coreFilters(input, [4])).toBeUndefined();
  });
});
