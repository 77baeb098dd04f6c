import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch } from '../support/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

// Retakes the README's pictures of the lab: a reduced "Reproduce the paper" (4 runs to step 400) on the wasm
// backend, a minute or two of training, so it runs only from `npm run screenshots`, never in `npm test`.
test('screenshots of the lab for the README', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(inject('baseURL') + '/');
  await expect.poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 }).toBe('wasm');
  await page.getByTestId('source-paper').check();
  await page.getByTestId('runs').fill('4');
  await page.getByTestId('steps').fill('400');
  await page.getByTestId('batch-size').fill('64');
  await page.getByTestId('schedule').fill('every 100');
  await page.getByTestId('start').click();
  await page.waitForTimeout(6000);
  await page.screenshot({ path: 'tests/screenshots/lab-training.png' });
  await page.getByTestId('start').waitFor({ timeout: 500_000 });
  await expect
    .poll(() => page.getByTestId('timeline-distances').locator('circle').count(), { timeout: 200_000 })
    .toBeGreaterThanOrEqual(3);
  // The last snapshots' analyses finish in the worker a moment after training ends.
  await page.waitForTimeout(8000);
  await page.screenshot({ path: 'tests/screenshots/lab.png', fullPage: true });
  await page.getByTestId('timeline').screenshot({ path: 'tests/screenshots/timeline.png' });
}, 600_000);
