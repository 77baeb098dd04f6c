// Two browsers join one pooled experiment on /x/<id>: each trains leased runs in its training worker and uploads
// the snapshots; both pages follow the progress and show the pooled analysis once the runs are in.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { CreatedExperiment } from '../../src/lib/api/experiments';
import { launch, recordErrors } from '../support/browser';
import { root } from '../support/wrangler';

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** The server errors the pages met, as `status METHOD path`. */
const serverErrors: string[] = [];

/** A page in a context of its own: two contributors with nothing shared but the server. */
async function visitor(url: string, errors: string[]): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  recordErrors(page, errors);
  page.on('response', (r) => {
    if (r.status() >= 500) serverErrors.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(url);
  return page;
}

/**
 * Once in a full CI run on the loaded 2-core machine a page met a 503 (which request, the console line does not
 * say; the run is otherwise as asserted above). A GET the pages poll (the experiment, its pool, a run's kernels)
 * is asked again at the next poll, and the end state shows that it was; Chromium still logs the failed load. So
 * those are reported, and anything else (another status, another request, any other console error) fails.
 */
function expectNoUnrecoveredErrors(errors: string[]): void {
  const polled = /^503 GET \/api\/experiments\/[^/]+(\/pool|\/runs\/\d+\/steps\/\d+)?$/;
  expect(serverErrors.filter((e) => !polled.test(e))).toEqual([]);
  const failedLoad = /^Failed to load resource: the server responded with a status of 503 /;
  expect(errors.filter((e) => !failedLoad.test(e))).toEqual([]);
  expect(errors.length).toBeLessThanOrEqual(serverErrors.length);
  if (serverErrors.length > 0) console.log(`server errors met and asked again: ${serverErrors.join(', ')}`);
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

  // Both pages follow the pool: progress, and layers 1 and 2 at the last step analysed over both runs.
  for (const p of [a, b]) {
    await expect.poll(() => p.getByTestId('runs-done').textContent(), { timeout: 30_000 }).toBe('2');
    for (const layer of [1, 2]) {
      await expect
        .poll(() => p.locator(`[data-testid="pooled-verdict"][data-layer="${layer}"]`).textContent(), {
          timeout: 90_000,
        })
        .toContain(`Layer ${layer}, step 10, 2 runs`);
    }
  }
  // Layer 2's full result: 2 runs x 64 x 8 spatial filters went in.
  await b.getByLabel('Layer 2').check();
  await expect.poll(() => b.getByText('Layer 2 is not analysed yet').count()).toBe(0);
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
  expectNoUnrecoveredErrors(errors);
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

test('the owner closes an experiment from its page; a wrong token is refused; the page says when it is offline', async () => {
  const errors: string[] = [];
  const base = inject('baseURL');
  const res = await fetch(`${base}/api/experiments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'to close', preset: 'mnist-paper', runs: 2, steps: [0, 10], batch: 8 }),
  });
  const { id, url, token } = (await res.json()) as CreatedExperiment;
  const page = await visitor(url, errors);
  await expect.poll(() => page.getByTestId('experiment-progress').textContent()).toContain('0 of 2 runs done');

  // Offline: the page keeps what it showed and says why it is not updating; back online, the alert goes.
  await page.context().setOffline(true);
  await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 }).toContain('You are offline');
  expect(await page.getByTestId('experiment-progress').textContent()).toContain('0 of 2 runs done');
  await page.context().setOffline(false);
  await expect.poll(() => page.getByRole('alert').count(), { timeout: 20_000 }).toBe(0);

  await page.getByText('Close this experiment (owner)').click();
  await page.getByTestId('owner-token').fill('not-the-owner-token');
  await page.getByRole('button', { name: 'Close experiment' }).click();
  await expect.poll(() => page.getByTestId('close-error').textContent()).toContain('does not own the experiment');
  const open = (await (await fetch(`${base}/api/experiments/${id}`)).json()) as { experiment: { closedAt: unknown } };
  expect(open.experiment.closedAt).toBeNull();

  await page.getByTestId('owner-token').fill(token);
  await page.getByRole('button', { name: 'Close experiment' }).click();
  await expect.poll(() => page.getByTestId('experiment-closed').count()).toBe(1);
  expect(await page.getByRole('button', { name: 'Join experiment' }).isDisabled()).toBe(true);
  expect(await page.getByText('Close this experiment (owner)').count()).toBe(0);
  const lease = await fetch(`${base}/api/experiments/${id}/lease`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ backend: 'wasm' }),
  });
  expect(lease.status).toBe(409);
  // The only errors are the ones this test caused: the refused token and the requests made while offline.
  expect(errors.filter((e) => !/403|ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(e))).toEqual([]);
});

test('a replica trained on wasm in a tab and by `kleinscope contribute --backend wasm` is the same bit for bit', async () => {
  const errors: string[] = [];
  const base = inject('baseURL');
  const res = await fetch(`${base}/api/experiments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'one replica, two places',
      preset: 'mnist-paper',
      runs: 1,
      steps: [0, 10, 30],
      batch: 8,
      seed: 5,
      replication: 1,
    }),
  });
  const { id, url } = (await res.json()) as CreatedExperiment;
  const page = await visitor(`${url}?backend=wasm`, errors);
  await page.getByRole('button', { name: 'Join experiment' }).click();
  await expect.poll(() => page.locator('.badge').textContent(), { timeout: 60_000 }).toContain('wasm');
  // Every status the tab showed, so a failure says how the contribution went.
  const said = new Set<string>();
  const deadline = Date.now() + 150_000;
  for (;;) {
    const now = (await page.getByTestId('join-status').textContent()) ?? '';
    said.add(now.replace(/step \d+ of/, 'step N of'));
    if (now.includes('no work left')) break;
    if (Date.now() > deadline) throw new Error(`the tab never finished: ${[...said].join(' | ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  // The tab's copy is in; the second copy of run 0 is for someone else: a Node process on wasm.
  const child = spawn(
    process.execPath,
    [join(root, 'src/cli/kleinscope.js'), 'contribute', '--server', base, '--backend', 'wasm', id],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  expect(code, log).toBe(0);
  const view = (await (await fetch(`${base}/api/experiments/${id}`)).json()) as {
    progress: { runs: Record<string, number>; replicas: Record<string, number>; flaggedContributors: number };
  };
  expect(view.progress.runs).toMatchObject({ done: 1, rejected: 0 });
  expect(view.progress.replicas).toEqual({ exact: 1, early: 0, unverified: 0 });
  const pool = (await (await fetch(`${base}/api/experiments/${id}/pool`)).json()) as {
    runs: Array<{ replica: { check: string; distance: number; backends: string[] } }>;
  };
  expect(pool.runs[0]!.replica).toMatchObject({ check: 'exact', distance: 0, backends: ['wasm', 'wasm'] });
  await expect.poll(() => page.getByTestId('replicas').textContent(), { timeout: 30_000 }).toContain('1 identical');
  const out = mkdtempSync(join(tmpdir(), 'kleinscope-replica-pool-'));
  try {
    const pool = spawnSync(
      process.execPath,
      [join(root, 'src/cli/kleinscope.js'), 'pool', '--server', base, id, '--out', out],
      {
        encoding: 'utf8',
      },
    );
    expect(pool.status, pool.stderr).toBe(0);
    expect(pool.stdout).toContain('replicated runs: 1 identical on one backend, 0 agreeing at the early steps');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  expect(errors).toEqual([]);
});
