// `npm run bench -- analysis`: synthetic filters (the primary circle with noise and 20% outliers) through the
// whole pipeline at 10k and 100k, with the time of each stage; then 100k on a pool of worker threads (one per
// core, as the CLI runs it) against the same analysis on one thread in the same run, with the load average and
// whether the two documents are identical. References measured or fixed in the same run:
// the issue's target of 10 s for 100k filters (printed as measured/target), the same filters with a fixed Mapper
// cover (resolution 30, gain 3) beside the automatic one (printed as auto/fixed), and k-NN by a naive brute force
// on a subsample (printed as brute/tree). Then the automatic Mapper's shape checks on stand-ins for the data it is
// judged on (30 MNIST trainings' first layer, 50,000 high-contrast photo patches).
import { availableParallelism, loadavg } from 'node:os';
import { bundleThread, importBundle } from './support/bundle.js';
import { rng } from './support/seeded.js';

const lib = await importBundle(`export { analyzeFilters } from './src/lib/analysis/pipeline';
export { nodeTaskPool } from './src/cli/threadPool';
export { kthNeighbourDistance, bruteForceKnn } from './src/lib/tda/knn';
export { primaryCirclePatch } from './src/lib/tda/patchModels';
export { trainedFirstLayer, photoPatches } from './tests/unit/realisticSamples';`);

/** @param {number} n */
function sample(n) {
  const random = rng(n);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const filters = new Float64Array(n * 9);
  for (let i = 0; i < n; i++) {
    const scale = 0.2 + random();
    if (random() < 0.2) {
      for (let j = 0; j < 9; j++) filters[i * 9 + j] = scale * gauss();
      continue;
    }
    const patch = lib.primaryCirclePatch(2 * Math.PI * random());
    for (let j = 0; j < 9; j++) filters[i * 9 + j] = scale * (patch[j] + 0.08 * gauss());
  }
  return filters;
}

const TARGET_100K_MS = 10_000;

// Issue 27 item 4: 100k filters with the k-NN search and the core on every core, against one thread.
{
  const threads = availableParallelism();
  const pool = lib.nodeTaskPool(threads, await bundleThread());
  const filters = sample(100_000);
  const source = { kind: 'synthetic', dataset: 'bench-circle' };
  /** @param {any} hooks */
  const run = async (hooks) => {
    const before = loadavg()[0].toFixed(1);
    const cpu0 = process.cpuUsage();
    const doc = await lib.analyzeFilters(filters, source, {}, hooks);
    const cpu = process.cpuUsage(cpu0);
    return { doc, cpu: (cpu.user + cpu.system) / 1000, load: `${before}-${loadavg()[0].toFixed(1)}` };
  };
  try {
    const one = await run({});
    const pooled = await run({ pool });
    /** @param {any} d */
    const strip = (d) => JSON.stringify({ ...d, timings: {}, createdAt: '' });
    const same = strip(one.doc) === strip(pooled.doc);
    process.stdout.write(
      `\n| 100,000 filters (auto) | knn ms | ph ms | mapper ms | total ms | process CPU ms | total/target | load avg |\n`,
    );
    process.stdout.write('|---|---:|---:|---:|---:|---:|---:|---|\n');
    for (const [name, r] of /** @type {const} */ ([
      ['one thread', one],
      [`${threads} threads`, pooled],
    ])) {
      const t = r.doc.timings;
      process.stdout.write(
        `| ${name} | ${Math.round(t.knn)} | ${Math.round(t.ph)} | ${Math.round(t.mapper)} | ${Math.round(t.total)} | ` +
          `${Math.round(r.cpu)} | ${(t.total / TARGET_100K_MS).toFixed(2)} (target 10 s) | ${r.load} |\n`,
      );
    }
    process.stdout.write(
      `\n${threads} threads / one thread: total ${(pooled.doc.timings.total / one.doc.timings.total).toFixed(2)}x, ` +
        `knn ${(pooled.doc.timings.knn / one.doc.timings.knn).toFixed(2)}x; same document: ${same}\n`,
    );
    if (!same) process.exitCode = 1;
  } finally {
    pool.terminate();
  }
}

// `--parallel`: only the part above.
if (process.argv.includes('--parallel')) process.exit(process.exitCode ?? 0);

