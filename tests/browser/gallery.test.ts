import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, openPage } from '../support/browser';
import { publish } from '../support/publish';
import { circleResult } from '../support/circleResult';

let browser: Browser;
let base: string;
const ids: string[] = [];

beforeAll(async () => {
  base = inject('baseURL');
  browser = await launch();
  // Two results from different datasets, published oldest first: the gallery lists the newest first.
  for (const [dataset, title] of [
    ['gallery-mnist', 'Gallery MNIST ring'],
    ['gallery-cifar', 'Gallery CIFAR ring'],
  ]) {
    const doc = circleResult(8, title);
    doc.source = { ...doc.source, dataset, architecture: 'mnist-paper', layer: 1 };
    ids.push((await publish(base, doc)).id);
  }
});
afterAll(async () => {
  await browser?.close();
});

test('the gallery lists published results as cards with a filter strip', async () => {
  const { page, errors } = await openPage(browser, `${base}/gallery`);
  const card = page.locator(`[data-testid="gallery-card"][data-id="${ids[1]}"]`);
  await expect.poll(() => card.count()).toBe(1);
  await expect.poll(() => card.getByRole('link').textContent()).toBe('Gallery CIFAR ring');
  await expect.poll(() => card.getByRole('link').getAttribute('href')).toBe(`/r/${ids[1]}`);
  // The strip: the mean filters of the largest nodes, one 3x3 glyph each.
  await expect.poll(() => card.locator('svg.glyph').count()).toBe(8);
  await expect.poll(() => card.locator('svg.glyph rect').count()).toBe(72);
  const order = await page.getByTestId('gallery-card').evaluateAll((cards) => cards.map((c) => c.dataset.id));
  expect(order.indexOf(ids[1])).toBeLessThan(order.indexOf(ids[0]));
  await card.getByRole('link').click();
  await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(8);
  expect(errors).toEqual([]);
});

test('filters narrow the gallery and the cursor pages through it', async () => {
  const { page, errors } = await openPage(browser, `${base}/gallery`);
  await page.getByLabel('Dataset').fill('gallery-mnist');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('dataset')).toBe('gallery-mnist');
  await expect
    .poll(() => page.getByTestId('gallery-card').evaluateAll((cards) => cards.map((c) => c.dataset.id)))
    .toEqual([ids[0]]);

  await page.goto(`${base}/gallery?arch=mnist-paper&layer=1&limit=1`);
  const shown = () => page.getByTestId('gallery-card').evaluateAll((cards) => cards.map((c) => c.dataset.id));
  await expect.poll(shown).toHaveLength(1);
  const first = (await shown())[0];
  await page.getByRole('button', { name: 'Next' }).click();
  await expect.poll(async () => (await shown())[0]).not.toBe(first);
  await expect.poll(() => page.getByText('Page 2').count()).toBe(1);
  await page.getByRole('button', { name: 'Previous' }).click();
  await expect.poll(async () => (await shown())[0]).toBe(first);

  await page.goto(`${base}/gallery?dataset=no-such-dataset`);
  await expect.poll(() => page.getByText('No published result matches these filters.').count()).toBe(1);
  expect(errors).toEqual([]);
});

test('picking two cards links to their comparison', async () => {
  const { page, errors } = await openPage(browser, `${base}/gallery?arch=mnist-paper`);
  for (const id of ids) {
    const card = page.locator(`[data-testid="gallery-card"][data-id="${id}"]`);
    await card.getByRole('button', { name: 'Pick to compare' }).click();
  }
  const link = page.getByRole('link', { name: 'Compare the two picked results' });
  await expect.poll(() => link.getAttribute('href')).toBe(`/compare?a=${ids[0]}&b=${ids[1]}`);
  expect(errors).toEqual([]);
});
