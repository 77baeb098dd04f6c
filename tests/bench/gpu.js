// `npm run bench -- gpu`: the lab itself on the machine's GPU, through "Reproduce the paper": the page, the training
// worker, the IndexedDB snapshots and the analysis worker, as a user drives them, against the library's train() on
// the same backend in the same run (the goal: the lab within 1.5x of the library path).
//
// It needs Node and Chromium's files only (no network): it builds the app (vite build; --no-build reuses build/),
// serves it with `wrangler pages dev` as the tests do, and opens the lab in Chromium at /?backend=<backend>.
// Chromium: CHROMIUM=/path/to/chrome (default /usr/bin/chromium) and CHROMIUM_FLAGS (default
// "--enable-unsafe-webgpu --enable-features=Vulkan"; a headless Linux GPU machine may also need
// "--use-angle=vulkan"). Flags (with =): --runs=30 --steps=800 --batch=64 --schedule="100, 200, 400, 800"
// (the paper's; shrink them where there is no GPU), --backend=webgpu (webgl, wasm, cpu), --no-library,
// --no-build, --timeout=3600 (seconds, for the lab's whole run).
//
// Prints: the backend and adapter the worker got; images/s per ensemble (the lab trains min(runs, 8) runs as one
// ensemble); time to the first analysed snapshot and to the whole run; the worker's tf.memory() per step (tensors
// and bytes, first/largest/last: no growth across snapshots is the goal); the longest main-thread task
// (PerformanceObserver 'longtask'); the library's train() time for the same job and the ratio.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { benchFlags } from './support/flags.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = `${root}node_modules/.kleinscope/bench-gpu/`;
const say = (/** @type {string} */ line) => process.stdout.write(line + '\n');

