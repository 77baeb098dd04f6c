import { expect, test } from 'vitest';
import { forceLayout, tickBudget, WORK_BUDGET } from '../../src/lib/plot/forceLayout';
import { largeGraphDocument } from '../support/largeGraph';

test('small graphs get the full 300 ticks; ticks fall with nodes + edges, never below 3', () => {
  expect(tickBudget(50, 80, 300)).toBe(300);
  expect(tickBudget(2000, 10_000, 300)).toBe(Math.floor(WORK_BUDGET / 12_000));
  expect(tickBudget(20_000, 200_000, 300)).toBe(4);
  expect(tickBudget(20_000, 2_000_000, 300)).toBe(3);
  expect(tickBudget(5, 5, 2)).toBe(2);
});

test('the schema-cap graph (20,000 nodes, 200,000 edges) is laid out inside its box, every position finite', () => {
  // Before the budget this ran d3's 300 ticks whatever the size: about two minutes.
  const { mapper } = largeGraphDocument();
  const { xy, r, ticks } = forceLayout(mapper as never, { width: 640, height: 480 });
  // Its budget (4 ticks) is below what is worth simulating: the nodes stay at their lens values.
  expect(ticks).toBe(0);
  expect(xy).toHaveLength(40_000);
  for (let i = 0; i < 20_000; i++) {
    expect(Number.isFinite(xy[2 * i]) && Number.isFinite(xy[2 * i + 1]) && Number.isFinite(r[i])).toBe(true);
    expect(xy[2 * i]).toBeGreaterThanOrEqual(0);
    expect(xy[2 * i]).toBeLessThanOrEqual(640);
    expect(xy[2 * i + 1]).toBeGreaterThanOrEqual(0);
    expect(xy[2 * i + 1]).toBeLessThanOrEqual(480);
  }
});

test('a time budget stops the ticks of a large graph early, yet the picture is complete', () => {
  const { mapper } = largeGraphDocument(5000, 60_000);
  const { xy, ticks } = forceLayout(mapper as never, { timeBudgetMs: 1 });
  expect(ticks).toBe(1);
  expect(xy.every(Number.isFinite)).toBe(true);
});

test('a small graph is simulated for its full budget', () => {
  const { mapper } = largeGraphDocument(50, 80);
  expect(forceLayout(mapper as never).ticks).toBe(300);
});
