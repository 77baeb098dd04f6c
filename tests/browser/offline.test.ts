import { expect, inject, test } from 'vitest';
import { tabPerFile, waitForServiceWorker } from '../support/browser';
import { minimalDocument } from '../support/fixtures';
import { startTraining } from '../support/lab';
import { publish } from '../support/publish';
import { WASM_BINARY_FILES, WASM_URL_PREFIX } from '../../src/lib/nn/backends';

// tabPerFile gives the file a context of its own: the service worker and its caches must not leak into other tests.
const tab = tabPerFile({ consoleErrors: false });

test('the lab reloads offline once the service worker is active, MNIST and the wasm backend included', async () => {
  const base = inject('baseURL');
  await tab.page.goto(base + '/');
  await expect.poll(() => tab.page.title()).toBe('Kleinscope');
  await waitForServiceWorker(tab.page);
  // The service worker of this build (a clean one: tests/support/server.ts removes build/ and static/tfjs-wasm/
  // first) names every wasm binary in its precache list, and has them whole in its cache, from the app's origin.
  const worker = await (await fetch(base + '/service-worker.js')).text();
  for (const name of WASM_BINARY_FILES) expect(worker, name).toContain(`${WASM_URL_PREFIX}${name}`);
  const precached = await tab.page.evaluate(
    async ([names, prefix]) =>
      Promise.all(
        names.map(async (n) => {
          const cached = await caches.match(`${prefix}${n}`);
          return cached ? (await cached.arrayBuffer()).byteLength : 0;
        }),
      ),
    [[...WASM_BINARY_FILES], WASM_URL_PREFIX] as const,
  );
  for (const bytes of precached) expect(bytes).toBeGreaterThan(100_000);

  await tab.context.setOffline(true);
  try {
    await tab.page.reload();
    await expect.poll(() => tab.page.title()).toBe('Kleinscope');
    await tab.page.getByTestId('start').waitFor();
    // Really offline: what the service worker does not keep cannot be had.
    const uncached = await tab.page.evaluate(() =>
      fetch('/_app/immutable/never-built.js').then(
        (r) => `HTTP ${r.status}`,
        () => 'network error',
      ),
    );
    expect(uncached).toBe('network error');
    // The training worker got the wasm backend offline: its binary came from the cache.
    await expect.poll(() => tab.page.getByTestId('backend').textContent(), { timeout: 60_000 }).toBe('wasm');
    // The training data comes from the cache: the whole file, with its header.
    const magic = await tab.page.evaluate(async () => {
      const res = await fetch('/data/mnist.bin');
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { ok: res.ok, size: bytes.length, magic: String.fromCharCode(...bytes.subarray(0, 8)) };
    });
    expect(magic.ok).toBe(true);
    expect(magic.magic).toBe('KSMNIST1');
    expect(magic.size).toBeGreaterThan(1_000_000);
    // And it trains and analyses: the training worker, its wasm binary and the data all come from the cache.
    await startTraining(tab.page, {
      runs: 1,
      steps: 2,
      'batch-size': 4,
      schedule: '2',
      'param-k': 8,
      'param-resolution': 6,
    });
    await tab.page.getByTestId('timeline-slider').waitFor({ timeout: 60_000 });
    await tab.page.getByTestId('mapper-graph').first().getByTestId('mapper-node').first().waitFor({ timeout: 60_000 });
    // A deep link that was never visited still gets the app shell.
    await tab.page.goto(base + '/gallery');
    await expect.poll(() => tab.page.title()).toBe('Gallery · Kleinscope');
  } finally {
    await tab.context.setOffline(false);
  }
  expect(tab.errors).toEqual([]);
});

test('a published result visited online stays readable offline', async () => {
  const base = inject('baseURL');
  const { id } = await publish(base, { ...minimalDocument, title: 'Offline circle' });

  await tab.page.goto(`${base}/r/${id}`);
  await waitForServiceWorker(tab.page);
  await tab.page.getByText('Offline circle').first().waitFor();

  await tab.context.setOffline(true);
  try {
    await tab.page.reload();
    await tab.page.getByText('Offline circle').first().waitFor({ timeout: 15_000 });
    await tab.page.getByTestId('mapper-graph').first().waitFor();
  } finally {
    await tab.context.setOffline(false);
  }
});

test('a file opened online never becomes the offline app shell (the favicon case)', async () => {
  const base = inject('baseURL');
  const { id } = await publish(base, { ...minimalDocument, title: 'Shell check' });
  await tab.page.goto(base + '/');
  await waitForServiceWorker(tab.page);
  await tab.page.goto(`${base}/r/${id}`);
  await tab.page.getByText('Shell check').first().waitFor();
  // Navigations to files, as a link from any site could make them; before the fix the last one replaced the shell.
  for (const path of ['/manifest.webmanifest', '/favicon.svg']) {
    const res = await tab.page.goto(base + path);
    expect(res?.ok(), path).toBe(true);
  }
  await tab.context.setOffline(true);
  try {
    for (const path of ['/', `/r/${id}`]) {
      await tab.page.goto(base + path);
      expect(await tab.page.evaluate(() => document.contentType), path).toBe('text/html');
      await expect.poll(() => tab.page.title()).toMatch(/Kleinscope$/);
    }
    await tab.page.getByText('Shell check').first().waitFor({ timeout: 15_000 });
  } finally {
    await tab.context.setOffline(false);
  }
});
