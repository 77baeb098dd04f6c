// Clicking the longest H1 bar of the real MNIST ring shows its loop, not only where its cocycle cuts it (issue 26,
// item 6): before, 25 of the 54 nodes were ringed, the top arc only.
import { expect, inject, test } from 'vitest';
import { tabPerFile } from '../support/browser';
import { publish } from '../support/publish';
import { seedDocument } from '../../src/seed/start.js';
import type { ResultDocument } from '../../src/lib/result/schema';

const tab = tabPerFile();

test('the longest H1 bar colours every node by its place on the loop; the cut stays one click away', async () => {
  const doc = JSON.parse(seedDocument('mnist-layer1-step800.json')) as ResultDocument;
  const { id } = await publish(inject('baseURL'), doc);
  const page = tab.page;
  await page.goto(`${inject('baseURL')}/r/${id}`);
  await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(doc.mapper.nodes.length);
  const longest = doc.persistence.cocycles![0]!.bar;
  await page.locator(`[data-testid="bar"][data-dim="1"][data-index="${longest}"]`).click();
  const note = page.getByTestId('cocycle-note');
  await expect.poll(() => note.getAttribute('data-loop'), { timeout: 90_000 }).toBe('shown');
  const values = (await page.getByTestId('mapper-node').evaluateAll((gs) => gs.map((g) => g.dataset.colourValue)))
    .map(Number)
    .sort((a, b) => a - b);
  expect(values).toHaveLength(doc.mapper.nodes.length);
  expect(values.every((v) => v >= 0 && v < 2 * Math.PI)).toBe(true);
  // The nodes go all the way round the circle: no gap of a quarter turn.
  let gap = 2 * Math.PI - values.at(-1)! + values[0]!;
  for (let i = 1; i < values.length; i++) gap = Math.max(gap, values[i]! - values[i - 1]!);
  expect(gap).toBeLessThan(Math.PI / 2);
  expect(await page.locator('[data-testid="mapper-node"][data-highlighted="true"]').count()).toBe(0);
  // The cocycle's cut, as a second view.
  await page.getByTestId('show-cut').check();
  await expect
    .poll(() => page.locator('[data-testid="mapper-node"][data-highlighted="true"]').count())
    .toBeGreaterThan(0);
  expect(tab.errors).toEqual([]);
});

test('the core scatter shows the filters themselves, linked both ways with the graph and with the bar', async () => {
  const doc = JSON.parse(seedDocument('mnist-layer1-step800.json')) as ResultDocument;
  const { id } = await publish(inject('baseURL'), { ...doc, title: 'Scatter check' });
  const page = tab.page;
  await page.goto(`${inject('baseURL')}/r/${id}`);
  const scatter = page.getByTestId('core-scatter');
  await scatter.waitFor();
  expect(await scatter.getAttribute('data-kind')).toBe('pca');
  await expect.poll(() => scatter.getByTestId('scatter-point').count()).toBe(576);
  // A point picks the nodes that hold it; their members are ringed in the scatter.
  const point = scatter.locator('[data-testid="scatter-point"][data-point="0"]');
  await point.dispatchEvent('click');
  const held = doc.mapper.nodes.filter((n) => n.members.includes(0)).map((n) => String(n.id));
  await expect
    .poll(() =>
      page.locator('[data-testid="mapper-node"][data-picked="true"]').evaluateAll((g) => g.map((x) => x.dataset.id)),
    )
    .toEqual(held);
  const members = new Set(doc.mapper.nodes.filter((n) => n.members.includes(0)).flatMap((n) => n.members));
  await expect.poll(() => scatter.locator('[data-marked="true"]').count()).toBe(members.size);
  // Each point drawn as its filter: nine cells a point.
  await scatter.getByTestId('scatter-glyphs').check();
  await expect.poll(() => scatter.locator('[data-point="5"] rect:not(.ring)').count()).toBe(9);
  await scatter.getByTestId('scatter-glyphs').uncheck();
  // The longest bar's loop colours the points too.
  await page.locator(`[data-testid="bar"][data-dim="1"][data-index="${doc.persistence.cocycles![0]!.bar}"]`).click();
  await expect
    .poll(() => page.getByTestId('cocycle-note').getAttribute('data-loop'), { timeout: 90_000 })
    .toBe('shown');
  const fills = await scatter
    .locator('circle')
    .evaluateAll((cs) => new Set(cs.map((c) => c.getAttribute('fill'))).size);
  expect(fills).toBeGreaterThan(20);
  expect(tab.errors).toEqual([]);
});
