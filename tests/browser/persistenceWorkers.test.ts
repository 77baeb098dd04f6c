import { availableParallelism, loadavg } from 'node:os';
import { expect, inject, test } from 'vitest';
import { tabPerFile, waitForServiceWorker } from '../support/browser';
import { analyzeInWorker, builtAnalysisWorker, openAnalysisHarness } from '../support/analysisWorker';
import { readFileSync } from 'node:fs';
import { root } from '../support/wrangler';
import { kleinSample } from '../unit/analysisSamples';

// Persistence on every core in the lab's analysis worker: on a cross-origin isolated page it shares the Rips
// persistence with nested workers (src/lib/worker/ripsWorkers.ts), whose answers come back through shared memory;
// on a page that is not isolated there is no shared memory and it stays serial. Both give the same document.
const tab = tabPerFile({ context: { serviceWorkers: 'block' } });

test.skipIf(availableParallelism() < 2)(
  'the analysis worker shares persistence with nested workers, and the document is the serial one',
  async () => {
    const base = inject('baseURL');
    // 3,300 Klein-bottle patches: a density core of 990 points, the largest the lab sends to Rips by default, so
    // every parallel phase of H0-H1 runs (the edges of the point cloud, the apparent pairs, the reduction).
    const { filters } = kleinSample(3300, { seed: 5 });
    const options = { maxDim: 1 };
    const load = loadavg()[0].toFixed(1);

    await openAnalysisHarness(tab.page, base, false);
    const serial = await analyzeInWorker(tab.page, filters, options);
    await openAnalysisHarness(tab.page, base, true);
    const parallel = await analyzeInWorker(tab.page, filters, options);

    expect(serial.isolated).toBe(false);
    expect(serial.threads).toEqual({ workers: 0, answers: 0 });
    expect(parallel.isolated).toBe(true);
    expect(parallel.threads.workers).toBe(Math.min(parallel.cores, 8) - 1);
    // Answers decoded from the nested workers' mailboxes: they did take chunks.
    expect(parallel.threads.answers).toBeGreaterThan(0);
    expect(parallel.doc.persistence.complex).toBe('rips');
    expect(parallel.doc.persistence.nPoints).toBe(990);
    expect(parallel.doc.persistence.diagrams[1].length).toBeGreaterThan(0);
    // The barcode bar for bar, and the whole document apart from its timings and the time it was made.
    expect(parallel.doc.persistence).toEqual(serial.doc.persistence);
    const { timings: parallelTimings, createdAt: _p, ...parallelDoc } = parallel.doc;
    const { timings: serialTimings, createdAt: _s, ...serialDoc } = serial.doc;
    expect(parallelDoc).toEqual(serialDoc);
    console.log(
      `persistence of ${parallel.doc.persistence.nPoints} points (H0-H1) in the analysis worker: ` +
        `${serialTimings?.ph} ms serial, ${parallelTimings?.ph} ms with ${parallel.threads.workers} nested ` +
        `worker(s) (${parallel.threads.answers} answers); ${parallel.cores} cores, load ${load} -> ` +
        loadavg()[0].toFixed(1),
    );
    expect(tab.errors).toEqual([]);
  },
);

test('offline the app is still cross-origin isolated, and the nested worker needs no file of its own', async () => {
  // The service worker answers offline with the responses it cached, headers included: the page keeps its
  // isolation, so the analysis worker still shares memory with its nested workers.
  const context = await tab.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(inject('baseURL') + '/');
    await waitForServiceWorker(page);
    await context.setOffline(true);
    await page.reload();
    await page.getByTestId('start').waitFor();
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    expect(await page.evaluate(() => crossOriginIsolated && typeof SharedArrayBuffer === 'function')).toBe(true);
  } finally {
    await context.close();
  }
  // The nested workers start from a blob in the analysis worker's own (precached) file, as the pool's do: two
  // inlined workers, and no request for a worker file.
  const analysisWorker = readFileSync(root + 'build' + builtAnalysisWorker(), 'utf8');
  expect(analysisWorker.match(/new Blob\(\[/g)?.length).toBe(2);
  expect(analysisWorker).toContain('persistence worker used before setup');
});
