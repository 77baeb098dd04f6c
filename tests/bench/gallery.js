// `npm run bench -- gallery [--results=10000] [--samples=200]`: the gallery's latency with 10,000 indexed results.
// Starts `wrangler pages dev` on loopback (127.0.0.1, a free port, a throwaway state), publishes the results through
// the API (so R2 and the D1 index are filled the way the product fills them), then times, one request at a time,
// a filtered and searched gallery page, a filtered page, a searched page sorted by ratio, a second page by cursor
// and the facet counts. The reference, measured in the same run: the same filtered page on the gallery as it was
// before the index (an R2 `list` scan, tests/bench/support/galleryScan.worker.js, in its own workerd with the same
// 10,000 cards). Prints median and p95 against the budget (50 ms median, 200 ms p95) and old/new ratios.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../../src/seed/start.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
/** @param {string} name @param {number} fallback */
const arg = (name, fallback) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : fallback;
};
const RESULTS = arg('results', 10_000);
const SAMPLES = arg('samples', 200);
const CONCURRENCY = 6;
const BUDGET = { median: 50, p95: 200 };

const work = mkdtempSync(join(tmpdir(), 'kleinscope-gallery-bench-'));
const bundle = join(work, 'lib.mjs');
await build({
  absWorkingDir: root,
  stdin: {
    contents: `export { summarize, verdictSummary } from './src/lib/result/summary';
export { minimalDocument } from './tests/support/fixtures';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: bundle,
  logLevel: 'warning',
});
/** @type {any} */
const lib = await import(bundle);

/** @returns {Promise<number>} */
const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });

// A deterministic population: 12 datasets (one rare), 8 architectures, titles from a small vocabulary.
let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
/** @template T @param {T[]} xs @returns {T} */
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const DATASETS = [
  'mnist',
  'cifar10',
  'cifar100',
  'svhn',
  'fashion',
  'imagenet',
  'celeba',
  'stl10',
  'kmnist',
  'emnist',
  'photos',
];
const ARCHS = ['mnist-paper', 'resnet-18', 'resnet-50', 'vgg-11', 'vgg-16', 'alexnet', 'mobilenet', 'densenet'];
const WORDS = [
  'circle',
  'gabor',
  'edge',
  'ring',
  'stripes',
  'klein',
  'bottle',
  'smooth',
  'noisy',
  'stem',
  'block',
  'early',
];

/** @param {number} i */
function makeDoc(i) {
  const d = structuredClone(lib.minimalDocument);
  const rare = i % 200 === 7; // 0.5% of results: a sparse filter, the old scan's worst case
  d.source = {
    kind: 'training',
    dataset: rare ? 'tinyimagenet' : pick(DATASETS),
    architecture: pick(ARCHS),
    layer: 1 + Math.floor(rand() * 6),
  };
  d.title = `${pick(WORDS)} ${pick(WORDS)} ${i}`;
  d.description = `${pick(WORDS)} filters after ${Math.floor(rand() * 1000)} steps`;
  const r = 1 + rand() * 4;
  d.persistence = {
    ...d.persistence,
    diagrams: [
      [[0, null]],
      [
        [0, r * 0.1],
        [0, 0.1],
      ],
    ],
  };
  return d;
}

const wrangler = require.resolve('wrangler/bin/wrangler.js');
const state = join(work, 'state');
const empty = join(work, 'static');
mkdirSync(empty);
applyMigrations(state);
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const pages = spawn(
  process.execPath,
  [
    wrangler,
    'pages',
    'dev',
    empty,
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--persist-to',
    state,
    '--inspector-port',
    '0',
    '--log-level',
    'warn',
    '--binding',
    'RATE_LIMIT_WRITES=999/1',
    '--binding',
    'RATE_LIMIT_READS=999/1',
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      CI: 'true',
      NO_COLOR: '1',
    },
  },
);
let log = '';
pages.stdout.on('data', (d) => (log += d));
pages.stderr.on('data', (d) => (log += d));

const { Miniflare } = await import('miniflare');
const old = new Miniflare({
  modules: true,
  script: readFileSync(new URL('./support/galleryScan.worker.js', import.meta.url), 'utf8'),
  compatibilityDate: '2026-04-01',
  r2Buckets: ['RESULTS'],
  r2Persist: join(work, 'old-r2'),
  host: '127.0.0.1',
  port: await freePort(),
});
const oldBase = (await old.ready).toString().replace(/\/$/, '');

async function stop() {
  await old.dispose().catch(() => {});
  pages.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(work, { recursive: true, force: true });
}

try {
  for (let i = 0; ; i++) {
    if (pages.exitCode !== null) throw new Error(`wrangler pages dev exited:\n${log}`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 240) throw new Error(`wrangler pages dev did not answer:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  // Publish through the API, a few at a time; each result's old-style card goes to the reference's R2.
  const t0 = performance.now();
  /** @type {Array<{key: string, card: unknown, meta: Record<string, string>}>} */
  const cards = [];
  let next = 0;
  async function publisher() {
    for (;;) {
      const i = next++;
      if (i >= RESULTS) return;
      const doc = makeDoc(i);
      /** @type {Response} */
      let res;
      // wrangler restarts its worker when a watched file changes; a publish cut off that way is sent again.
      for (let attempt = 0; ; attempt++) {
        res = await fetch(`${base}/api/results`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(doc),
        });
        if (res.status !== 503 || attempt === 3) break;
        await res.body?.cancel();
        await new Promise((r) => setTimeout(r, 2000));
      }
      if (res.status !== 201) throw new Error(`publish ${i}: ${res.status} ${await res.text()}`);
      const { id } = await res.json();
      const now = Date.now();
      const key = `gallery/${String(9_999_999_999_999 - now).padStart(13, '0')}-${id}`;
      cards.push({
        key,
        card: { id, version: 1, publishedAt: new Date(now).toISOString(), ...lib.summarize(doc) },
        meta: {
          version: '1',
          dataset: doc.source.dataset,
          arch: doc.source.architecture,
          layer: String(doc.source.layer),
        },
      });
      if (cards.length >= 500) await flush();
      if ((i + 1) % 1000 === 0) process.stdout.write(`  published ${i + 1} of ${RESULTS}\n`);
    }
  }
  async function flush() {
    const batch = cards.splice(0);
    if (!batch.length) return;
    const res = await fetch(`${oldBase}/cards`, { method: 'POST', body: JSON.stringify(batch) });
    // Every card must reach the reference, or its scan would walk fewer keys than the index holds.
    if (!res.ok)
      throw new Error(`the reference did not store ${batch.length} cards: ${res.status} ${await res.text()}`);
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, publisher));
  await flush();
  const publishS = (performance.now() - t0) / 1000;
  process.stdout.write(
    `indexed ${RESULTS} results in ${publishS.toFixed(0)} s through POST /api/results (${(RESULTS / publishS).toFixed(0)}/s, ${CONCURRENCY} at a time)\n`,
  );

  /** Times `url` SAMPLES times, one request at a time, after 10 unrecorded warm-up requests. */
  /**
   * @param {string} url
   * @returns {Promise<{median: number, p95: number, last: any}>}
   */
  async function time(url) {
    const ms = [];
    let last;
    for (let i = 0; i < SAMPLES + 10; i++) {
      const s = performance.now();
      const res = await fetch(url);
      last = await res.json();
      if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(last)}`);
      if (i >= 10) ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    return {
      median: ms[Math.floor(ms.length / 2)],
      p95: ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.95) - 1)],
      last,
    };
  }
  /** @param {string} name @param {{median: number, p95: number}} r */
  const row = (name, r, extra = '') =>
    process.stdout.write(
      `${name.padEnd(58)} median ${r.median.toFixed(1).padStart(7)} ms (${(r.median / BUDGET.median).toFixed(2)} of budget)  p95 ${r.p95.toFixed(1).padStart(7)} ms (${(r.p95 / BUDGET.p95).toFixed(2)} of budget)${extra}\n`,
    );

  const first = await (await fetch(`${base}/api/gallery?dataset=cifar10&limit=20`)).json();
  const runs = [
    [
      'searched + filtered: q=gabor ring&dataset=cifar10&arch=resnet-18',
      '/api/gallery?q=gabor%20ring&dataset=cifar10&arch=resnet-18&limit=20',
    ],
    ['filtered: dataset=cifar10&arch=resnet-18', '/api/gallery?dataset=cifar10&arch=resnet-18&limit=20'],
    ['sparse filter: dataset=tinyimagenet&arch=vgg-16', '/api/gallery?dataset=tinyimagenet&arch=vgg-16&limit=20'],
    ['searched, by ratio: q=klein&sort=ratio', '/api/gallery?q=klein&sort=ratio&limit=20'],
    ...(first.nextCursor
      ? [['second page: dataset=cifar10 (cursor)', `/api/gallery?dataset=cifar10&limit=20&cursor=${first.nextCursor}`]]
      : []),
    ['facets: q=gabor ring&dataset=cifar10', '/api/gallery/facets?q=gabor%20ring&dataset=cifar10'],
  ];
  process.stdout.write(`\n${SAMPLES} sequential requests each, loopback, after 10 warm-up requests:\n`);
  /** @type {Record<string, {median: number, p95: number, last: any}>} */
  const measured = {};
  for (const [name, path] of runs) {
    const r = await time(`${base}${path}`);
    measured[name] = r;
    const n = r.last.items?.length ?? r.last.total;
    row(`new ${name}`, r, `  [${n} ${r.last.items ? 'items' : 'total'}]`);
  }
  process.stdout.write('\nreference: the pre-index R2 scan, same cards, same filters (it has no text search):\n');
  for (const [name, q, against] of [
    [
      'filtered: dataset=cifar10&arch=resnet-18',
      'dataset=cifar10&arch=resnet-18&limit=20',
      'filtered: dataset=cifar10&arch=resnet-18',
    ],
    [
      'sparse filter: dataset=tinyimagenet&arch=vgg-16',
      'dataset=tinyimagenet&arch=vgg-16&limit=20',
      'sparse filter: dataset=tinyimagenet&arch=vgg-16',
    ],
  ]) {
    const r = await time(`${oldBase}/scan?${q}`);
    const mine = measured[against];
    row(
      `old ${name}`,
      r,
      `  [${r.last.items.length} items, ${r.last.listed} keys listed; old/new median ${(r.median / mine.median).toFixed(1)}x]`,
    );
    if (r.last.items.length !== mine.last.items.length) {
      process.stdout.write(
        `  note: the scan returned ${r.last.items.length} items, the index ${mine.last.items.length}\n`,
      );
    }
  }
  const main = measured[runs[0][0]];
  const ok = main.median <= BUDGET.median && main.p95 <= BUDGET.p95;
  process.stdout.write(
    `\nsearched + filtered page ${ok ? 'within' : 'OVER'} the budget (median ${BUDGET.median} ms, p95 ${BUDGET.p95} ms)\n`,
  );
  await stop();
  process.exit(ok ? 0 : 1);
} catch (e) {
  process.stderr.write(`bench gallery: ${e instanceof Error ? e.message : String(e)}\n`);
  await stop();
  process.exit(1);
}
