import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { root } from './wrangler';
import type { HarnessJob, HarnessRun } from './workerHarness';

/**
 * The app's training worker as the build ships it (build/_app/immutable/workers/training.worker-<hash>.js), and a
 * page on the app's own origin that drives it through the lab's TrainingClient (tests/support/workerHarness.ts,
 * bundled here and served by a Playwright route; the context must block service workers so the route sees it).
 */
export async function openWorkerHarness(page: Page, base: string): Promise<void> {
  const bundle = await build({
    entryPoints: [`${root}tests/support/workerHarness.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  await page.route(`${base}/__harness/harness.js`, (route) =>
    route.fulfill({ contentType: 'text/javascript', headers: isolation, body: bundle.outputFiles[0].text }),
  );
  await page.route(`${base}/__harness/`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      headers: isolation,
      body: '<!doctype html><script type="module">import * as h from "./harness.js"; window.harness = h;</script>',
    }),
  );
  await page.goto(`${base}/__harness/`);
  await page.waitForFunction(() => 'harness' in window);
}

/** The built worker's URL path. */
export function builtTrainingWorker(): string {
  const dir = `${root}build/_app/immutable/workers/`;
  const file = readdirSync(dir).find((f) => /^training\.worker-.*\.js$/.test(f));
  if (!file) throw new Error(`no training worker in ${dir}: build the app first`);
  return `/_app/immutable/workers/${file}`;
}

// page.evaluate sends its function's source to the page: it reaches the harness through window itself.
type Harness = typeof import('./workerHarness');

/** Trains `job` in a fresh copy of the built worker on `backend` (see workerHarness.train). */
export function trainInWorker(page: Page, backend: string, job: HarnessJob): Promise<HarnessRun> {
  return page.evaluate(([url, b, j]) => (window as unknown as { harness: Harness }).harness.train(url, b, j), [
    builtTrainingWorker(),
    backend,
    job,
  ] as const);
}

/** Cancels `job` after its checkpoints at `cancelStep` and resumes it in a fresh worker (workerHarness). */
export function cancelThenResumeInWorker(
  page: Page,
  backend: string,
  job: HarnessJob,
  cancelStep: number,
): Promise<{ cancelled: HarnessRun; resumed: HarnessRun }> {
  return page.evaluate(
    ([url, b, j, c]) => (window as unknown as { harness: Harness }).harness.cancelThenResume(url, b, j, c),
    [builtTrainingWorker(), backend, job, cancelStep] as const,
  );
}