const stages = ['preprocess', 'knn', 'core', 'fit', 'ph', 'mapper', 'document'];
const pad = (/** @type {string} */ s, /** @type {number} */ w) => s.padStart(w);
process.stdout.write(
  `| filters | mapper cover | ${stages.map((s) => pad(s, 10)).join(' | ')} | total ms | cpu ms | core | complex | nodes | loops | JSON MB | total/target |\n`,
);
process.stdout.write(`|---|---|${stages.map(() => '---:').join('|')}|---:|---:|---:|---|---:|---:|---:|---:|\n`);
/** @type {Record<string, {total: number, cpu: number}>} */
const at100k = {};
for (const n of [10_000, 100_000])
  for (const [cover, options] of /** @type {const} */ ([
    ['fixed 30/3', { resolution: 30, gain: 3 }],
    ['auto', {}],
  ])) {
    const filters = sample(n);
    // CPU time of this (single-threaded) run: on a machine shared with other work it stays near the idle wall time.
    const cpu0 = process.cpuUsage();
    const doc = await lib.analyzeFilters(filters, { kind: 'synthetic', dataset: 'bench-circle' }, options);
    const cpu = process.cpuUsage(cpu0);
    const t = doc.timings;
    if (n === 100_000) at100k[cover] = { total: t.total, cpu: (cpu.user + cpu.system) / 1000 };
    process.stdout.write(
      `| ${n} | ${cover} | ${stages.map((s) => pad(String(Math.round(t[s] ?? 0)), 10)).join(' | ')} | ${Math.round(t.total)} | ` +
        `${Math.round((cpu.user + cpu.system) / 1000)} | ` +
        `${doc.preprocessing.nCore} | ${doc.persistence.complex} | ${doc.mapper.nodes.length} | ${doc.mapper.loops} | ` +
        `${(JSON.stringify(doc).length / 1e6).toFixed(2)} | ` +
        `${n === 100_000 ? `${(t.total / TARGET_100K_MS).toFixed(2)} (target 10 s)` : '-'} |\n`,
    );
  }

{
  const auto = at100k.auto;
  const fixed = at100k['fixed 30/3'];
  process.stdout.write(
    `\n100k filters, automatic Mapper against a fixed cover in the same run: wall ${(auto.total / fixed.total).toFixed(2)}x ` +
      `(${Math.round(auto.total)} / ${Math.round(fixed.total)} ms), CPU ${(auto.cpu / fixed.cpu).toFixed(2)}x ` +
      `(${Math.round(auto.cpu)} / ${Math.round(fixed.cpu)} ms); the issue allows 1.25x\n`,
  );
}

// The automatic Mapper's shape on stand-ins for the issue's data: 30 trainings' first layer (1,920 filters,
// X(50,30)) and 50,000 high-contrast patches (X(300,30)), with no Mapper options, against the issue's ranges.
process.stdout.write('\n| data | core | nodes | loops | components | largest component | resolution | ms | issue |\n');
process.stdout.write('|---|---:|---:|---:|---:|---:|---|---:|---|\n');
/** @type {Array<[string, () => Float64Array, number, [number, number]]>} */
const shapes = [
  ...[3, 4, 5, 6, 7].map(
    (seed) =>
      /** @type {[string, () => Float64Array, number, [number, number]]} */ ([
        `mnist-like seed ${seed}`,
        () => lib.trainedFirstLayer({ seed }),
        50,
        [15, 150],
      ]),
  ),
  ['photo patches 50k', () => lib.photoPatches(50_000), 300, [15, 200]],
];
for (const [name, make, k, [lo, hi]] of shapes) {
  const doc = await lib.analyzeFilters(make(), { kind: 'synthetic', dataset: name }, { k, p: 30, maxDim: 0 });
  const m = doc.mapper;
  const ok = m.nodes.length >= lo && m.nodes.length <= hi && m.loops === 1 && m.largestComponentShare >= 0.9;
  process.stdout.write(
    `| ${name} | ${doc.preprocessing.nCore} | ${m.nodes.length} | ${m.loops} | ${m.components} | ` +
      `${(100 * m.largestComponentShare).toFixed(1)}% | ${m.resolutions.join('x')} | ${Math.round(doc.timings.total)} | ` +
      `${ok ? 'ok' : 'MISSED'} (${lo}-${hi} nodes, 1 loop, >= 90%) |\n`,
  );
}

// k-NN: the k-d tree against the naive O(n^2) scan, same points, same k.
const m = 4000;
const k = 200;
const points = new Float64Array(m * 8);
const base = sample(m);
for (let i = 0; i < m; i++) {
  // Centre and normalise as the pipeline does, then keep 8 coordinates (the DCT frame is a rotation).
  let mean = 0;
  for (let j = 0; j < 9; j++) mean += base[i * 9 + j] / 9;
  let norm = 0;
  for (let j = 0; j < 9; j++) norm += (base[i * 9 + j] - mean) ** 2;
  norm = Math.sqrt(norm);
  for (let j = 0; j < 8; j++) points[i * 8 + j] = (base[i * 9 + j] - mean) / norm;
}
let t0 = performance.now();
const tree = lib.kthNeighbourDistance(points, m, 8, k);
const treeMs = performance.now() - t0;
t0 = performance.now();
const brute = lib.bruteForceKnn(points, m, 8, k);
const bruteMs = performance.now() - t0;
let same = true;
for (let i = 0; i < m; i++) same &&= tree[i] === brute.distances[i * k + k - 1];
process.stdout.write(
  `\nk-NN, ${m} points in R^8, k=${k}: tree ${treeMs.toFixed(0)} ms, brute force ${bruteMs.toFixed(0)} ms, ` +
    `brute/tree ${(bruteMs / treeMs).toFixed(1)}x, same answers: ${same}\n`,
);
if (!same) process.exit(1);
