/**
 * Filters in, result document out: preprocessing -> k-NN codensity -> density core -> PCA and model fit ->
 * persistent homology -> Mapper. Pure computation on typed arrays; it yields to the event loop between stages so
 * that a Web Worker can answer messages (progress, cancel) while it runs.
 */
import { fromDct } from '../tda/dct';
import { pca, project } from '../tda/pca';
import { MapperTooLargeError } from '../tda/mapper';
import { mapperDocument, mapperStage, nodeSummaries } from './mapperGraph';
import { fitKleinBottle, fitPrimaryCircle } from '../tda/patchModels';
import { abortError } from '../tda/ripsCohomology';
import {
  MAX_CORE_FILTERS,
  MAX_EDGES,
  MAX_NODES,
  SCHEMA_ID,
  type Confidence,
  type PersistenceSummary,
  type ResultDocument,
  type Source,
} from '../result/schema';
import { preprocess } from './preprocess';
import { AnalysisError, resolveOptions, type AnalysisOptions } from './options';
import { circularLens, lensValues, parseLens } from './lens';
import { persistence } from './homology';
import { documentCocycles } from './cocycles';
import { modelFitDocument } from './modelFit';
import { patternAtlasStage } from './patternAtlasStage';
import { DIM, roundAll } from './precision';
import { resamplePlan } from './resampling';
import { barcodeConfidence } from './confidenceStage';
import { pooledCoreSearch } from './pooledSearch';
import type { TaskPool } from './taskPool';
import type { ParallelRunner } from '../tda/parallelRunner';

// The options, their defaults and the lens live in their own modules; these names stay importable from here.
export { AnalysisError, DEFAULT_OPTIONS, type AnalysisOptions } from './options';
export { parseLens, type Lens } from './lens';

