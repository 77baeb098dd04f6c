import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, openPage } from '../support/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

test('the home page is titled Kleinscope and logs no errors', async () => {
  const { page, errors } = await openPage(browser, inject('baseURL') + '/');
  await expect.poll(() => page.title()).toBe('Kleinscope');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Kleinscope');
  expect(errors).toEqual([]);
});

test('deep links such as /gallery load the app (SPA fallback)', async () => {
  const { page } = await openPage(browser, inject('baseURL') + '/r/does-not-exist');
  await expect.poll(() => page.title()).toBe('Kleinscope');
});
