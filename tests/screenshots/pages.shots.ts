import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch } from '../support/browser';
import { seed } from '../../src/seed/start.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

// The README's pictures of the result, gallery and compare pages, from the real results `npm start` publishes
// (src/seed): the MNIST layer-1 result with the longest H1 bar's loop shown and a node picked, its core scatter,
// the gallery, and layer 1 at step 100 against step 800. Only from `npm run screenshots`.
test('result, scatter, gallery and compare from the seeded results', async () => {
  const base = inject('baseURL');
  await seed(base);
  const gallery = (await (await fetch(`${base}/api/gallery?limit=50`)).json()) as {
    items: Array<{ id: string; title: string }>;
  };
  const mnist = gallery.items.find((i) => i.title === 'mnist mnist-paper, layer 1 at step 800 (30 runs)');
  expect(mnist).toBeDefined();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });

  await page.goto(`${base}/r/${mnist!.id}`);
  await page.getByTestId('mapper-node').first().waitFor({ timeout: 60_000 });
  const bar = page.locator('[data-testid="bar"][data-dim="1"][role="button"]').first();
  await bar.click();
  await expect
    .poll(() => page.getByTestId('cocycle-note').getAttribute('data-loop'), { timeout: 120_000 })
    .toBe('shown');
  await page.getByTestId('mapper-node').nth(10).click();
  await page.waitForTimeout(1000);
  await page.screenshot({ path: 'tests/screenshots/result.png', fullPage: true });
  await page.getByTestId('core-scatter').screenshot({ path: 'tests/screenshots/scatter.png' });

  await page.goto(`${base}/gallery`);
  await page.getByTestId('gallery-card').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'tests/screenshots/gallery.png', fullPage: true });

  await page.goto(`${base}/compare?a=${mnist!.id}@1&b=${mnist!.id}@4`);
  await page.getByTestId('distances').waitFor({ timeout: 60_000 });
  await expect.poll(() => page.getByTestId('mapper-node').count(), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: 'tests/screenshots/compare.png', fullPage: true });
}, 600_000);
