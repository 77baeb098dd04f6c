import { describe, expect, test } from 'vitest';
import type { ResultDocument } from '../../src/lib/result/schema';
import { searchNodes } from '../../src/lib/plot/nodeSearch';
import { attributeNames, nodeAttribute, nodeHistogram, runOf } from '../../src/lib/plot/nodeAttributes';
import { circleResult } from '../support/circleResult';

/** The ring as a pooled training of 3 runs of 40 filters each; core point m is input filter 2m. */
function pooled(): ResultDocument {
  const doc = circleResult(12);
  doc.source = { kind: 'training', dataset: 'mnist', runs: 3, step: 500, layer: 1 };
  doc.preprocessing = {
    ...doc.preprocessing,
    nInput: 120,
    coreInput: Array.from({ length: doc.preprocessing.nCore }, (_, m) => 2 * m),
  };
  for (const node of doc.mapper.nodes) delete node.attributes;
  return doc;
}

describe('finding nodes', () => {
  test('by core point, input filter, run and step', () => {
    const doc = pooled();
    const holding = (m: number) => doc.mapper.nodes.flatMap((n, i) => (n.members.includes(m) ? [i] : []));
    expect(searchNodes(doc, '#5').nodes).toEqual(holding(5));
    expect(searchNodes(doc, 'member 5').nodes).toEqual(holding(5));
    // Input filter 10 is core point 5; an odd input filter is not in the core.
    expect(searchNodes(doc, 'filter 10')).toMatchObject({ nodes: holding(5), error: false });
    expect(searchNodes(doc, 'filter 11').nodes).toEqual([]);
    // Run 3 holds input filters 80..119, core points 40..59.
    const run3 = searchNodes(doc, 'run 3').nodes;
    expect(run3).toEqual(doc.mapper.nodes.flatMap((n, i) => (n.members.some((m) => m >= 40 && m < 60) ? [i] : [])));
    expect(run3.length).toBeGreaterThan(0);
    expect(run3.length).toBeLessThan(doc.mapper.nodes.length);
    expect(searchNodes(doc, 'step 500').nodes).toHaveLength(12);
    expect(searchNodes(doc, 'step 100')).toMatchObject({ nodes: [], message: expect.stringMatching(/step 500/) });
  });

  test('by an attribute range, with clear errors for what cannot be read', () => {
    const doc = circleResult(12);
    const density = nodeAttribute(doc, 'density').values;
    const expected = [...density.keys()].filter((i) => density[i] >= 0.2 && density[i] <= 0.24);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(12);
    expect(searchNodes(doc, 'density 0.2..0.24').nodes).toEqual(expected);
    expect(searchNodes(doc, 'Size >= 6').nodes).toHaveLength(12);
    expect(searchNodes(doc, 'size < 6').nodes).toHaveLength(0);
    expect(searchNodes(doc, 'weight 1..2')).toMatchObject({ error: true, message: expect.stringMatching(/density/) });
    expect(searchNodes(doc, 'density 2..1').error).toBe(true);
    expect(searchNodes(doc, 'run 1')).toMatchObject({ error: true });
    expect(searchNodes(doc, 'what?')).toMatchObject({ error: true, message: expect.stringMatching(/#12/) });
  });
});

describe('colouring by run', () => {
  test('a pooled training offers run; a node is coloured by its members’ mean run', () => {
    const doc = pooled();
    expect(attributeNames(doc.mapper, doc)).toContain('run');
    expect(attributeNames(doc.mapper)).not.toContain('run');
    const of = runOf(doc)!;
    expect([of(0), of(19), of(20), of(59)]).toEqual([1, 1, 2, 3]);
    const run = nodeAttribute(doc, 'run');
    // Node 0 holds core points 0..5: all run 1. Node 4 holds 20..25: all run 2.
    expect(run.values[0]).toBe(1);
    expect(run.values[4]).toBe(2);
    expect([run.min, run.max]).toEqual([1, 3]);
    // A subsampled layer has lost its order: no run.
    expect(runOf({ ...doc, source: { ...doc.source, subsample: { of: 200, taken: 120, seed: 1 } } })).toBeNull();
  });

  test('the tooltip histogram counts a node’s members, or places the node among all nodes', () => {
    const doc = pooled();
    const run = nodeAttribute(doc, 'run');
    // Node 7 holds core points 35..40: five of run 2 and one of run 3.
    const h = nodeHistogram(doc, run, 7, 3);
    expect(h).toEqual({ counts: [0, 5, 1], of: 'members', mark: null });
    const size = nodeAttribute(doc, 'size');
    const hs = nodeHistogram(doc, size, 0, 4);
    expect(hs.of).toBe('nodes');
    expect(hs.counts.reduce((a, b) => a + b, 0)).toBe(12);
    expect(hs.mark).toBe(0);
  });
});
