// `npm run bench -- layer2 --dir=DIR [--steps=0,100,400] [--layers=1,2] [--landmarks=300,600] [--halves]`: the
// measure of the independent layer-2 reference (shared/notes/layer2-reference.md) on a `kleinscope train` /
// `reproduce` folder: per step and layer, every run's kernels pooled, the core X(50,30), then H1 Vietoris-Rips on
// maxmin landmarks of the core, the longest bar over the next. Step 0 is the runs' initial weights, rebuilt from
// the manifest's seed and --init (no training folder records them under --init pytorch). --halves adds the same
// measure on runs 0..N/2-1 and N/2..N-1 alone, a cheap look at how much the number moves with the runs drawn.
// --seeds=S also starts the maxmin landmarks from S-1 other points (the number moves with them). All of it is the project's own code (preprocess, densityCoreSearch, maxminLandmarks, ripsPersistence).
import { importBundle } from './support/bundle.js';

const arg = (/** @type {string} */ name) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const list = (/** @type {string | undefined} */ raw) => raw?.split(',').map(Number);
const dir = arg('dir');
if (!dir) {
  process.stdout.write(
    'layer2: give the training folder with --dir=DIR (e.g. the --out of kleinscope reproduce mnist)\n',
  );
  process.exit(2);
}
const lib = await importBundle(`
export { landmarkBars } from './src/lib/analysis/landmarkBars';
export { loadSnapshotDir, readManifest } from './src/cli/inputs/snapshotDir';
export { pytorchParams, runSeedOf } from './src/lib/nn/initialisation';
export { parameterSpecs } from './src/lib/nn/architectures';
export { writeSpatialFilters } from './src/lib/nn/kernels';
export { initialState } from './src/lib/nn/initialisation';
`);
const manifest = lib.readManifest(dir);
const runs = manifest.runs;
const steps = list(arg('steps')) ?? manifest.snapshotSteps;
const layers =
  list(arg('layers')) ?? manifest.architecture.conv.map((/** @type {number} */ _, /** @type {number} */ i) => i + 1);
const landmarks = list(arg('landmarks')) ?? [300, 600];
const halves = process.argv.includes('--halves');
const seedCount = Number(arg('seeds') ?? 1);
const seeds = Array.from({ length: seedCount }, (_, i) => i);
const k = 50;
const p = 30;

/** The initial conv-`layer` filters of runs [a, b), as train() or startCheckpoint makes them. */
/**
 * @param {number} layer
 * @param {number} a
 * @param {number} b
 */
function initialFilters(layer, a, b) {
  const specs = lib.parameterSpecs(manifest.architecture);
  const i = specs.findIndex(
    (/** @type {{kind: string, convLayer?: number}} */ s) => s.kind === 'conv-kernel' && s.convLayer === layer,
  );
  const shape = specs[i].shape;
  const out = new Float32Array((b - a) * shape[2] * shape[3] * 9);
  let at = 0;
  for (let r = a; r < b; r++) {
    const seed = lib.runSeedOf(manifest.seed, r);
    const params =
      (manifest.init ?? 'glorot') === 'pytorch'
        ? lib.pytorchParams(manifest.architecture, seed)
        : lib.initialState(manifest.architecture, seed).params;
    at = lib.writeSpatialFilters({ shape, data: params[i] }, out, at);
  }
  return out;
}

/**
 * @param {number} step
 * @param {number} layer
 * @param {number} a
 * @param {number} b
 */
function filtersOf(step, layer, a, b) {
  if (step === 0) return initialFilters(layer, a, b);
  const all = lib.loadSnapshotDir(dir, { layer, step }).filters;
  const per = all.length / runs;
  return all.subarray(a * per, b * per);
}

const fmt = (/** @type {number} */ x) => (Number.isFinite(x) ? x.toFixed(2) : String(x));
const parts = [
  [0, runs],
  ...(halves
    ? [
        [0, runs >> 1],
        [runs >> 1, runs],
      ]
    : []),
];
process.stdout.write(
  `layer2: ${dir} (${runs} runs of ${manifest.architecture.name}, init ${manifest.init ?? 'glorot'}, Adam epsilon ` +
    `${manifest.adamEpsilon ?? 1e-7} (${manifest.adamForm ?? 'keras'} form), sampling ${manifest.sampling ?? 'without-replacement'})\n` +
    `core X(${k},${p}); H1 Vietoris-Rips (Z/2) on ${landmarks.join(' and ')} maxmin landmarks of the core; longest bar / next` +
    ` (first landmark: the densest core point${seedCount > 1 ? `; in brackets the range over ${seedCount} first landmarks, seeds 0-${seedCount - 1}` : ''})\n\n` +
    `| step | layer | runs | filters | core | ${landmarks.map((l) => `${l} landmarks: longest / next = ratio`).join(' | ')} |\n` +
    `| ---: | ---: | :--- | ---: | ---: | ${landmarks.map(() => '---:').join(' | ')} |\n`,
);
for (const step of steps) {
  for (const layer of layers) {
    for (const [a, b] of parts) {
      const r = lib.landmarkBars(filtersOf(step, layer, a, b), { k, p, landmarks, seeds });
      const cells = landmarks.map((count) => {
        const mine = r.bars.filter(
          (/** @type {{landmarks: number, seed: number, longest: number, next: number, ratio: number}} */ x) =>
            x.landmarks === Math.min(count, r.core),
        );
        const [x] = mine;
        const ratios = mine.map((/** @type {{ratio: number}} */ y) => y.ratio);
        const spread = mine.length > 1 ? ` (${fmt(Math.min(...ratios))}-${fmt(Math.max(...ratios))}x)` : '';
        return `${x.longest.toFixed(3)} / ${x.next.toFixed(3)} = ${fmt(x.ratio)}x${spread}`;
      });
      process.stdout.write(
        `| ${step} | ${layer} | ${a}-${b - 1} | ${r.filters} | ${r.core} | ${cells.join(' | ')} |\n`,
      );
    }
  }
}