export interface AnalysisHooks {
  onProgress?: (stage: string, fraction: number) => void;
  signal?: AbortSignal;
  /**
   * For a subsampled layer: the whole layer (n*9 numbers), of which the filters are the rows
   * seededSample(n, source.subsample.taken, seed) (nn/convLayers.ts), so that the confidence resamples the layer
   * itself with fresh subsamples. Without it a subsample is resampled as a plain file of filters.
   */
  layer?: ArrayLike<number>;
  /** Threads for the k-NN search and the resamples (taskPool.ts); without a pool they run in this thread. */
  pool?: TaskPool;
  /**
   * Threads for the Rips persistence of the full data (the ph and circular stages), with the same barcodes. Only
   * there: the resamples run on the pool instead, so the two never compete for the cores.
   */
  runner?: ParallelRunner;
  /**
   * The confidence so far, after each resample: a view can show the verdict as it firms up. `persistence` is the
   * full data's barcode with that confidence, so the verdict so far is verdictOf({ persistence }), as the final one.
   */
  onConfidence?: (confidence: Confidence, persistence: PersistenceSummary) => void;
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export async function analyzeFilters(
  filters: ArrayLike<number>,
  source: Source,
  options: AnalysisOptions = {},
  hooks: AnalysisHooks = {},
): Promise<ResultDocument> {
  const o = resolveOptions(options);
  const lens = parseLens(o.lens);
  const { signal, onProgress } = hooks;
  const timings: Record<string, number> = {};
  const started = now();
  let stageStart = started;
  const stage = async (name: string, fraction: number) => {
    await tick();
    if (signal?.aborted) throw abortError();
    onProgress?.(name, fraction);
    stageStart = now();
  };
  const done = (name: string) => {
    timings[name] = Math.max(0, Math.round((now() - stageStart) * 10) / 10);
  };

  await stage('preprocess', 0);
  const pre = preprocess(filters, o.normThreshold);
  if (pre.nKept < 3)
    throw new AnalysisError(
      `only ${pre.nKept} of ${pre.nInput} filters are not near zero; the analysis needs at least 3`,
      'filters',
    );
  const k = Math.min(o.k, pre.nKept - 1);
  done('preprocess');

  // k-NN and the core are one search (see densityCoreSearch): codensities beyond the core are never needed.
  await stage('knn', 0.05);
  const { core, rho } = await pooledCoreSearch(pre.coords, pre.nKept, DIM, k, o.p, hooks.pool, signal);
  done('knn');

  await stage('core', 0.35);
  const nCore = core.length;
  const coords = new Float64Array(nCore * DIM);
  const coreRho = new Float64Array(nCore);
  core.forEach((c, i) => {
    coords.set(pre.coords.subarray(c * DIM, c * DIM + DIM), i * DIM);
    coreRho[i] = rho[c];
  });
  done('core');

  await stage('fit', 0.4);
  const circle = fitPrimaryCircle(coords, nCore);
  const klein = fitKleinBottle(coords, nCore);
  const patternAtlas = patternAtlasStage(coords, nCore, klein);
  done('fit');

  await stage('ph', 0.45);
  // Cocycles of H1 let the document point from a bar to the Mapper nodes its class runs through.
  // Persistence is the longest stage: it reports its own progress, so the bar moves instead of standing at 45%.
  const ph = persistence(
    coords,
    nCore,
    o,
    o.maxDim >= 1,
    signal,
    (f) => onProgress?.('ph', 0.45 + (o.resamples > 0 ? 0.15 : 0.3) * f),
    hooks.runner,
  );
  done('ph');

  let confidence: Confidence | undefined;
  if (o.resamples > 0) {
    await stage('confidence', 0.6);
    const plan = resamplePlan(source, pre.nInput, hooks.layer);
    confidence = await barcodeConfidence(
      ph.result,
      pre,
      plan,
      o,
      k,
      signal,
      (c, done) => {
        hooks.onConfidence?.(c, { ...ph.summary, confidence: c });
        onProgress?.('confidence', 0.6 + (0.15 * done) / o.resamples);
      },
      hooks.pool,
    );
    done('confidence');
  }

  let circular: Float64Array | undefined;
  if (lens.kind === 'circular') {
    await stage('circular', 0.75);
    // Lifting a Z/p cocycle to an integer one needs a large enough prime (Z/2 forgets orientations), so the
    // cocycle comes from its own H1 run over Z/47 unless the chosen field is already large.
    const liftModulus = o.modulus >= 23 ? o.modulus : 47;
    const lift = { ...o, maxDim: 1, modulus: liftModulus };
    const forLift = persistence(coords, nCore, lift, true, signal, undefined, hooks.runner);
    circular = circularLens(coords, nCore, forLift, liftModulus);
    done('circular');
  }

  await stage('mapper', 0.8);
  const pcaModel = pca(coords, nCore, DIM);
  const lensed = lensValues(lens, { coords, n: nCore, pcaModel, codensity: coreRho, angles: circle.angles, circular });
  let built;
  try {
    built = mapperStage(
      coords,
      DIM,
      nCore,
      lensed.values,
      lensed.dim,
      lensed.periods,
      project(coords, nCore, pcaModel, [0]),
      {
        ball: lens.kind === 'ball',
        resolution: o.resolution,
        gain: o.gain,
        epsilon: o.epsilon,
        bootstrap: o.bootstrap,
        seed: o.seed,
        maxNodes: MAX_NODES,
        maxEdges: MAX_EDGES,
      },
      (done) => onProgress?.('bootstrap', 0.8 + (0.15 * done) / o.bootstrap),
    );
  } catch (e) {
    if (e instanceof MapperTooLargeError) throw new AnalysisError(e.message, e.option);
    throw e;
  }
  const nodes = nodeSummaries(built.graph, {
    patches: fromDct(coords, nCore),
    lens: lensed,
    codensity: coreRho,
    circleDistances: circle.distances,
    kleinErrors: klein.errors,
  });
  const mapperDoc = mapperDocument(o.lens, built, nodes);
  done('mapper');

  await stage('document', 0.95);
  const modelFit = modelFitDocument(circle, klein);
  done('document');
  timings.total = Math.round((now() - started) * 10) / 10;
  onProgress?.('done', 1);

  const doc: ResultDocument = {
    schema: SCHEMA_ID,
    ...(options.title !== undefined ? { title: options.title } : {}),
    createdAt: new Date().toISOString(),
    generator: 'kleinscope analysis',
    source,
    preprocessing: {
      nInput: pre.nInput,
      nNearZero: pre.nNearZero,
      nKept: pre.nKept,
      normThreshold: pre.normThreshold,
      coordinates: 'dct8',
      k,
      p: o.p,
      nCore,
      // Which input filter each core point is: the views find members by it and colour pooled runs apart.
      coreInput: Array.from(core, (c) => pre.kept[c]),
      ...(nCore <= MAX_CORE_FILTERS
        ? {
            coreFilters: roundAll(
              Array.from(core, (c) => Array.from({ length: 9 }, (_, k) => filters[9 * pre.kept[c] + k])).flat(),
            ),
          }
        : {}),
    },
    mapper: mapperDoc,
    persistence: {
      ...ph.summary,
      ...documentCocycles(ph, coords, nCore),
      ...(confidence ? { confidence } : {}),
    },
    modelFit,
    patternAtlas,
    timings,
  };
  return doc;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
