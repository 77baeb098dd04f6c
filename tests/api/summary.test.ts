import { expect, test } from 'vitest';
import type { MapperGraph, ResultDocument } from '../../src/lib/result/schema';
import { mapperSummary, summarize, topBars } from '../../src/lib/result/summary';
import { validateResult } from '../../src/lib/result/validate';
import { doc } from './support';

const node = (id: number, size: number, members: number[], first: number) => ({
  id,
  size,
  members,
  meanFilter: [first, 0, 0, 0, 0, 0, 0, 0, 0],
  density: 1,
  lens: [0, 0],
});

function graph(nodes: number, edges: Array<[number, number]>): MapperGraph {
  return {
    lens: 'pca',
    resolution: 10,
    gain: 3,
    clustering: 'single-linkage',
    nodes: Array.from({ length: nodes }, (_, i) => node(i, 1, [0], i)),
    edges: edges.map(([s, t]) => [s, t, 1] as [number, number, number]),
  };
}

test('mapperSummary counts components and independent cycles', () => {
  expect(mapperSummary(graph(0, []))).toEqual({ nodes: 0, edges: 0, components: 0, cycles: 0 });
  // A triangle, a separate edge, an isolated node; a repeated edge and a self-loop count once / not at all.
  const g = graph(6, [
    [0, 1],
    [1, 2],
    [2, 0],
    [1, 0],
    [3, 4],
    [4, 4],
  ]);
  expect(mapperSummary(g)).toEqual({ nodes: 6, edges: 4, components: 3, cycles: 1 });
  // Two triangles sharing an edge: two independent cycles.
  expect(
    mapperSummary(
      graph(4, [
        [0, 1],
        [1, 2],
        [2, 0],
        [1, 3],
        [3, 2],
      ]),
    ),
  ).toEqual({ nodes: 4, edges: 5, components: 1, cycles: 2 });
  // A document that carries its flag complex's loops is counted by them: the two triangles are filled, no loop.
  const filled = graph(4, [
    [0, 1],
    [1, 2],
    [2, 0],
    [1, 3],
    [3, 2],
  ]);
  expect(mapperSummary({ ...filled, loops: 0, components: 1 })).toEqual({
    nodes: 4,
    edges: 5,
    components: 1,
    cycles: 0,
  });
});

test('topBars puts essential classes first, then the longest bars', () => {
  expect(
    topBars(
      [
        [0, 0.1],
        [0.5, null],
        [0, 1],
        [0.2, 0.25],
      ],
      3,
    ),
  ).toEqual([
    [0.5, null],
    [0, 1],
    [0, 0.1],
  ]);
});

test('summarize orders the strip around the primary circle and falls back to a title from the source', () => {
  const d = doc({ source: { kind: 'training', dataset: 'mnist', architecture: 'mnist-paper', layer: 1 } });
  // Core angles: member 0 at 3 rad, member 1 at 1 rad, member 2 at 2 rad.
  (d.modelFit as { primaryCircle: { angles: number[] } }).primaryCircle.angles = [3, 1, 2];
  d.mapper = {
    ...graph(0, []),
    nodes: [node(0, 5, [0], 30), node(1, 9, [1], 10), node(2, 7, [2], 20)],
  };
  const v = validateResult(d);
  expect(v.ok).toBe(true);
  const s = summarize((v as { value: ResultDocument }).value);
  expect(s.title).toBe('mnist · mnist-paper · layer 1');
  expect(s.strip.map((f) => f[0])).toEqual([10, 20, 30]);
  expect(s.sizes).toMatchObject({ filters: 3, kept: 3, core: 3, nodes: 3, bars: [1, 0] });
  expect(s.source).toEqual({ kind: 'training', dataset: 'mnist', architecture: 'mnist-paper', layer: 1 });
});
