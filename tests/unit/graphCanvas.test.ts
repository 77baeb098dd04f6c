import { expect, test } from 'vitest';
import { drawsOnCanvas, nodeAt } from '../../src/lib/plot/graphCanvas';
import { largeGraphDocument } from '../support/largeGraph';

test('graphs over 1,500 nodes or 6,000 edges are drawn on a canvas, smaller ones as SVG', () => {
  expect(drawsOnCanvas(largeGraphDocument(1500, 6000).mapper as never)).toBe(false);
  expect(drawsOnCanvas(largeGraphDocument(1501, 6000).mapper as never)).toBe(true);
  expect(drawsOnCanvas(largeGraphDocument(100, 6001).mapper as never)).toBe(true);
});

test('a point picks the topmost disc that holds it, and none outside every disc', () => {
  const layout = {
    width: 100,
    height: 100,
    xy: Float64Array.of(10, 10, 14, 10, 80, 80),
    r: Float64Array.of(5, 5, 3),
    ticks: 0,
  };
  expect(nodeAt(layout, 12, 10)).toBe(1); // inside both 0 and 1: 1 is drawn later, on top
  expect(nodeAt(layout, 6, 10)).toBe(0);
  expect(nodeAt(layout, 80, 82.9)).toBe(2);
  expect(nodeAt(layout, 50, 50)).toBeNull();
});
