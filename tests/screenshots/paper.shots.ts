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

// The README's headline picture: the seeded MNIST result (30 trainings of mnist-paper, layer 1, its four versions
// the steps 100-800) as `npm start` publishes it, with the emergence plot over its versions and its Mapper graph.
// Only from `npm run screenshots`.
test('the headline picture: a real MNIST result from the seeds', async () => {
  const base = inject('baseURL');
  await seed(base);
  const gallery = (await (await fetch(`${base}/api/gallery?limit=50`)).json()) as {
    items: Array<{ id: string; title: string }>;
  };
  const mnist = gallery.items.find((i) => i.title === 'mnist mnist-paper, layer 1 at step 800 (30 runs)');
  expect(mnist).toBeDefined();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/r/${mnist!.id}`);
  const plot = page.getByTestId('emergence-plot');
  await expect.poll(() => plot.locator('[data-point="dominance"]').count(), { timeout: 60_000 }).toBe(4);
  await page.getByTestId('mapper-graph').getByTestId('mapper-node').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  await page.getByTestId('mapper-graph').first().screenshot({ path: 'tests/screenshots/paper-graph.png' });
  await plot.screenshot({ path: 'tests/screenshots/emergence.png' });
}, 300_000);
