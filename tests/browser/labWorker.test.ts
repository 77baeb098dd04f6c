import { expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { tabPerFile, waitForServiceWorker } from '../support/browser';
import { startTraining } from '../support/lab';

// Training in the training worker, in headless Chromium with no GPU: the lab picks wasm and says why, the page
// answers while a step runs, and a worker that dies or is cancelled leaves its snapshots and checkpoints stored.
const tab = tabPerFile();

interface Stored {
  sessions: Array<{ id: string; status: string; createdAt: string }>;
  snapshots: Array<{ sessionId: string; run: number; step: number }>;
  checkpoints: Array<{ sessionId: string; run: number; step: number }>;
}

/** What IndexedDB holds for the newest session, read straight from the database the app writes. */
async function newestSession(page: Page) {
  const all = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('kleinscope-lab');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const read = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => resolve(r.result as T[]);
        r.onerror = () => reject(r.error);
      });
    type Row = { sessionId: string; run: number; step: number };
    const [sessions, snapshots, checkpoints] = await Promise.all([
      read<{ id: string; status: string; createdAt: string }>('sessions'),
      read<Row>('snapshots'),
      read<Row>('checkpoints'),
    ]);
    db.close();
    const pick = ({ sessionId, run, step }: Row) => ({ sessionId, run, step });
    return {
      sessions: sessions.map(({ id, status, createdAt }) => ({ id, status, createdAt })),
      snapshots: snapshots.map(pick),
      checkpoints: checkpoints.map(pick),
    } satisfies Stored;
  });
  const session = all.sessions.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  return {
    status: session?.status,
    snapshots: all.snapshots.filter((s) => s.sessionId === session?.id).map((s) => s.step),
    checkpoints: all.checkpoints.filter((c) => c.sessionId === session?.id).map((c) => c.step),
  };
}

/** The step the progress line reports ("run 1/2, step 12, loss …"), or -1 before the first report. */
async function progressStep(page: Page): Promise<number> {
  const text =
    (await page
      .getByTestId('training-progress')
      .textContent()
      .catch(() => null)) ?? '';
  return Number(/step (\d+)/.exec(text)?.[1] ?? -1);
}

