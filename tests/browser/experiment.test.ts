// Two browsers join one pooled experiment on /x/<id>: each trains leased runs in its training worker and uploads
// the snapshots; both pages follow the progress and show the pooled analysis once the runs are in.
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { CreatedExperiment } from '../../src/lib/api/experiments';
import { launch, recordErrors } from '../support/browser';

let browser: Browser;
const errors: string[] = [];

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** A page in a context of its own: two contributors with nothing shared but the server. */
async function visitor(url: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  recordErrors(page, errors);
  await page.goto(url);
  return page;
}

test('two pages join one experiment, train its runs and show the pooled analysis as they arrive', async () => {
  const base = inject('baseURL');
  const res = await fetch(`${base}/api/experiments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'two tabs',
      preset: 'mnist-paper',
      runs: 2,
      steps: [0, 10],
      batch: 8,
      seed: 11,
      replication: 0,
    }),
  });
  expect(res.status).toBe(201);
  const { id, url } = (await res.json()) as CreatedExperiment;
  expect(url).toBe(`${base}/x/${id}`);

  const [a, b] = await Promise.all([visitor(url), visitor(url)]);
  for (const p of [a, b]) {
    await expect.poll(() => p.getByTestId('experiment-progress').textContent()).toContain('0 of 2 runs done');
    await expect.poll(() => p.getByText('No finished runs yet').count()).toBe(1);
  }
  await Promise.all([a, b].map((p) => p.getByRole('button', { name: 'Join experiment' }).click()));

  // Each page leased one of the two runs (leases are handed out before any training starts) and finished it.
  for (const p of [a, b]) {
    await expect.poll(() => p.getByTestId('join-status').textContent(), { timeout: 150_000 }).toContain('no work left');
  }
  const contributed = await Promise.all(
    [a, b].map(async (p) => Number(await p.getByTestId('contributed').textContent())),
  );
  expect(contributed).toEqual([1, 1]);

  // Both pages follow the pool: progress, and layer 1 at the last step analysed over both runs.
  for (const p of [a, b]) {
    await expect.poll(() => p.getByTestId('runs-done').textContent(), { timeout: 30_000 }).toBe('2');
    await expect
      .poll(() => p.getByTestId('pooled-verdict').textContent(), { timeout: 60_000 })
      .toContain('Step 10, 2 runs');
  }
  const pool = (await (await fetch(`${base}/api/experiments/${id}/pool`)).json()) as {
    runs: Array<{ run: number; snapshots: unknown[] }>;
  };
  expect(pool.runs.map((r) => [r.run, r.snapshots.length])).toEqual([
    [0, 2],
    [1, 2],
  ]);
  expect(errors).toEqual([]);
});
