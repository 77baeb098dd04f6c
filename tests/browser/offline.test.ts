import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch } from '../support/browser';
import { minimalDocument } from '../support/fixtures';
import { startTraining } from '../support/lab';

let browser: Browser;
let context: BrowserContext;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  browser = await launch();
  // A context of its own: the service worker and its caches must not leak into other tests.
  context = await browser.newContext();
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/** Waits until a service worker controls the page and has finished precaching (it activates after install). */
async function waitForServiceWorker(p: Page) {
  await p.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve()),
      );
    }
  });
}

test('the lab reloads offline once the service worker is active, MNIST included', async () => {
  const base = inject('baseURL');
  await page.goto(base + '/?backend=cpu');
  await expect.poll(() => page.title()).toBe('Kleinscope');
  await waitForServiceWorker(page);

  await context.setOffline(true);
  try {
    await page.reload();
    await expect.poll(() => page.title()).toBe('Kleinscope');
    await page.getByTestId('start').waitFor();
    // Really offline: what the service worker does not keep cannot be had.
    const uncached = await page.evaluate(() =>
      fetch('/_app/immutable/never-built.js').then(
        (r) => `HTTP ${r.status}`,
        () => 'network error',
      ),
    );
    expect(uncached).toBe('network error');
    await page.getByTestId('backend').waitFor();
    // The training data comes from the cache: the whole file, with its header.
    const magic = await page.evaluate(async () => {
      const res = await fetch('/data/mnist.bin');
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { ok: res.ok, size: bytes.length, magic: String.fromCharCode(...bytes.subarray(0, 8)) };
    });
    expect(magic.ok).toBe(true);
    expect(magic.magic).toBe('KSMNIST1');
    expect(magic.size).toBeGreaterThan(1_000_000);
    // And it trains and analyses: tfjs, the worker's script and the data all come from the cache.
    await startTraining(page, {
      runs: 1,
      steps: 2,
      'batch-size': 4,
      schedule: '2',
      'param-k': 8,
      'param-resolution': 6,
    });
    await page.getByTestId('timeline-slider').waitFor({ timeout: 60_000 });
    await page.getByTestId('mapper-graph').first().getByTestId('mapper-node').first().waitFor({ timeout: 60_000 });
    // A deep link that was never visited still gets the app shell.
    await page.goto(base + '/gallery');
    await expect.poll(() => page.title()).toBe('Kleinscope');
  } finally {
    await context.setOffline(false);
  }
  expect(errors).toEqual([]);
});

test('a published result visited online stays readable offline', async () => {
  const base = inject('baseURL');
  const res = await fetch(base + '/api/results', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...minimalDocument, title: 'Offline circle' }),
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };

  await page.goto(`${base}/r/${id}`);
  await waitForServiceWorker(page);
  await page.getByText('Offline circle').first().waitFor();

  await context.setOffline(true);
  try {
    await page.reload();
    await page.getByText('Offline circle').first().waitFor({ timeout: 15_000 });
    await page.getByTestId('mapper-graph').first().waitFor();
  } finally {
    await context.setOffline(false);
  }
});
