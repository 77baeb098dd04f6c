import type { Page } from 'playwright-core';

/** The lab's run settings and analysis parameters, by the data-testid of their inputs. */
export interface TinyTraining {
  runs: number;
  steps: number;
  'batch-size': number;
  schedule: string;
  'param-k'?: number;
  'param-p'?: number;
  'param-resolution'?: number;
}

/** Fills the lab's settings and presses Start: the browser tests' tiny trainings, kept well under a minute. */
export async function startTraining(page: Page, settings: TinyTraining): Promise<void> {
  for (const [testid, value] of Object.entries(settings)) {
    if (value !== undefined) await page.getByTestId(testid).fill(String(value));
  }
  await page.getByTestId('start').click();
}

/** A stored snapshot as the tests compare them: its loss and every conv layer's kernel, as plain numbers. */
export interface StoredSnapshot {
  run: number;
  step: number;
  loss: number;
  accuracy: number;
  kernels: number[][];
}

/** The newest training session in the lab's IndexedDB: its status, snapshots (with kernels) and checkpoint steps. */
export async function newestStoredSession(
  page: Page,
): Promise<{ status: string | undefined; snapshots: StoredSnapshot[]; checkpoints: number[] }> {
  return page.evaluate(async () => {
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
      read<Row & { loss: number; accuracy: number; kernels: Array<{ data: Float32Array }> }>('snapshots'),
      read<Row>('checkpoints'),
    ]);
    db.close();
    const session = sessions.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    return {
      status: session?.status,
      snapshots: snapshots
        .filter((s) => s.sessionId === session?.id)
        .map((s) => ({
          run: s.run,
          step: s.step,
          loss: s.loss,
          accuracy: s.accuracy,
          kernels: s.kernels.map((k) => Array.from(k.data)),
        }))
        .sort((a, b) => a.run - b.run || a.step - b.step),
      checkpoints: checkpoints
        .filter((c) => c.sessionId === session?.id)
        .map((c) => c.step)
        .sort((a, b) => a - b),
    };
  });
}

/**
 * Starts recording, at every step the training bar reports, what the backend badge says of the training worker's
 * memory then ("123 tensors, 4.5 MB …"); both change in the same update, so each step gets its own count.
 */
export async function recordMemory(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Array<{ step: number; tensors: number }> = ((
      window as unknown as { memorySeen: typeof seen }
    ).memorySeen = []);
    let last = '';
    new MutationObserver(() => {
      const progress = document.querySelector('[data-testid="training-progress"]')?.textContent ?? '';
      const memory = document.querySelector('[data-testid="backend-memory"]')?.textContent ?? '';
      const step = /step (\d+)/.exec(progress)?.[1];
      const tensors = /(\d+) tensors/.exec(memory)?.[1];
      if (!step || !tensors || `${step}:${tensors}` === last) return;
      last = `${step}:${tensors}`;
      seen.push({ step: Number(step), tensors: Number(tensors) });
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

/** What recordMemory saw: the worker's tensor count at each step reported, in order. */
export async function memorySeen(page: Page): Promise<Array<{ step: number; tensors: number }>> {
  return page.evaluate(
    () => (window as unknown as { memorySeen: Array<{ step: number; tensors: number }> }).memorySeen,
  );
}
