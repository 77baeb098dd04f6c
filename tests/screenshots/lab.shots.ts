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

// Retakes the README's pictures of the lab: a few minutes of cpu training, so it runs only from
// `npm run screenshots`, never in `npm test`.
test('screenshots of the lab for the README', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(inject('baseURL') + '/?backend=cpu');
  await expect.poll(() => page.getByTestId('backend').textContent()).toBe('cpu');
  await page.getByTestId('runs').fill('2');
  await page.getByTestId('steps').fill('60');
  await page.getByTestId('batch-size').fill('16');
  await page.getByTestId('schedule').fill('every 20');
  await page.getByTestId('param-k').fill('20');
  await page.getByTestId('param-p').fill('40');
  await page.getByTestId('param-resolution').fill('8');
  await page.getByTestId('start').click();
  await page.waitForTimeout(6000);
  await page.screenshot({ path: 'tests/screenshots/lab-training.png' });
  await page.getByTestId('start').waitFor({ timeout: 500_000 });
  await expect
    .poll(() => page.getByTestId('timeline-distances').locator('circle').count(), { timeout: 200_000 })
    .toBe(4);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: 'tests/screenshots/lab.png', fullPage: true });
  await page.getByTestId('timeline').screenshot({ path: 'tests/screenshots/timeline.png' });
}, 600_000);
