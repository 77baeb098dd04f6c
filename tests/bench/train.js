// `npm run bench -- train`: training speed of mnist-paper at batch 64 on the cpu and wasm backends, in one run:
//   1. the issue's target: `kleinscope train --runs 8 --ensemble 8 --steps 30 --batch 64` timed whole (start-up
//      included) with --backend wasm and --backend cpu, and their ratio;
//   2. the library's train() in Node: 8 runs one at a time and as one ensemble of 8, cpu vs wasm;
//   3. the same in headless Chromium on the page's main thread: cpu, wasm single-threaded and wasm with 2 threads
//      (the page is cross-origin isolated), and with --full WebGL (SwiftShader) and WebGPU (software) too;
//   4. the lab in headless Chromium: today's path before the training worker (cpu on the page, one run at a time)
//      against the lab's training worker and client as the lab drives them (the backend it picks with no GPU,
//      wasm, with ensembles), the single-threaded build and the threaded one with 1 and 2 threads, and the ratios.
//   5. (first) the CPU training row against PyTorch: `kleinscope train` of 8 runs x 100 steps x batch 64 on every
//      core (--workers, one process per core) and on one, against Debian's PyTorch (/usr/bin/python3 running
//      tests/bench/train_torch.py, the same net and work) with 2 threads and with 1, whole processes timed in
//      the same run; skipped, with a line saying so, where /usr/bin/python3 cannot import torch.
// Each line gives images/s (wall; in Node also per CPU-second, steadier on a shared machine), the ensemble's
// ratio to one-at-a-time and wasm's ratio to cpu on the same platform. The load average is printed with each
// part. Flags: --pytorch, --cli, --node, --browser, --lab (only those parts), --full (ensembles of 32, GPU
// backends in Chromium), --repeat=N (best of N for each --pytorch row, default 1), --runs=R --steps=S (--pytorch's
// sizes, default 8 and 100: smaller ones only check that it works).
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = `${root}node_modules/.kleinscope/bench-train/`;
const args = process.argv.slice(2);
const full = args.includes('--full');
const parts = ['--pytorch', '--cli', '--node', '--browser', '--lab'].filter((p) => args.includes(p));
const want = (/** @type {string} */ part) => parts.length === 0 || parts.includes(part);
const BATCH = 64;
const ensembles = full ? [8, 32] : [8];
const LIMIT_S = 400;
/** The longest one --pytorch row's process may take. */
const PROCESS_LIMIT_S = 900;
/** Timed steps per run: the cpu backend is slow, wasm needs more steps for a steady number. */
const STEPS = { cpu: 2, wasm: 10, webgl: 2, webgpu: 1 };

// One entry for both platforms: measure() trains real runs with the library.
const entry = `
import { selectBackend } from '${root}src/lib/nn/backends';
import { mnistPaper } from '${root}src/lib/nn/architectures';
import { train } from '${root}src/lib/nn/training';
import { decodeMnist } from '${root}src/lib/nn/datasets/mnist';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const cpuMs = () => {
  const p = globalThis.process;
  if (!p?.cpuUsage) return NaN;
  const u = p.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function measure(mnistBytes, backend, ensembles, steps, batch, threads = 0) {
  if (backend === 'wasm') {
    if (threads > 1) setThreadsCount(threads);
    else tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  const choice = await selectBackend([backend]);
  if (choice.name !== backend) return { backend, rows: [], skipped: backend + ' unavailable: ' + choice.reason };
  const label = backend === 'wasm' ? 'wasm ' + getThreadsCount() + 't' : backend;
  const note = backend === 'wasm' && threads > 1
    ? 'asked for ' + threads + ' threads; cross-origin isolated: ' + globalThis.crossOriginIsolated +
      ', tfjs multithread support: ' + (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))
    : undefined;
  const dataset = decodeMnist(mnistBytes);
  const rows = [];
  const time = async (runs, ensemble) => {
    const config = { arch: mnistPaper, dataset, runs, steps, batchSize: batch, snapshots: [], seed: 1, ensemble, progressEvery: steps };
    await train({ ...config, steps: 1 }); // warm-up: compilation, first allocations
    const cpu0 = cpuMs();
    const r = await train(config);
    return { ms: r.elapsedMs, cpu: cpuMs() - cpu0 };
  };
  for (const size of ensembles) {
    const one = await time(size, 1);
    const together = await time(size, size);
    for (const [kind, t] of [['1 at a time', one], ['ensemble ' + size, together]]) {
      const images = size * steps * batch;
      rows.push({ backend: label, kind, runs: size, imagesPerS: images / (t.ms / 1000), perCpuS: images / (t.cpu / 1000), ratio: one.ms / t.ms });
    }
  }
  return { backend: label, rows, note };
}
`;