const { flags, number } = benchFlags('gpu');
const RUNS = number('runs', 30);
const STEPS = number('steps', 800);
const BATCH = number('batch', 64);
const SCHEDULE = flags.get('schedule') ?? '100, 200, 400, 800';
const BACKEND = flags.get('backend') ?? 'webgpu';
const TIMEOUT_S = number('timeout', 3600);
if (!['webgpu', 'webgl', 'wasm', 'cpu'].includes(BACKEND)) {
  process.stderr.write(`bench gpu: --backend must be webgpu, webgl, wasm or cpu, not '${BACKEND}'\n`);
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_FLAGS = (process.env.CHROMIUM_FLAGS ?? '--enable-unsafe-webgpu --enable-features=Vulkan')
  .split(/\s+/)
  .filter(Boolean);
const ENSEMBLE = BACKEND === 'cpu' ? 1 : Math.min(RUNS, 8);
/** Images/s with a decimal where they are few (a software adapter), whole where they are many. */
const rate = (/** @type {number} */ images, /** @type {number} */ seconds) => {
  const r = images / seconds;
  return r < 100 ? r.toFixed(1) : r.toFixed(0);
};

mkdirSync(outDir, { recursive: true });
if (!flags.has('no-build')) {
  say('building the app (vite build)…');
  execFileSync(`${root}node_modules/.bin/vite`, ['build', '--logLevel', 'error'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
// The tests' server helper, bundled for plain Node. It finds the repository as '../..' from itself, so the bundle
// sits two folders deep, as the source does.
await build({
  entryPoints: [`${root}tests/support/wrangler.ts`],
  outfile: `${root}node_modules/.kleinscope/wrangler-bench.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'error',
});
/** @type {{ startPagesDev(dir: string): Promise<{ url: string, stop(): Promise<void> }> }} */
const { startPagesDev } = await import(pathToFileURL(`${root}node_modules/.kleinscope/wrangler-bench.mjs`).href);
const state = mkdtempSync(join(tmpdir(), 'kleinscope-bench-gpu-'));
const server = await startPagesDev(state);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', ...CHROMIUM_FLAGS],
});

say(
  `\nlab: "Reproduce the paper", ${RUNS} runs x ${STEPS} steps, batch ${BATCH}, snapshots ${SCHEDULE}, ` +
    `?backend=${BACKEND}; ensembles of ${ENSEMBLE} (load average ${loadavg()[0].toFixed(1)})`,
);
say(`chromium: ${CHROMIUM} ${CHROMIUM_FLAGS.join(' ')} (${browser.version()})`);

/** Thrown to end the run early, with nothing measured, after saying why. */
class SkipRun extends Error {}

/** @type {number | null} */
let labSeconds = null;
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Before the app's own scripts: the longest main-thread task, and each training report with its time and the
  // worker's memory then (the progress bar and the badge change in the same update).
  await page.addInitScript(() => {
    const w = /** @type {any} */ (window);
    w.benchLongest = 0;
    w.benchReports = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.benchLongest = Math.max(w.benchLongest, e.duration);
    }).observe({ type: 'longtask', buffered: true });
    let last = '';
    const watch = () =>
      new MutationObserver(() => {
        const progress = document.querySelector('[data-testid="training-progress"]')?.textContent ?? '';
        const memory = document.querySelector('[data-testid="backend-memory"]')?.textContent ?? '';
        const step = /step (\d+)/.exec(progress);
        const runs = /runs? (\d+)(?:–(\d+))? of/.exec(progress);
        if (!step || `${progress}|${memory}` === last) return;
        last = `${progress}|${memory}`;
        const tensors = /(\d+) tensors, ([\d.]+) MB/.exec(memory);
        w.benchReports.push({
          t: performance.now(),
          step: Number(step[1]),
          first: runs ? Number(runs[1]) : 1,
          last: runs ? Number(runs[2] ?? runs[1]) : 1,
          tensors: tensors ? Number(tensors[1]) : NaN,
          mb: tensors ? Number(tensors[2]) : NaN,
        });
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    if (document.body) watch();
    else addEventListener('DOMContentLoaded', watch);
  });
  await page.goto(`${server.url}/?backend=${BACKEND}`);
  await page.waitForFunction(
    () => /^(webgpu|webgl|wasm|cpu)$/.test(document.querySelector('[data-testid="backend"]')?.textContent ?? ''),
    null,
    { timeout: 120_000 },
  );
  const backend = await page.getByTestId('backend').textContent();
  const reason = await page
    .getByTestId('backend-reason')
    .textContent()
    .catch(() => '');
  say(`backend: ${backend}  (${(reason ?? '').trim() || 'no reason given'})`);
  if (backend !== BACKEND) say(`  note: asked for ${BACKEND}, the worker got ${backend}`);
  // `npm run bench` runs every bench: without a GPU the paper's full size would train for hours.
  const noGpu = /software adapter/.test(reason ?? '') || (backend !== 'webgpu' && backend !== 'webgl');
  if (noGpu && !flags.has('runs') && !flags.has('steps') && BACKEND !== 'wasm' && BACKEND !== 'cpu') {
    say('skipped: no GPU here; pass --runs=N --steps=N (and --schedule=...) for a reduced run');
    await context.close();
    throw new SkipRun();
  }
  const form = { runs: RUNS, steps: STEPS, 'batch-size': BATCH, schedule: SCHEDULE };
  for (const [id, value] of Object.entries(form)) await page.getByTestId(id).fill(String(value));
  const started = await page.evaluate(() => performance.now());
  await page.getByTestId('start').click();
  const deadline = Date.now() + TIMEOUT_S * 1000;
  /** @type {number | null} */
  let firstAnalysed = null;
  for (;;) {
    const now = await page.evaluate(() => ({
      t: performance.now(),
      analysed: document.querySelector('[data-testid="mapper-node"]') !== null,
      idle: document.querySelector('[data-testid="start"]') !== null,
      error: document.querySelector('[data-testid="lab-error"]')?.textContent ?? null,
    }));
    if (firstAnalysed === null && now.analysed) firstAnalysed = (now.t - started) / 1000;
    if (now.idle) {
      labSeconds = (now.t - started) / 1000;
      if (now.error) say(`lab error: ${now.error}`);
      break;
    }
    if (Date.now() > deadline) {
      say(`lab: still training after ${TIMEOUT_S} s; stopped (raise --timeout)`);
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // The last snapshot's analysis may finish after the training does.
  if (firstAnalysed === null) {
    await page.getByTestId('mapper-node').first().waitFor({ timeout: 600_000 });
    firstAnalysed = ((await page.evaluate(() => performance.now())) - started) / 1000;
  }
  const { reports, longest } = await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    return { reports: w.benchReports, longest: w.benchLongest };
  });
  /** @type {Array<{t: number, step: number, first: number, last: number, tensors: number, mb: number}>} */
  const rows = reports.filter((/** @type {{t: number}} */ r) => r.t >= started);
  // Images/s per ensemble: a fresh start trains runs 1..E, E+1..2E, … together; each report names a run of one of
  // them. From an ensemble's first report to its last: the steps it took, times its runs, times the batch.
  /** @type {Map<number, typeof rows>} */
  const groups = new Map();
  for (const r of rows) {
    const g = Math.floor((r.first - 1) / ENSEMBLE);
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  for (const [g, list] of [...groups].sort((a, b) => a[0] - b[0])) {
    const size = Math.min(ENSEMBLE, RUNS - g * ENSEMBLE);
    const a = list[0];
    const b = list[list.length - 1];
    if (b.step <= a.step) continue;
    const images = rate((b.step - a.step) * size * BATCH, (b.t - a.t) / 1000);
    const runs = `runs ${g * ENSEMBLE + 1}-${g * ENSEMBLE + size}`;
    say(`  ${runs.padEnd(12)} ensemble of ${String(size).padStart(3)}: ${images.padStart(7)} images/s`);
  }
  say(
    `lab whole run:            ${labSeconds?.toFixed(1)} s  (${rate(RUNS * STEPS * BATCH, labSeconds ?? NaN)} ` +
      'images/s over the run, compilation, evaluation and snapshots included)',
  );
  say(`first analysed snapshot:  ${firstAnalysed.toFixed(1)} s after Start`);
  const mem = rows.filter((r) => Number.isFinite(r.tensors));
  if (mem.length) {
    const most = mem.reduce((a, b) => (b.mb > a.mb ? b : a));
    say(
      `worker tf.memory() per step (${mem.length} reports): first ${mem[0].tensors} tensors, ${mem[0].mb} MB; ` +
        `largest ${most.tensors} tensors, ${most.mb} MB (step ${most.step}); last ${mem[mem.length - 1].tensors} ` +
        `tensors, ${mem[mem.length - 1].mb} MB`,
    );
  }
  say(`longest main-thread task: ${longest.toFixed(0)} ms (PerformanceObserver longtask; 0 = none over 50 ms)`);
  if (errors.length) say(`page errors: ${errors.join(' | ')}`);
  await context.close();

  if (!flags.has('no-library')) {
    // The library path: train() on a page's main thread on the same backend, the same job (no analysis, no
    // IndexedDB), served from the app's origin so the wasm binaries load as the lab's do.
    const entry = `${outDir}library.ts`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      entry,
      `import { selectBackend, parseBackendName } from '${root}src/lib/nn/backends';
import { mnistPaper } from '${root}src/lib/nn/architectures';
import { train } from '${root}src/lib/nn/training';
import { decodeMnist } from '${root}src/lib/nn/datasets/mnist';
export async function run(backend, runs, steps, batch, snapshots, ensemble, progressEvery) {
  const asked = parseBackendName(backend);
  const choice = await selectBackend([asked], { asked });
  const dataset = decodeMnist(new Uint8Array(await (await fetch('/data/mnist.bin')).arrayBuffer()));
  const config = { arch: mnistPaper, dataset, runs, steps, batchSize: batch, snapshots, seed: 1, ensemble, evalSize: 500, progressEvery };
  await train({ ...config, runs: ensemble, steps: 1, snapshots: [] }); // warm-up: shader compilation
  const r = await train(config, { onSnapshot: () => {}, onCheckpoint: () => {} });
  return { backend: choice.name, reason: choice.reason, ms: r.elapsedMs };
}
`,
    );
    const bundle = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'error',
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    const libContext = await browser.newContext({ serviceWorkers: 'block' });
    const lib = await libContext.newPage();
    const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
    await lib.route(`${server.url}/__bench/library.js`, (r) =>
      r.fulfill({ contentType: 'text/javascript', headers: isolation, body: bundle.outputFiles[0].text }),
    );
    await lib.route(`${server.url}/__bench/`, (r) =>
      r.fulfill({
        contentType: 'text/html',
        headers: isolation,
        body: '<!doctype html><script type="module">import * as b from "./library.js"; window.bench = b;</script>',
      }),
    );
    await lib.goto(`${server.url}/__bench/`);
    await lib.waitForFunction(() => 'bench' in window);
    const snapshots = SCHEDULE.split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    const progressEvery =
      BACKEND === 'webgpu' || BACKEND === 'webgl' ? Math.max(1, Math.min(10, Math.floor(STEPS / 20))) : 1;
    const r = await lib.evaluate(
      ([b, runs, steps, batch, snaps, e, p]) =>
        /** @type {any} */ (window).bench.run(b, runs, steps, batch, snaps, e, p),
      /** @type {const} */ ([BACKEND, RUNS, STEPS, BATCH, snapshots, ENSEMBLE, progressEvery]),
    );
    const seconds = r.ms / 1000;
    say(
      `\nlibrary: train() on the page's main thread, same job, ${r.backend} (${r.reason}): ${seconds.toFixed(1)} s ` +
        `(${rate(RUNS * STEPS * BATCH, seconds)} images/s, after a one-step warm-up)`,
    );
    if (labSeconds !== null) {
      say(`lab / library = ${(labSeconds / seconds).toFixed(2)}x  (goal on a GPU: at most 1.5x)`);
    }
    await libContext.close();
  }
} catch (e) {
  if (!(e instanceof SkipRun)) throw e;
} finally {
  await browser.close();
  await server.stop();
  rmSync(state, { recursive: true, force: true });
}
