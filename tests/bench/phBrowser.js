// `npm run bench -- phBrowser [--filters=3300] [--repeat=3] [--no-build]`: persistence in the lab's analysis worker
// with its nested persistence workers (a cross-origin isolated page) against the same worker on one thread (a page
// without isolation, where memory cannot be shared), in the same run, in turns, on the built app served by
// `wrangler pages dev` in headless Chromium (CPU work only: the analysis uses no GPU). The input is Klein-bottle
// patches (tests/unit/analysisSamples.ts); 3,300 of them give a 990-point density core, the largest the lab sends
// to Rips by default. Prints each run's ph stage and whole analysis, the best of each, the ratio with/without, the
// answers the nested workers sent, whether the documents are identical (timings and creation time aside), and the
// load average before and after: on a shared machine it says what the wall times are worth.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { benchFlags } from './support/flags.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const say = (/** @type {string} */ line) => process.stdout.write(line + '\n');
const { flags, number } = benchFlags('phBrowser');
const FILTERS = number('filters', 3300);
const REPEAT = number('repeat', 3);

if (!flags.has('no-build')) {
  say('building the app (vite build)…');
  execFileSync(`${root}node_modules/.bin/vite`, ['build', '--logLevel', 'error'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
// The tests' helpers, bundled for plain Node. They find the repository as '../..' from themselves, so the bundle
// sits two folders deep, as the sources do.
const helpers = `${root}node_modules/.kleinscope/ph-browser-bench.mjs`;
await build({
  stdin: {
    contents: `export { startPagesDev } from './tests/support/wrangler';
      export { openAnalysisHarness, analyzeInWorker } from './tests/support/analysisWorker';
      export { kleinSample } from './tests/unit/analysisSamples';`,
    resolveDir: root,
    loader: 'ts',
  },
  outfile: helpers,
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'error',
});
const { startPagesDev, openAnalysisHarness, analyzeInWorker, kleinSample } = await import(pathToFileURL(helpers).href);

const state = mkdtempSync(join(tmpdir(), 'kleinscope-bench-ph-browser-'));
const server = await startPagesDev(state);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox'],
});
try {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const plain = await context.newPage();
  const isolated = await context.newPage();
  await openAnalysisHarness(plain, server.url, false);
  await openAnalysisHarness(isolated, server.url, true);
  const { filters } = kleinSample(FILTERS, { seed: 5 });
  const options = { maxDim: 1 };
  const before = loadavg()[0];
  say(
    `${FILTERS} Klein-bottle patches, H0-H1; Chromium ${browser.version()}, ${availableParallelism()} cores, ` +
      `best of ${REPEAT}, in turns`,
  );
  say(
    '| run | one thread: ph s | analysis s | nested workers: ph s | analysis s | workers | answers | same document |',
  );
  say(
    '| --- | ---------------- | ---------- | -------------------- | ---------- | ------- | ------- | ------------- |',
  );
  const best = { serialPh: Infinity, serialAll: Infinity, parallelPh: Infinity, parallelAll: Infinity };
  let nPoints = 0;
  let allSame = true;
  for (let run = 1; run <= REPEAT; run++) {
    const serial = await analyzeInWorker(plain, filters, options);
    const parallel = await analyzeInWorker(isolated, filters, options);
    if (serial.isolated || !parallel.isolated) throw new Error('bench phBrowser: the pages are not isolated as asked');
    const strip = (/** @type {Record<string, unknown>} */ d) => JSON.stringify({ ...d, timings: 0, createdAt: 0 });
    const same = strip(serial.doc) === strip(parallel.doc);
    allSame &&= same;
    nPoints = parallel.doc.persistence.nPoints;
    best.serialPh = Math.min(best.serialPh, serial.doc.timings.ph);
    best.parallelPh = Math.min(best.parallelPh, parallel.doc.timings.ph);
    best.serialAll = Math.min(best.serialAll, serial.ms);
    best.parallelAll = Math.min(best.parallelAll, parallel.ms);
    say(
      `| ${run} | ${(serial.doc.timings.ph / 1000).toFixed(2)} | ${(serial.ms / 1000).toFixed(2)} | ` +
        `${(parallel.doc.timings.ph / 1000).toFixed(2)} | ${(parallel.ms / 1000).toFixed(2)} | ` +
        `${parallel.threads.workers} | ${parallel.threads.answers} | ${same ? 'yes' : 'NO'} |`,
    );
  }
  say(
    `\n${nPoints}-point core (Rips): ph with nested workers / one thread = ` +
      `${(best.parallelPh / best.serialPh).toFixed(2)}x (best ${(best.parallelPh / 1000).toFixed(2)} s against ` +
      `${(best.serialPh / 1000).toFixed(2)} s); whole analysis ${(best.parallelAll / best.serialAll).toFixed(2)}x ` +
      `(nested workers' start included); same documents: ${allSame ? 'yes' : 'NO'}; load average ` +
      `${before.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after`,
  );
  await context.close();
  if (!allSame) process.exitCode = 1;
} finally {
  await browser.close();
  await server.stop();
  rmSync(state, { recursive: true, force: true });
}
