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

test('search, facet counts, sort and pages: all in the URL, all by keyboard', async () => {
  const { page, errors } = await openPage(browser, `${base}/gallery?arch=mnist-paper`);
  const shown = () => page.getByTestId('gallery-card').evaluateAll((cards) => cards.map((c) => c.dataset.id ?? ''));
  // The dataset facet counts under the other filters; choosing a value narrows the cards and the count.
  const facet = page.getByRole('region', { name: 'Dataset' }).getByRole('link', { name: /^gallery-mnist\s+1$/ });
  // The first answer on a busy machine can take longer than the default poll.
  const slow = { timeout: 30_000 };
  await expect.poll(() => facet.count(), slow).toBe(1);
  await facet.focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => new URL(page.url()).searchParams.get('dataset')).toBe('gallery-mnist');
  await expect.poll(shown).toEqual([ids[0]]);
  await expect.poll(() => page.getByTestId('gallery-count').textContent()).toMatch(/^\s*1 result matches/);
  await expect.poll(() => facet.getAttribute('aria-current')).toBe('true');

  // Search by keyboard: type and press Enter; the chosen facet stays.
  await page.goto(`${base}/gallery`);
  await page.getByRole('searchbox', { name: 'Search' }).fill('cifar ring');
  await page.getByRole('searchbox', { name: 'Search' }).press('Enter');
  await expect.poll(() => new URL(page.url()).searchParams.get('q'), slow).toBe('cifar ring');
  await expect.poll(shown, slow).toEqual([ids[1]]);
  // Each card says its verdict and ratio; these documents carry no resampling.
  const verdict = page.locator(`[data-testid="gallery-card"][data-id="${ids[1]}"] [data-testid="gallery-verdict"]`);
  await expect.poll(() => verdict.textContent()).toMatch(/One sample, no resampling/);

  // Sorting is a choice in the URL too.
  await page.goto(`${base}/gallery?arch=mnist-paper`);
  // Other test files publish mnist-paper results to the same server: wait for this file's two.
  await expect.poll(shown, slow).toEqual(expect.arrayContaining(ids));
  await page.getByLabel('Sort').selectOption('old');
  await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('old');
  // Oldest first: the first published card comes before the second.
  await expect
    .poll(async () => (await shown()).filter((id) => id !== undefined && ids.includes(id)))
    .toEqual([ids[0], ids[1]]);

  await page.goto(`${base}/gallery?arch=mnist-paper&layer=1&limit=1`);
  await expect.poll(shown, slow).toHaveLength(1);
  const first = (await shown())[0];
  await page.getByRole('button', { name: 'Next' }).click();
  await expect.poll(async () => (await shown())[0]).not.toBe(first);
  await expect.poll(() => page.getByText('Page 2').count()).toBe(1);
  await page.getByRole('button', { name: 'Previous' }).click();
  await expect.poll(async () => (await shown())[0]).toBe(first);

  await page.goto(`${base}/gallery?dataset=no-such-dataset`);
  await expect.poll(() => page.getByText('No published result matches this search.').count()).toBe(1);
  // A URL the API would refuse says why instead of loading forever.
  await page.goto(`${base}/gallery?sort=sideways`);
  await expect.poll(() => page.getByText(/sort must be one of/).count()).toBe(1);
  expect(errors).toEqual([]);
});

test('on a phone the gallery fits the width', async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
  await page.goto(`${base}/gallery?arch=mnist-paper`);
  await expect.poll(() => page.getByTestId('gallery-card').count()).toBeGreaterThan(0);
  await expect.poll(() => page.getByTestId('gallery-facets').count()).toBe(1);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.close();
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
