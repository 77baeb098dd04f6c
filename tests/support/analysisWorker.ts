import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { root } from './wrangler';
import type { AnalysisOptions } from '../../src/lib/analysis/options';
import type { HarnessAnalysis } from './analysisHarness';

/**
 * A page on the app's own origin that drives the app's built analysis worker (tests/support/analysisHarness.ts,
 * bundled here and served by a Playwright route; the context must block service workers so the route sees it).
 * `isolated`: served with the app's cross-origin isolation headers (static/_headers), or without them.
 */
export async function openAnalysisHarness(page: Page, base: string, isolated: boolean): Promise<void> {
  const bundle = await build({
    entryPoints: [`${root}tests/support/analysisHarness.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'error',
  });
  const headers: Record<string, string> = isolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {};
  const dir = `${base}/__analysis-${isolated ? 'isolated' : 'plain'}/`;
  await page.route(dir + 'harness.js', (route) =>
    route.fulfill({ contentType: 'text/javascript', headers, body: bundle.outputFiles[0].text }),
  );
  await page.route(dir, (route) =>
    route.fulfill({
      contentType: 'text/html',
      headers,
      body: '<!doctype html><script type="module">import * as h from "./harness.js"; window.harness = h;</script>',
    }),
  );
  await page.goto(dir);
  await page.waitForFunction(() => 'harness' in window);
}

/** The built worker's URL path. */
export function builtAnalysisWorker(): string {
  const dir = `${root}build/_app/immutable/workers/`;
  const file = readdirSync(dir).find((f) => /^analysis\.worker-.*\.js$/.test(f));
  if (!file) throw new Error(`no analysis worker in ${dir}: build the app first`);
  return `/_app/immutable/workers/${file}`;
}

// page.evaluate sends its function's source to the page: it reaches the harness through window itself.
type Harness = typeof import('./analysisHarness');

/** One analysis in a fresh copy of the built worker, on the harness page open in `page`. */
export function analyzeInWorker(
  page: Page,
  filters: ArrayLike<number>,
  options: AnalysisOptions,
): Promise<HarnessAnalysis> {
  return page.evaluate(([url, f, o]) => (window as unknown as { harness: Harness }).harness.analyze(url, f, o), [
    builtAnalysisWorker(),
    Array.from(filters),
    options,
  ] as const);
}
