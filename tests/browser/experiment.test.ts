// Two browsers join one pooled experiment on /x/<id>: each trains leased runs in its training worker and uploads
// the snapshots; both pages follow the progress and show the pooled analysis once the runs are in.
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { CreatedExperiment } from '../../src/lib/api/experiments';
import { launch, recordErrors } from '../support/browser';

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** A page in a context of its own: two contributors with nothing shared but the server. */
async function visitor(url: string, errors: string[]): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  recordErrors(page, errors);
  await page.goto(url);
  return page;
}

test('two pages join one experiment, train its runs and show the pooled analysis as they arrive', async () => {
  const errors: string[] = [];
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

  const [a, b] = await Promise.all([visitor(url, errors), visitor(url, errors)]);
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
  // The gallery lists it as an experiment, with its progress, linking to its page.
  const gallery = await visitor(`${base}/gallery`, errors);
  const card = gallery.locator(`[data-testid="gallery-card"][data-id="${id}"]`);
  await expect.poll(() => card.getByTestId('experiment-card-progress').textContent()).toContain('2 of 2 runs done');
  expect(await card.getByRole('link').getAttribute('href')).toBe(`/x/${id}`);
  expect(errors).toEqual([]);
});

test('closing a tab mid-run stops its training: the run stays leased until it expires, nothing of it counts', async () => {
  const errors: string[] = [];
  const base = inject('baseURL');
  const res = await fetch(`${base}/api/experiments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'closed tab', preset: 'mnist-paper', runs: 1, steps: [0, 400], batch: 8 }),
  });
  const { id, url } = (await res.json()) as CreatedExperiment;
  const page = await visitor(url, errors);
  await page.getByRole('button', { name: 'Join experiment' }).click();
  await expect
    .poll(() => page.getByTestId('join-status').textContent(), { timeout: 60_000 })
    .toMatch(/step \d+ of 400/);
  await page.close({ runBeforeUnload: true });
  const view = async () =>
    (await (await fetch(`${base}/api/experiments/${id}`)).json()) as { progress: { runs: Record<string, number> } };
  expect((await view()).progress.runs).toMatchObject({ done: 0, leased: 1 });
  // The lease runs out on the server (tests/api/experiments.test.ts: expiry reissues the run); until then the
  // run is held and the pool has nothing of it.
  const pool = (await (await fetch(`${base}/api/experiments/${id}/pool`)).json()) as { runs: unknown[] };
  expect(pool.runs).toEqual([]);
  expect(errors).toEqual([]);
});