test('with no GPU the lab trains on wasm in a worker, says why, and the page is cross-origin isolated', async () => {
  const base = inject('baseURL');
  const response = await fetch(base + '/');
  expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  await tab.page.goto(base + '/');
  expect(await tab.page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect.poll(() => tab.page.getByTestId('backend').textContent(), { timeout: 60_000 }).toBe('wasm');
  // Why not a GPU: headless Chromium has no WebGPU adapter, and its WebGL is SwiftShader.
  const reason = await tab.page.getByTestId('backend-reason').textContent();
  expect(reason).toMatch(/WebAssembly/);
  expect(reason).toMatch(/software rasteriser \(SwiftShader\)/);
  expect(reason).toMatch(/no WebGPU adapter/);
  // The backend was picked in the training worker.
  expect(tab.page.workers().some((w) => /training\.worker/.test(w.url()))).toBe(true);
  await waitForServiceWorker(tab.page);

  await startTraining(tab.page, { runs: 2, steps: 4, 'batch-size': 8, schedule: '2', 'param-k': 8 });
  await expect.poll(() => tab.page.getByTestId('timeline-slider').getAttribute('max'), { timeout: 90_000 }).toBe('1');
  await tab.page.getByTestId('start').waitFor({ timeout: 60_000 });
  const stored = await newestSession(tab.page);
  expect(stored.status).toBe('complete');
  expect(stored.snapshots.sort((a, b) => a - b)).toEqual([2, 2, 4, 4]);
  expect(stored.checkpoints).toEqual([4, 4]);
  expect(tab.errors).toEqual([]);
});

test('the page answers a click within 200 ms while a training step runs', async () => {
  await tab.page.goto(inject('baseURL') + '/');
  await expect.poll(() => tab.page.getByTestId('backend').textContent(), { timeout: 60_000 }).toBe('wasm');
  // Big batches: each step keeps the worker busy for a second or more.
  await startTraining(tab.page, { runs: 2, steps: 1000, 'batch-size': 512, schedule: '1000' });
  await expect.poll(() => progressStep(tab.page), { timeout: 90_000 }).toBeGreaterThan(0);

  const delays: number[] = [];
  for (let round = 0; round < 3; round++) {
    // Right after a step is reported the worker is in the next one: click then.
    const seen = await progressStep(tab.page);
    await expect.poll(() => progressStep(tab.page), { timeout: 60_000, interval: 20 }).toBeGreaterThan(seen);
    for (const [button, answer] of [
      ['pause', 'resume'],
      ['resume', 'pause'],
    ]) {
      const started = performance.now();
      // One round trip: the click, Svelte's update and the next frame all need the page's main thread.
      const shown = await tab.page.evaluate(
        ([b, a]) => {
          (document.querySelector(`[data-testid="${b}"]`) as HTMLButtonElement).click();
          return new Promise<boolean>((resolve) =>
            requestAnimationFrame(() => resolve(document.querySelector(`[data-testid="${a}"]`) !== null)),
          );
        },
        [button, answer],
      );
      delays.push(performance.now() - started);
      expect(shown).toBe(true);
    }
  }
  // The steps went on meanwhile, in the worker.
  expect(await progressStep(tab.page)).toBeGreaterThanOrEqual(3);
  expect(Math.max(...delays), `answers took ${delays.map((d) => d.toFixed(0)).join(', ')} ms`).toBeLessThan(200);
  await tab.page.getByTestId('cancel').click();
  await tab.page.getByTestId('start').waitFor({ timeout: 30_000 });
  expect(tab.errors).toEqual([]);
});

test('a crashed worker and a cancel keep the last snapshot and checkpoint, and training resumes from them', async () => {
  await tab.page.goto(inject('baseURL') + '/');
  await expect.poll(() => tab.page.getByTestId('backend').textContent(), { timeout: 60_000 }).toBe('wasm');
  await startTraining(tab.page, { runs: 1, steps: 5000, 'batch-size': 8, schedule: '5, 5000' });
  await tab.page.getByTestId('timeline-slider').waitFor({ timeout: 90_000 });
  // Paused, so that the crash comes after the step-5 snapshot and checkpoint and before the next.
  await tab.page.getByTestId('pause').click();
  await tab.page.getByTestId('resume').waitFor();
  await expect.poll(async () => (await newestSession(tab.page)).checkpoints).toEqual([5]);

  const worker = tab.page.workers().find((w) => /training\.worker/.test(w.url()));
  expect(worker).toBeDefined();
  await worker!.evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated crash');
    });
  });
  await expect
    .poll(() => tab.page.getByTestId('lab-error').textContent(), { timeout: 30_000 })
    .toMatch(/training worker stopped: .*simulated crash.*snapshots and checkpoints so far are kept/);
  let stored = await newestSession(tab.page);
  expect(stored).toEqual({ status: 'paused', snapshots: [5], checkpoints: [5] });
  await expect.poll(() => tab.page.getByTestId('timeline-slider').getAttribute('max')).toBe('0');

  // A fresh worker continues from the checkpoint, not from step 0: every step it reports is past 5.
  await tab.page.evaluate(() => {
    const seen: number[] = ((window as unknown as { stepsSeen: number[] }).stepsSeen = []);
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="training-progress"]')?.textContent ?? '';
      const step = /step (\d+)/.exec(text)?.[1];
      if (step) seen.push(Number(step));
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await tab.page.getByTestId('resume-session').click();
  await expect.poll(() => progressStep(tab.page), { timeout: 60_000 }).toBeGreaterThan(6);
  const seen = await tab.page.evaluate(() => (window as unknown as { stepsSeen: number[] }).stepsSeen);
  expect(Math.min(...seen)).toBeGreaterThan(5);
  await tab.page.getByTestId('cancel').click();
  await expect.poll(() => tab.page.getByTestId('lab-error').textContent(), { timeout: 30_000 }).toMatch(/cancelled/);
  await tab.page.getByTestId('start').waitFor();
  stored = await newestSession(tab.page);
  expect(stored).toEqual({ status: 'cancelled', snapshots: [5], checkpoints: [5] });
  // The uncaught error itself is the only thing the console reported.
  expect(tab.errors.filter((e) => !/simulated crash/.test(e))).toEqual([]);
  tab.errors.length = 0;
});

test('cancel pressed while the training is still starting stops it before any step', async () => {
  await tab.page.goto(inject('baseURL') + '/');
  await expect.poll(() => tab.page.getByTestId('backend').textContent(), { timeout: 60_000 }).toBe('wasm');
  await startTraining(tab.page, { runs: 1, steps: 1000, 'batch-size': 64, schedule: '1000' });
  await tab.page.getByTestId('cancel').click();
  await expect.poll(() => tab.page.getByTestId('lab-error').textContent(), { timeout: 30_000 }).toMatch(/cancelled/);
  await tab.page.getByTestId('start').waitFor();
  const stored = await newestSession(tab.page);
  expect(stored.status).toBe('cancelled');
  expect(stored.checkpoints).toEqual([]);
  // Nothing trains on behind the page's back: the bar goes (under load it can take a moment) and stays gone.
  await expect.poll(() => tab.page.getByTestId('training-progress').count()).toBe(0);
  await tab.page.waitForTimeout(1000);
  expect(await tab.page.getByTestId('training-progress').count()).toBe(0);
  expect(tab.errors).toEqual([]);
});
