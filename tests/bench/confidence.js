// `npm run bench -- confidence`: what the confidence stage (issue 20) costs. Two rows, each timed three ways in the
// same run: the analysis without resamples, with resamples on one thread, and with resamples on a pool of worker
// threads (one per core, as the CLI runs it); printed as ratios (pool/one thread, with/without) and against the
// issue's wall-time budget, with the load average at each run and whether the pool's confidence is identical:
// - a 600-point MNIST-like core (30 stand-in trainings of 64 filters: 1,920 filters at X(50,30)), runs resampled,
//   B = 30, budget 10 s;
// - a 65,536-filter layer (the primary circle with noise and 20% outliers) subsampled to 50,000 as a model's layer
//   is, each resample a fresh subsample of the whole layer, B = 30, budget 60 s.
// `--resamples N` changes B for both; `--threads N` the pool's size; `--no-single` skips the one-thread runs.
import { availableParallelism, loadavg } from 'node:os';
import { bundleThread, importBundle } from './support/bundle.js';

const lib = await importBundle(`export { analyzeFilters } from './src/lib/analysis/pipeline';
export { verdictOf } from './src/lib/analysis/verdict';
export { primaryCirclePatch } from './src/lib/tda/patchModels';
export { seededSample } from './src/lib/nn/convLayers';
export { seededRandom } from './src/lib/tda/random';
export { nodeTaskPool } from './src/cli/threadPool';
export { trainedFirstLayer } from './tests/unit/realisticSamples';`);
const thread = await bundleThread();

/** @param {string} name @param {number} fallback */
const flag = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const B = flag('--resamples', 30);
const threads = flag('--threads', availableParallelism());
const single = !process.argv.includes('--no-single');
const load = () => loadavg()[0].toFixed(1);
/** @param {number} n */
function layer(n) {
  const random = lib.seededRandom(n);
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

/** @param {Float64Array} all @param {number} take @param {number} seed */
function subsample(all, take, seed) {
  const pick = lib.seededSample(all.length / 9, take, seed);
  const out = new Float64Array(pick.length * 9);
  pick.forEach((/** @type {number} */ i, /** @type {number} */ r) => out.set(all.subarray(i * 9, i * 9 + 9), r * 9));
  return out;
}

process.stdout.write(
  `| data | unit | B | core | without (ms) | one thread (ms) | ${threads} threads (ms) | pool/one | with/without | with/budget | CPU s: one, pool | same confidence | load avg | verdict |\n`,
);
process.stdout.write('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|\n');

/** @param {() => Promise<any>} run */
async function timed(run) {
  const before = load();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const doc = await run();
  const cpu = process.cpuUsage(cpu0);
  // Process CPU time, the pool's threads included: wall time on a shared machine depends on the others' load.
  return { doc, ms: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000, load: `${before}-${load()}` };
}

/** @param {string} name @param {Float64Array} filters @param {any} source @param {any} hooks @param {number} budget */
async function row(name, filters, source, hooks, budget) {
  const pool = lib.nodeTaskPool(threads, thread);
  try {
    const without = await timed(() => lib.analyzeFilters(filters, source, { resamples: 0 }, { pool }));
    const one = single ? await timed(() => lib.analyzeFilters(filters, source, { resamples: B }, hooks)) : undefined;
    const pooled = await timed(() => lib.analyzeFilters(filters, source, { resamples: B }, { ...hooks, pool }));
    const c = pooled.doc.persistence.confidence;
    const same = one ? JSON.stringify(one.doc.persistence.confidence) === JSON.stringify(c) : 'not run';
    process.stdout.write(
      `| ${name} | ${c.unit} | ${c.resamples} | ${pooled.doc.preprocessing.nCore} | ${Math.round(without.ms)} | ` +
        `${one ? Math.round(one.ms) : '-'} | ${Math.round(pooled.ms)} | ${one ? (pooled.ms / one.ms).toFixed(2) : '-'} | ` +
        `${(pooled.ms / without.ms).toFixed(1)}x | ${(pooled.ms / budget).toFixed(2)} (budget ${budget / 1000} s) | ` +
        `${one ? (one.cpu / 1000).toFixed(1) : '-'}, ${(pooled.cpu / 1000).toFixed(1)} | ${same} | ${without.load}, ${one ? one.load : '-'}, ${pooled.load} | ${lib.verdictOf(pooled.doc).sentence} |\n`,
    );
    if (same === false) process.exitCode = 1;
  } finally {
    pool.terminate();
  }
}

// `--only mnist` or `--only layer`: one of the two rows.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only !== 'layer')
  await row(
    'MNIST-like, 30 runs x 64 filters',
    lib.trainedFirstLayer({ runs: 30, perRun: 64 }),
    { kind: 'training', dataset: 'bench-mnist-like', runs: 30, step: 800, layer: 1 },
    {},
    10_000,
  );
if (only !== 'mnist') {
  const all = layer(65_536);
  const take = 50_000;
  await row(
    '65,536-filter layer, subsample 50,000',
    subsample(all, take, 1),
    { kind: 'model', dataset: 'bench-layer', subsample: { of: 65_536, taken: take, seed: 1 } },
    { layer: all },
    60_000,
  );
}
