import { expect, inject, test } from 'vitest';
import { tabPerFile, waitForServiceWorker } from '../support/browser';
import { startTraining } from '../support/lab';

// The lab shares a wasm training among one training worker per spare core. The page reports the cores it is told
// to (window.cores, 4 unless set), so the sharing is tried on any machine; what is checked is that it changes no
// number: the kernels of 3 workers, of 1, and of 3 workers cancelled and resumed are the same.
const tab = tabPerFile();

type Kernel = { layer: number; data: Record<string, number> | Float32Array };
type Row = { sessionId: string; run: number; step: number; kernels: Kernel[] };

/** The newest session's status and its snapshots' kernels, by "run@step/layer", as plain arrays. */
async function newest() {
  return tab.page.evaluate(async () => {
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
    const sessions = await read<{ id: string; status: string; createdAt: string }>('sessions');
    const snapshots = await read<Row>('snapshots');
    db.close();
    const session = sessions.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!;
    const kernels: Record<string, number[]> = {};
    for (const s of snapshots.filter((x) => x.sessionId === session.id)) {
      for (const k of s.kernels) kernels[`${s.run}@${s.step}/${k.layer}`] = Array.from(k.data as Float32Array);
    }
    return { status: session.status, kernels };
  });
}

const settings = { runs: 3, steps: 150, 'batch-size': 4, schedule: '3, 150', 'param-k': 8 };

async function trainToTheEnd() {
  await startTraining(tab.page, settings);
  await expect.poll(async () => (await newest()).status, { timeout: 240_000, interval: 1000 }).toBe('complete');
  await tab.page.getByTestId('start').waitFor({ timeout: 60_000 });
}

const trainingWorkers = () =>
  tab.page.evaluate(() => (window as unknown as { trainingWorkers: number }).trainingWorkers);

test(
  'three training workers, one, and three cancelled and resumed train the same kernels',
  { timeout: 900_000 },
  async () => {
    await tab.context.addInitScript(() => {
      const w = window as unknown as { cores?: number; trainingWorkers: number };
      w.trainingWorkers = 0;
      Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => w.cores ?? 4 });
      const Original = window.Worker;
      window.Worker = class extends Original {
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          if (/training/.test(String(url))) w.trainingWorkers++;
        }
      };
    });
    await tab.page.goto(inject('baseURL') + '/?backend=wasm');
    await expect.poll(() => tab.page.getByTestId('backend').textContent(), { timeout: 60_000 }).toBe('wasm');
    await waitForServiceWorker(tab.page);

    // 4 cores: 3 spare, one worker per run. The badge's worker is the first of them.
    await trainToTheEnd();
    expect(await trainingWorkers()).toBe(3);
    const shared = await newest();
    expect(Object.keys(shared.kernels)).toHaveLength(3 * 2 * 2);

    // 2 cores: one spare, one worker, as before.
    await tab.page.evaluate(() => ((window as unknown as { cores: number }).cores = 2));
    const before = await trainingWorkers();
    await trainToTheEnd();
    expect(await trainingWorkers()).toBe(before);
    const alone = await newest();
    expect(alone.kernels).toEqual(shared.kernels);

    // 3 workers again, paused once every run has its step-3 snapshot, cancelled, and resumed from the store.
    await tab.page.evaluate(() => ((window as unknown as { cores: number }).cores = 4));
    await startTraining(tab.page, settings);
    await tab.page.getByTestId('timeline-slider').waitFor({ timeout: 120_000 });
    await tab.page.getByTestId('pause').click();
    await tab.page.getByTestId('resume').waitFor();
    await tab.page.getByTestId('cancel').click();
    await expect.poll(() => tab.page.getByTestId('lab-error').textContent(), { timeout: 30_000 }).toMatch(/cancelled/);
    const cut = await newest();
    expect(cut.status).toBe('cancelled');
    expect(Object.keys(cut.kernels).length).toBeLessThan(3 * 2 * 2);
    await tab.page.getByTestId('resume-session').click();
    await expect.poll(async () => (await newest()).status, { timeout: 240_000, interval: 1000 }).toBe('complete');
    expect((await newest()).kernels).toEqual(shared.kernels);
    expect(tab.errors).toEqual([]);
  },
);
