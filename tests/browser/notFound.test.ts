import { expect, inject, test } from 'vitest';
import { tabPerFile, waitForServiceWorker } from '../support/browser';
import { minimalDocument } from '../support/fixtures';
import { publish } from '../support/publish';

// A context of its own: the service worker registered here must not leak into other files.
const tab = tabPerFile({ consoleErrors: false });

test('an unknown path answers HTTP 404 with a page that links home; the app routes answer 200', async () => {
  const base = inject('baseURL');
  const { id } = await publish(base, { ...minimalDocument, title: 'Route check' });
  // Plain HTTP first: no browser, no service worker.
  for (const path of ['/no/such/page', '/r', '/r/' + id + '/extra', '/gallery/x']) {
    const res = await fetch(base + path);
    expect(res.status, path).toBe(404);
    expect(await res.text(), path).toMatch(/<a [^>]*href="\/"/);
  }
  for (const path of ['/', '/gallery', '/compare', `/r/${id}`, `/r/${id}/v/1`, `/r/${id}/`]) {
    const res = await fetch(base + path, { redirect: 'follow' });
    expect(res.status, path).toBe(200);
    // The app's shell, not the 404 page.
    expect(await res.text(), path).toContain('__sveltekit');
  }

  // In a browser, with the service worker in control: the 404 stays a 404, and the link leads home.
  await tab.page.goto(base + '/');
  await waitForServiceWorker(tab.page);
  const response = await tab.page.goto(base + '/no/such/page');
  expect(response?.status()).toBe(404);
  await expect.poll(() => tab.page.title()).toMatch(/not found/i);
  await tab.page
    .getByRole('link', { name: /home|lab/i })
    .first()
    .click();
  await tab.page.getByTestId('start').waitFor();
  // A result page still loads the app under the service worker, with its version path.
  const result = await tab.page.goto(`${base}/r/${id}/v/1`);
  expect(result?.status()).toBe(200);
  await tab.page.getByText('Route check').first().waitFor();
});