/**
 * @typedef {{backend: string, kind: string, runs: number, imagesPerS: number, perCpuS: number, ratio: number}} Row
 * @typedef {{backend: string, rows: Row[], skipped?: string, note?: string}} Result
 */

const load = () => `load average ${loadavg()[0].toFixed(1)}`;
const say = (/** @type {string} */ line) => process.stdout.write(line + '\n');

/** Prints rows, with wasm's throughput over cpu's for the same kind of row on the same platform. */
function print(/** @type {string} */ where, /** @type {Result[]} */ results) {
  const cpu = results.find((r) => r.backend === 'cpu');
  for (const result of results) {
    if (result.skipped) {
      say(`${where.padEnd(9)} ${result.backend}: skipped (${result.skipped})`);
      continue;
    }
    if (result.note) say(`${where.padEnd(9)} ${result.backend}: ${result.note}`);
    for (const r of result.rows) {
      const base = cpu?.rows.find((c) => c.kind === r.kind);
      const vsCpu = base && result !== cpu ? `  x${(r.imagesPerS / base.imagesPerS).toFixed(1)} vs cpu` : '';
      const perCpu = Number.isFinite(r.perCpuS) ? `  ${r.perCpuS.toFixed(0).padStart(6)} per CPU-s` : '';
      say(
        `${where.padEnd(9)} ${r.backend.padEnd(8)} ${r.kind.padEnd(12)} runs ${String(r.runs).padStart(2)}  ` +
          `${r.imagesPerS.toFixed(0).padStart(6)} images/s${perCpu}  x${r.ratio.toFixed(2)} vs 1 at a time${vsCpu}`,
      );
    }
  }
}

