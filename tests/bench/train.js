// `npm run bench -- train`: training speed of mnist-paper at batch 128, one network at a time vs batched
// ensembles of 8 (and 32 with --full), in Node (cpu) and in headless Chromium (cpu, webgl via SwiftShader, and
// webgpu where the browser offers an adapter). Prints run-steps/s and images/s, and each ensemble's ratio to
// one-at-a-time on the same backend in the same run. Flags: --full (ensembles of 32 too), --node, --browser,
// --backend=NAME (one Chromium backend).
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = `${root}node_modules/.kleinscope/bench-train/`;
const args = process.argv.slice(2);
const full = args.includes('--full');
const only = args.includes('--node') ? 'node' : args.includes('--browser') ? 'browser' : 'both';
const BATCH = 128;
const ensembles = full ? [8, 32] : [8];
/** --backend=cpu|webgl|webgpu: only that one in Chromium. */
const wanted = args.find((a) => a.startsWith('--backend='))?.slice('--backend='.length);
const LIMIT_S = 300;

// One entry for both platforms: measure(backendOrder, ensembles, steps) trains real runs with the library.
const entry = `
import { selectBackend } from '${root}src/lib/nn/backends';
import { mnistPaper } from '${root}src/lib/nn/architectures';
import { train } from '${root}src/lib/nn/training';
import { decodeMnist } from '${root}src/lib/nn/datasets/mnist';

export async function measure(mnistBytes, order, ensembles, steps, batch) {
  const backend = (await selectBackend(order)).name;
  if (backend !== order[0]) return { backend, rows: [], skipped: order[0] + ' unavailable, got ' + backend };
  const dataset = decodeMnist(mnistBytes);
  const rows = [];
  const time = async (runs, ensemble) => {
    const config = { arch: mnistPaper, dataset, runs, steps, batchSize: batch, snapshots: [], seed: 1, ensemble, progressEvery: steps };
    await train({ ...config, steps: 1 }); // warm-up: shader compilation, first allocations
    const r = await train(config);
    return r.elapsedMs;
  };
  for (const size of ensembles) {
    const one = await time(size, 1);
    const together = await time(size, size);
    for (const [label, ms] of [['1 at a time', one], ['ensemble ' + size, together]]) {
      const stepsPerS = (size * steps) / (ms / 1000);
      rows.push({ backend, label, runs: size, stepsPerS, imagesPerS: stepsPerS * batch, ratio: one / ms });
    }
  }
  return { backend, rows };
}
`;

/**
 * @typedef {{backend: string, label: string, runs: number, stepsPerS: number, imagesPerS: number, ratio: number}} Row
 * @param {string} where
 * @param {{backend: string, rows: Row[], skipped?: string}} result
 */
function print(where, result) {
  if (result.skipped) {
    process.stdout.write(`${where.padEnd(9)} ${result.skipped}: skipped\n`);
    return;
  }
  for (const r of result.rows) {
    process.stdout.write(
      `${where.padEnd(9)} ${r.backend.padEnd(7)} ${r.label.padEnd(12)} runs ${String(r.runs).padStart(3)}  ` +
        `${r.stepsPerS.toFixed(2).padStart(8)} run-steps/s  ${r.imagesPerS.toFixed(0).padStart(8)} images/s  ` +
        `x${r.ratio.toFixed(2)} vs 1 at a time\n`,
    );
  }
}

mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}entry.ts`, entry);
const mnistFile = `${root}static/data/mnist.bin`;
if (!existsSync(mnistFile)) {
  process.stderr.write('bench train: static/data/mnist.bin is missing; run npm run prepare first\n');
  process.exit(1);
}
const mnist = new Uint8Array(readFileSync(mnistFile));
process.stdout.write(`mnist-paper, batch ${BATCH}; ratio = ensemble throughput / one-at-a-time on the same backend\n`);

if (only !== 'browser') {
  await build({
    entryPoints: [`${outDir}entry.ts`],
    outfile: `${outDir}node.mjs`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  const { measure } = await import(pathToFileURL(`${outDir}node.mjs`).href);
  // The pure-JS cpu backend is slow: 2 timed steps per run keep this to a minute or two.
  print('node', await measure(mnist, ['cpu'], ensembles, 2, BATCH));
}

if (only !== 'node') {
  await build({
    entryPoints: [`${outDir}entry.ts`],
    outfile: `${outDir}browser.js`,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  /** @type {Record<string, [string, string | Uint8Array]>} */
  const files = {
    '/': ['text/html', '<!doctype html><script type="module">import * as b from "/b.js"; window.bench = b;</script>'],
    '/b.js': ['text/javascript', readFileSync(`${outDir}browser.js`)],
    '/mnist.bin': ['application/octet-stream', mnist],
  };
  const server = createServer((req, res) => {
    const f = files[req.url ?? '/'];
    if (!f) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': f[0] }).end(f[1]);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
  try {
    // A fresh page per backend: tfjs keeps one backend per page. WebGPU without a GPU is a software adapter
    // at best, so it gets a smoke-test size (2 runs, 1 step) and every backend a time limit.
    /** @type {Array<[string[], number[], number]>} */
    const plan = [
      [['cpu'], ensembles, 2],
      [['webgl', 'cpu'], ensembles, 2],
      [['webgpu', 'cpu'], [2], 1],
    ];
    for (const [order, sizes, steps] of plan) {
      if (wanted && wanted !== order[0]) continue;
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForFunction(() => 'bench' in window);
      const run = page.evaluate(async ([o, e, s, b]) => {
        const bytes = new Uint8Array(await (await fetch('/mnist.bin')).arrayBuffer());
        // @ts-expect-error set by the page's module script
        return window.bench.measure(bytes, o, e, s, b);
      }, /** @type {[string[], number[], number, number]} */ ([order, sizes, steps, BATCH]));
      /** @type {Promise<null>} */
      const limit = new Promise((resolve) => setTimeout(() => resolve(null), LIMIT_S * 1000).unref());
      const result = await Promise.race([run, limit]).catch((/** @type {Error} */ e) => ({
        backend: order[0],
        rows: [],
        skipped: `${order[0]} failed (${e.message.split('\n')[0]})`,
      }));
      print('chromium', result ?? { backend: order[0], rows: [], skipped: `${order[0]} over ${LIMIT_S} s` });
      await page.close().catch(() => {});
    }
  } finally {
    await browser.close();
    server.close();
  }
}
