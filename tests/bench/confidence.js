// `npm run bench -- confidence`: what the confidence stage (issue 20) costs. Two rows, each a ratio against the same
// analysis without resamples measured in the same run, and against the wall-time budget:
// - a 600-point MNIST-like core (30 stand-in trainings of 64 filters: 1,920 filters at X(50,30)), runs resampled,
//   B = 30, budget 10 s;
// - a 65,536-filter layer (the primary circle with noise and 20% outliers) subsampled to 50,000 as a model's layer
//   is, each resample a fresh subsample of the whole layer, B = 30 (`--resamples N` changes it), budget 60 s.
import { importBundle } from './bundle.js';

const lib = await importBundle(`export { analyzeFilters } from './src/lib/analysis/pipeline';
export { verdictOf } from './src/lib/analysis/verdict';
export { primaryCirclePatch } from './src/lib/tda/patchModels';
export { seededSample } from './src/lib/nn/convLayers';
export { seededRandom } from './src/lib/tda/random';
export { trainedFirstLayer } from './tests/unit/realisticSamples';`);

const flag = process.argv.indexOf('--resamples');
const B = flag > 0 ? Number(process.argv[flag + 1]) : 30;

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

process.stdout.write('| data | unit | B | core | without (ms) | with (ms) | with/without | with/budget | verdict |\n');
process.stdout.write('|---|---|---:|---:|---:|---:|---:|---:|---|\n');

/** @param {string} name @param {Float64Array} filters @param {any} source @param {any} hooks @param {number} budget */
async function row(name, filters, source, hooks, budget) {
  const t0 = performance.now();
  await lib.analyzeFilters(filters, source, { resamples: 0 });
  const without = performance.now() - t0;
  const t1 = performance.now();
  const doc = await lib.analyzeFilters(filters, source, { resamples: B }, hooks);
  const withB = performance.now() - t1;
  const c = doc.persistence.confidence;
  process.stdout.write(
    `| ${name} | ${c.unit} | ${c.resamples} | ${doc.preprocessing.nCore} | ${Math.round(without)} | ${Math.round(withB)} | ` +
      `${(withB / without).toFixed(1)}x | ${(withB / budget).toFixed(2)} (budget ${budget / 1000} s) | ` +
      `${lib.verdictOf(doc).sentence} |\n`,
  );
}

await row(
  'MNIST-like, 30 runs x 64 filters',
  lib.trainedFirstLayer({ runs: 30, perRun: 64 }),
  { kind: 'training', dataset: 'bench-mnist-like', runs: 30, step: 800, layer: 1 },
  {},
  10_000,
);
{
  const all = layer(65_536);
  const take = 50_000;
  await row(
    '65,536-filter layer, subsample 50,000',
    subsample(all, take, 1),
    { kind: 'model', dataset: 'bench-layer', subsample: { of: 65_536, taken: take, seed: 1 } },
    { redraw: (/** @type {number} */ seed) => subsample(all, take, seed) },
    60_000,
  );
}