const mnistFile = `${root}static/data/mnist.bin`;
if (!existsSync(mnistFile)) {
  process.stderr.write('bench train: static/data/mnist.bin is missing; run npm run prepare first\n');
  process.exit(1);
}
const mnist = new Uint8Array(readFileSync(mnistFile));
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}entry.ts`, entry);
say(`mnist-paper, batch ${BATCH}; wall images/s unless marked per CPU-s`);

/**
 * Runs argv as a whole process under /usr/bin/time (when there is one): wall seconds, CPU seconds of the process
 * and its children, and its stdout; or the first line of its stderr when it fails.
 * @param {string[]} argv
 * @returns {{seconds: number, cpuS: number, stdout: string} | {error: string}}
 */
function timeProcess(argv) {
  const timed = existsSync('/usr/bin/time');
  const started = performance.now();
  // Past the limit coreutils' timeout kills the process's whole group (a training's worker processes too).
  const limited = ['timeout', '-s', 'KILL', String(PROCESS_LIMIT_S), ...argv];
  const r = timed
    ? spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', ...limited], { encoding: 'utf8' })
    : spawnSync(limited[0], limited.slice(1), { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (r.status === 137 || r.signal === 'SIGKILL') return { error: `over the ${PROCESS_LIMIT_S} s limit` };
  if (r.status !== 0) return { error: (r.stderr || String(r.error)).trim().split('\n')[0] ?? `exit ${r.status}` };
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { seconds, cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, stdout: r.stdout };
}

if (want('--pytorch')) {
  const cli = `${root}src/cli/kleinscope.js`;
  if (!existsSync(`${root}node_modules/.kleinscope/cli/main.js`)) {
    process.stderr.write('bench train: the CLI is not built; run npm run prepare first\n');
    process.exit(1);
  }
  // The issue's row is 8 x 100; smaller sizes only check that the part works.
  const flag = (/** @type {string} */ name, /** @type {number} */ fallback) => {
    const m = new RegExp(`^--${name}=(\\d+)$`).exec(args.find((a) => a.startsWith(`--${name}=`)) ?? '');
    return Math.max(1, m ? Number(m[1]) : fallback);
  };
  const RUNS = flag('runs', 8);
  const STEPS_PER_RUN = flag('steps', 100);
  const repeat = flag('repeat', 1);
  const images = RUNS * STEPS_PER_RUN * BATCH;
  const cores = availableParallelism();
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  const torch = probe.status === 0 ? probe.stdout.trim() : null;
  say(
    `\npytorch: the CPU training row, mnist-paper ${RUNS} runs x ${STEPS_PER_RUN} steps x batch ${BATCH} ` +
      `(${images} images), whole processes, best of ${repeat}; ${cores} cores (${load()})`,
  );
  if (!torch) {
    say(
      `pytorch   reference skipped: ${python} cannot import torch (${(probe.stderr || String(probe.error)).trim().split('\n').at(-1)}); ` +
        `on Debian: apt-get install python3-torch (never a dependency of the project)`,
    );
  } else {
    say(
      `pytorch   reference: PyTorch ${torch} (${python}), tests/bench/train_torch.py on random tensors of MNIST's shape`,
    );
  }
  const ours = (/** @type {number} */ workers) => () => {
    const out = mkdtempSync(join(tmpdir(), 'kleinscope-bench-'));
    try {
      return timeProcess([
        process.execPath,
        cli,
        'train',
        ...['--dataset', 'mnist', '--arch', 'mnist-paper', '--runs', String(RUNS), '--steps', String(STEPS_PER_RUN)],
        ...['--batch', String(BATCH), '--snapshots', String(STEPS_PER_RUN), '--eval', '1000', '--seed', '1'],
        ...['--workers', String(workers), '--quiet', '--out', out],
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  };
  const reference = (/** @type {number} */ threads) => () => {
    const out = mkdtempSync(join(tmpdir(), 'kleinscope-bench-torch-'));
    try {
      const script = `${root}tests/bench/train_torch.py`;
      return timeProcess(
        [python, script, '--threads', String(threads), '--runs', String(RUNS)].concat([
          '--steps',
          String(STEPS_PER_RUN),
          '--batch',
          String(BATCH),
          '--out',
          out,
        ]),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  };
  /** @type {Array<[string, () => ReturnType<typeof timeProcess>]>} */
  const plan = [];
  if (torch) plan.push(['PyTorch, 2 threads', reference(2)]);
  plan.push([`kleinscope train --workers ${cores} (wasm)`, ours(cores)]);
  if (torch) plan.push(['PyTorch, 1 thread', reference(1)]);
  plan.push(['kleinscope train --workers 1 (wasm)', ours(1)]);
  /** @type {Record<string, number>} */
  const rate = {};
  // Interleaved rounds, so a change in the machine's load falls on every row alike.
  for (let round = 0; round < repeat; round++) {
    for (const [label, run] of plan) {
      const r = run();
      if ('error' in r) {
        say(`pytorch   ${label}: failed (${r.error})`);
        continue;
      }
      const perS = images / r.seconds;
      rate[label] = Math.max(rate[label] ?? 0, perS);
      say(
        `pytorch   ${label.padEnd(38)} ${r.seconds.toFixed(1).padStart(6)} s  ${perS.toFixed(0).padStart(6)} images/s` +
          (Number.isFinite(r.cpuS) ? `  (${r.cpuS.toFixed(1)} CPU-s, ${(images / r.cpuS).toFixed(0)} per CPU-s)` : '') +
          `  [${load()}]`,
      );
    }
  }
  const best = (/** @type {string} */ label) => rate[label];
  const all = best(`kleinscope train --workers ${cores} (wasm)`);
  const one = best('kleinscope train --workers 1 (wasm)');
  if (torch && all && best('PyTorch, 2 threads')) {
    say(
      `pytorch   kleinscope on every core / PyTorch 2 threads = ${(all / best('PyTorch, 2 threads')).toFixed(2)}x ` +
        `(target >= 1.0x); one core / PyTorch 1 thread = ${one && best('PyTorch, 1 thread') ? (one / best('PyTorch, 1 thread')).toFixed(2) : '-'}x  [${load()}]`,
    );
  }
}

if (want('--cli')) {
  const cli = `${root}src/cli/kleinscope.js`;
  if (!existsSync(`${root}node_modules/.kleinscope/cli/main.js`)) {
    process.stderr.write('bench train: the CLI is not built; run npm run prepare first\n');
    process.exit(1);
  }
  const command = ['train', '--dataset', 'mnist', '--arch', 'mnist-paper', '--runs', '8', '--ensemble', '8'];
  command.push('--steps', '30', '--batch', String(BATCH), '--quiet');
  say(`\ncli: kleinscope ${command.join(' ')} --backend B, timed whole (${load()})`);
  const images = 8 * 30 * BATCH;
  /** @type {Record<string, number>} */
  const rate = {};
  for (const backend of ['wasm', 'cpu']) {
    const out = mkdtempSync(join(tmpdir(), 'kleinscope-bench-'));
    const timed = existsSync('/usr/bin/time');
    const argv = [process.execPath, cli, ...command, '--backend', backend, '--out', out];
    const started = performance.now();
    const r = timed
      ? spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', ...argv], { encoding: 'utf8' })
      : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
    const seconds = (performance.now() - started) / 1000;
    rmSync(out, { recursive: true, force: true });
    if (r.status !== 0) {
      say(`cli       ${backend}: failed (${r.stderr.trim().split('\n')[0]})`);
      continue;
    }
    const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
    const cpuS = cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN;
    rate[backend] = images / seconds;
    say(
      `cli       ${backend.padEnd(8)} ${seconds.toFixed(1).padStart(6)} s  ${rate[backend].toFixed(0).padStart(6)} images/s` +
        (Number.isFinite(cpuS) ? `  (${cpuS.toFixed(1)} CPU-s, ${(images / cpuS).toFixed(0)} per CPU-s)` : '') +
        `  [${load()}]`,
    );
  }
  if (rate.wasm && rate.cpu) {
    say(`cli       wasm/cpu = ${(rate.wasm / rate.cpu).toFixed(1)}x  (target: wasm >= 400 images/s, wasm/cpu >= 10)`);
  }
}

if (want('--node')) {
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
  say(`\nnode: library train(), 8 runs (${load()}); tfjs never uses wasm threads in Node`);
  /** @type {Result[]} */
  const results = [];
  for (const backend of /** @type {const} */ (['cpu', 'wasm'])) {
    results.push(await measure(mnist, backend, ensembles, STEPS[backend], BATCH));
  }
  print('node', results);
}

if (want('--browser')) {
  await build({
    entryPoints: [`${outDir}entry.ts`],
    outfile: `${outDir}browser.js`,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const wasmDir = `${root}node_modules/@tensorflow/tfjs-backend-wasm/dist/`;
  /** @type {Record<string, [string, string | Uint8Array]>} */
  const files = {
    '/': ['text/html', '<!doctype html><script type="module">import * as b from "/b.js"; window.bench = b;</script>'],
    '/b.js': ['text/javascript', readFileSync(`${outDir}browser.js`)],
    '/mnist.bin': ['application/octet-stream', mnist],
  };
  // The binaries where the app serves them (WASM_URL_PREFIX), so selectBackend's default path is exercised.
  for (const name of [
    'tfjs-backend-wasm.wasm',
    'tfjs-backend-wasm-simd.wasm',
    'tfjs-backend-wasm-threaded-simd.wasm',
  ]) {
    files[`/tfjs-wasm/${name}`] = ['application/wasm', readFileSync(wasmDir + name)];
  }
  // Cross-origin isolation, so the page may use SharedArrayBuffer and the threaded wasm build.
  const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const server = createServer((req, res) => {
    const f = files[req.url ?? '/'];
    if (!f) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': f[0], ...isolation }).end(f[1]);
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
  say(`\nchromium: library train() on the page's main thread, 8 runs (${load()})`);
  try {
    // A fresh page per backend: tfjs keeps one backend per page.
    /** @type {Array<[string, number[], number, number]>} */
    const plan = [
      ['cpu', ensembles, STEPS.cpu, 0],
      ['wasm', ensembles, STEPS.wasm, 0],
      ['wasm', ensembles, STEPS.wasm, 2],
    ];
    if (full) plan.push(['webgl', ensembles, STEPS.webgl, 0], ['webgpu', [2], STEPS.webgpu, 0]);
    /** @type {Result[]} */
    const results = [];
    for (const [backend, sizes, steps, threads] of plan) {
      const page = await browser.newPage();
      // The threaded wasm build sizes its worker pool from the core count (half of it: 1 on this 2-core
      // machine), so to try 2 threads the page reports twice the cores.
      if (threads > 1) {
        await page.addInitScript(
          (n) => Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => n }),
          2 * threads,
        );
      }
      await page.goto(url);
      await page.waitForFunction(() => 'bench' in window);
      const run = page.evaluate(async ([b, e, s, n, t]) => {
        const bytes = new Uint8Array(await (await fetch('/mnist.bin')).arrayBuffer());
        // @ts-expect-error set by the page's module script
        return window.bench.measure(bytes, b, e, s, n, t);
      }, /** @type {[string, number[], number, number, number]} */ ([backend, sizes, steps, BATCH, threads]));
      /** @type {Promise<null>} */
      const limit = new Promise((resolve) => setTimeout(() => resolve(null), LIMIT_S * 1000).unref());
      const result = await Promise.race([run, limit]).catch((/** @type {Error} */ e) => ({
        backend,
        rows: [],
        skipped: `failed: ${e.message.split('\n')[0]}`,
      }));
      results.push(result ?? { backend, rows: [], skipped: `over ${LIMIT_S} s` });
      await page.close().catch(() => {});
    }
    print('chromium', results);
  } finally {
    await browser.close();
    server.close();
  }
}

if (want('--lab')) {
  // The lab's own worker and client, bundled as the app bundles them (one file for the worker).
  const labEntry = `
import { TrainingClient } from '${root}src/lib/worker/trainingClient';
import { mnistPaper } from '${root}src/lib/nn/architectures';
import { selectBackend } from '${root}src/lib/nn/backends';
import { train } from '${root}src/lib/nn/training';
import { decodeMnist } from '${root}src/lib/nn/datasets/mnist';

const job = (runs, steps, batch, ensemble) =>
  ({ arch: mnistPaper, data: { kind: 'mnist', url: '/mnist.bin' }, runs, steps, batchSize: batch, snapshots: [], seed: 1, ensemble, progressEvery: 1 });

/** Before the worker: the lab trained on the page's main thread, cpu, one run at a time. */
export async function page(runs, steps, batch) {
  await selectBackend(['cpu']);
  const dataset = decodeMnist(new Uint8Array(await (await fetch('/mnist.bin')).arrayBuffer()));
  const config = { arch: mnistPaper, dataset, runs, steps, batchSize: batch, snapshots: [], seed: 1, ensemble: 1 };
  await train({ ...config, runs: 1, steps: 1 });
  const r = await train(config);
  return { backend: 'cpu', reason: 'the page, before the worker', ms: r.elapsedMs };
}

/** Now: the training worker, with the options the lab passes (none) or a thread setting. */
export async function worker(runs, steps, batch, threads) {
  const client = new TrainingClient({
    backend: threads === undefined ? {} : { threads },
    spawn: () => new Worker('/w.js', { type: 'module' }),
  });
  try {
    const choice = await client.backend();
    await client.dataset({ kind: 'mnist', url: '/mnist.bin' });
    const ensemble = choice.name === 'cpu' ? 1 : Math.min(runs, 8);
    await client.train(job(1, 1, batch, 1));
    const started = performance.now();
    let reports = 0;
    await client.train(job(runs, steps, batch, ensemble), { onStep: () => void reports++ });
    return { backend: choice.name, reason: choice.reason, ms: performance.now() - started, reports };
  } finally {
    client.dispose();
  }
}
`;
  writeFileSync(`${outDir}lab.ts`, labEntry);
  const common = /** @type {const} */ ({
    bundle: true,
    platform: 'browser',
    format: 'esm',
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  await build({ ...common, entryPoints: [`${outDir}lab.ts`], outfile: `${outDir}lab.js` });
  await build({ ...common, entryPoints: [`${root}src/lib/worker/training.worker.ts`], outfile: `${outDir}worker.js` });
  const wasmDir = `${root}node_modules/@tensorflow/tfjs-backend-wasm/dist/`;
  /** @type {Record<string, [string, string | Uint8Array]>} */
  const files = {
    '/': ['text/html', '<!doctype html><script type="module">import * as b from "/b.js"; window.bench = b;</script>'],
    '/b.js': ['text/javascript', readFileSync(`${outDir}lab.js`)],
    '/w.js': ['text/javascript', readFileSync(`${outDir}worker.js`)],
    '/mnist.bin': ['application/octet-stream', mnist],
  };
  for (const name of [
    'tfjs-backend-wasm.wasm',
    'tfjs-backend-wasm-simd.wasm',
    'tfjs-backend-wasm-threaded-simd.wasm',
  ]) {
    files[`/tfjs-wasm/${name}`] = ['application/wasm', readFileSync(wasmDir + name)];
  }
  // As static/_headers serves the app: cross-origin isolated, so the worker may use wasm threads.
  const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const server = createServer((req, res) => {
    const f = files[req.url ?? '/'];
    if (!f) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': f[0], ...isolation }).end(f[1]);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  // No GPU flags: what the lab sees in headless Chromium on a machine without a GPU.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  const RUNS = 4;
  const LAB_STEPS = { page: 2, worker: 20 };
  say(`\nlab: ${RUNS} runs of mnist-paper at batch ${BATCH} in headless Chromium, no GPU flags (${load()})`);
  try {
    /** @type {Array<[string, string, number, (number | false)?]>} */
    const plan = [
      ['page', 'before: cpu on the page', LAB_STEPS.page],
      ['worker', 'now: the worker, as the lab starts it', LAB_STEPS.worker],
      ['worker', 'the worker, wasm single-threaded', LAB_STEPS.worker, false],
      ['worker', 'the worker, wasm threaded build, 1 thread', LAB_STEPS.worker, 1],
      ['worker', 'the worker, wasm threaded build, 2 threads', LAB_STEPS.worker, 2],
    ];
    /** @type {number | null} */
    let before = null;
    for (const [where, label, steps, threads] of plan) {
      const page = await browser.newPage();
      // The threaded wasm build sizes its worker pool from the core count (half of it: 1 on this 2-core
      // machine), so to try 2 threads the page reports twice the cores.
      if (typeof threads === 'number' && threads > 1) {
        await page.addInitScript(
          (n) => Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => n }),
          2 * threads,
        );
      }
      await page.goto(url);
      await page.waitForFunction(() => 'bench' in window);
      const run = page.evaluate(
        ([w, r, s, b, t]) =>
          // @ts-expect-error set by the page's module script
          w === 'page' ? window.bench.page(r, s, b) : window.bench.worker(r, s, b, t ?? undefined),
        /** @type {[string, number, number, number, number | false | null]} */ ([
          where,
          RUNS,
          steps,
          BATCH,
          threads ?? null,
        ]),
      );
      /** @type {Promise<null>} */
      const limit = new Promise((resolve) => setTimeout(() => resolve(null), LIMIT_S * 1000).unref());
      /** @type {{backend: string, reason: string, ms: number} | null | Error} */
      const r = await Promise.race([run, limit]).catch((/** @type {Error} */ e) => e);
      await page.close().catch(() => {});
      if (!r || r instanceof Error) {
        say(`lab       ${label}: ${r ? `failed (${r.message.split('\n')[0]})` : `over ${LIMIT_S} s`}`);
        continue;
      }
      const rate = (RUNS * steps * BATCH) / (r.ms / 1000);
      before ??= where === 'page' ? rate : null;
      const ratio = before && where !== 'page' ? `  x${(rate / before).toFixed(1)} vs before` : '';
      say(`lab       ${label.padEnd(43)} ${r.backend.padEnd(5)} ${rate.toFixed(0).padStart(6)} images/s${ratio}`);
      say(`            (${r.reason})`);
    }
    say(`lab       target: now/before >= 10 (${load()})`);
  } finally {
    await browser.close();
    server.close();
  }
}
