import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, openPage } from '../support/browser';
import { publish } from '../support/publish';
import { circleResult } from '../support/circleResult';

let browser: Browser;
let base: string;
let a: string;
let b: string;

beforeAll(async () => {
  base = inject('baseURL');
  browser = await launch();
  a = (await publish(base, circleResult(12, 'Compare A'))).id;
  // B's circle is weaker: its long H1 bar dies at 0.9 instead of 1.3, so the H1 bottleneck distance is 0.4.
  const docB = circleResult(8, 'Compare B');
  docB.persistence.diagrams[1][0] = [0.2, 0.9];
  b = (await publish(base, docB)).id;
});
afterAll(async () => {
  await browser?.close();
});

test('compare shows the diagram distances and both graphs', async () => {
  const { page, errors } = await openPage(browser, `${base}/compare?a=${a}&b=${b}@1`);
  const rows = page.getByTestId('distance-row');
  await expect.poll(() => rows.count()).toBe(2);
  const h1 = await rows.nth(1).locator('td').allTextContents();
  expect(h1[0]).toBe('4, 4');
  expect(h1[1]).toBe('0.4');
  await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(20);
  await expect.poll(() => page.getByTestId('barcode').count()).toBe(2);
  await expect.poll(() => page.getByRole('link', { name: 'Compare B' }).getAttribute('href')).toBe(`/r/${b}/v/1`);
  expect(errors).toEqual([]);
});

test('the form builds the link, and bad ids are reported in the page', async () => {
  const { page } = await openPage(browser, `${base}/compare`);
  await page.getByLabel('Result A').fill(a);
  await page.getByLabel('Result B').fill('nonexistent');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('b')).toBe('nonexistent');
  await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Not found');
});
