/**
 * Filters in, result document out: preprocessing -> k-NN codensity -> density core -> PCA and model fit ->
 * persistent homology -> Mapper. Pure computation on typed arrays; it yields to the event loop between stages so
 * that a Web Worker can answer messages (progress, cancel) while it runs.
 */
import { densityCoreSearch } from '../tda/codensity';
import { fromDct } from '../tda/dct';
import { pca, project } from '../tda/pca';
import { MapperTooLargeError } from '../tda/mapper';
import { mapperStage } from './mapperGraph';
import { fitKleinBottle, fitPrimaryCircle } from '../tda/patchModels';
import { circularCoordinates, circularCoordinatesOfMatrix } from '../tda/circularCoordinates';
import { abortError, type PersistenceResult } from '../tda/ripsCohomology';
import { lazyWitnessWeights } from '../tda/witness';
import {
  MAX_CORE_FILTERS,
  MAX_EDGES,
  MAX_NODES,
  SCHEMA_ID,
  type MapperGraph,
  type ModelFit,
  type Confidence,
  type ResultDocument,
  type Source,
} from '../result/schema';
import { preprocess } from './preprocess';
import { AnalysisError, resolveOptions, type AnalysisOptions } from './options';
import { parseLens } from './lens';
import { persistence, type PersistenceOutcome } from './homology';
import { documentCocycles } from './cocycles';
import { histogram } from './histogram';
import { patternAtlasStage } from './patternAtlasStage';
import { DIM, round, roundAll } from './precision';
import { resamplePlan } from './resampling';
import { barcodeConfidence } from './confidenceStage';

// The options, their defaults and the lens live in their own modules; these names stay importable from here.
export { AnalysisError, DEFAULT_OPTIONS, type AnalysisOptions } from './options';
export { parseLens, type Lens } from './lens';

export interface AnalysisHooks {
  onProgress?: (stage: string, fraction: number) => void;
  signal?: AbortSignal;
  /**
   * For a subsampled layer: a fresh subsample of the whole layer for a seed (as the analysed one was drawn), so the
   * confidence resamples the layer itself. Without it a subsample is resampled as a plain file of filters.
   */
  redraw?: (seed: number) => ArrayLike<number> | Promise<ArrayLike<number>>;
  /** The confidence so far, after each resample: a view can show the verdict as it firms up. */
  onConfidence?: (confidence: Confidence) => void;
}

const TWO_PI = 2 * Math.PI;

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The longest H1 bar (essential bars count as reaching the threshold), or -1. */
function dominantBar(result: PersistenceResult): number {
  const h1 = result.diagrams[1] ?? [];
  let best = -1;
  let bestLength = -1;
  h1.forEach(([b, d], i) => {
    const length = (Number.isFinite(d) ? d : result.threshold) - b;
    if (length > bestLength) {
      bestLength = length;
      best = i;
    }
  });
  return best;
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
  const { core, rho } = densityCoreSearch(pre.coords, pre.nKept, DIM, k, o.p);
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
  const ph = persistence(coords, nCore, o, o.maxDim >= 1, signal, (f) =>
    onProgress?.('ph', 0.45 + (o.resamples > 0 ? 0.15 : 0.3) * f),
  );
  done('ph');

  let confidence: Confidence | undefined;
  if (o.resamples > 0) {
    await stage('confidence', 0.6);
    const plan = resamplePlan(source, pre.nInput, hooks.redraw);
    confidence = await barcodeConfidence(ph.result, pre, plan, o, k, signal, (c, done) => {
      hooks.onConfidence?.(c);
      onProgress?.('confidence', 0.6 + (0.15 * done) / o.resamples);
    });
    done('confidence');
  }

  let circular: Float64Array | undefined;
  if (lens.kind === 'circular') {
    await stage('circular', 0.75);
    // Lifting a Z/p cocycle to an integer one needs a large enough prime (Z/2 forgets orientations), so the
    // cocycle comes from its own H1 run over Z/47 unless the chosen field is already large.
    const liftModulus = o.modulus >= 23 ? o.modulus : 47;
    const forLift = persistence(coords, nCore, { ...o, maxDim: 1, modulus: liftModulus }, true, signal);
    circular = circularLens(coords, nCore, forLift, liftModulus);
    done('circular');
  }

  await stage('mapper', 0.8);
  const pcaModel = pca(coords, nCore, DIM);
  let lensValues: Float64Array;
  let lensDim = 1;
  let periods: Array<number | null> = [null];
  if (lens.kind === 'pca' || lens.kind === 'ball') {
    // Ball Mapper has no lens; its nodes still carry their mean position on PC1-2 for the views.
    lensValues = project(coords, nCore, pcaModel, lens.kind === 'pca' ? lens.axes : [0, 1]);
    lensDim = 2;
    periods = [null, null];
  } else if (lens.kind === 'codensity') lensValues = coreRho;
  else if (lens.kind === 'angle') {
    lensValues = circle.angles;
    periods = [TWO_PI];
  } else {
    lensValues = circular!;
    periods = [TWO_PI];
  }
  let built;
  try {
    built = mapperStage(
      coords,
      DIM,
      nCore,
      lensValues,
      lensDim,
      periods,
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
  const graph = built.graph;
  const choice = built.choice;
  const corePatches = fromDct(coords, nCore);
  let rhoMin = Infinity;
  for (const r of coreRho) rhoMin = Math.min(rhoMin, r);
  const mapperDoc: MapperGraph = {
    lens: o.lens,
    resolution: Math.max(1, ...choice.resolutions),
    gain: choice.gain,
    clustering: choice.clustering,
    chosen: choice.chosen,
    ...(choice.resolutions.length ? { resolutions: choice.resolutions } : {}),
    ...(choice.scale !== undefined ? { scale: round(choice.scale) } : {}),
    ...(choice.selection ? { selection: choice.selection } : {}),
    loops: built.loops,
    components: built.components,
    largestComponentShare: round(built.largestComponentShare),
    ...(built.bootstrap
      ? {
          bootstrap: {
            resamples: built.bootstrap.resamples,
            height: 'PC1',
            distances: roundAll(built.bootstrap.distances),
            loops: built.bootstrap.loops.map((l) => ({
              birth: round(l.birth),
              death: round(l.death),
              persistence: round(l.persistence),
              survival: round(l.survival),
            })),
          },
        }
      : {}),
    nodes: graph.nodes.map((node, id) => {
      const mean = new Float64Array(9);
      const lensMean = new Float64Array(lensDim);
      let codens = 0;
      let dist = 0;
      let err = 0;
      let sin = 0;
      let cos = 0;
      for (const m of node.members) {
        for (let j = 0; j < 9; j++) mean[j] += corePatches[m * 9 + j];
        for (let j = 0; j < lensDim; j++) {
          const v = lensValues[m * lensDim + j];
          if (periods[j]) {
            sin += Math.sin(v);
            cos += Math.cos(v);
          } else lensMean[j] += v;
        }
        codens += coreRho[m];
        dist += circle.distances[m];
        err += klein.errors[m];
      }
      const size = node.members.length;
      for (let j = 0; j < lensDim; j++) {
        if (periods[j]) {
          const t = Math.atan2(sin, cos);
          lensMean[j] = t < 0 ? t + TWO_PI : t;
        } else lensMean[j] /= size;
      }
      codens /= size;
      return {
        id,
        size,
        members: Array.from(node.members),
        meanFilter: roundAll(mean.map((v) => v / size)),
        // Relative density in (0, 1]: the densest core point's codensity over the node's mean codensity.
        density: round(codens > 0 ? rhoMin / codens : 1),
        lens: roundAll(lensMean),
        attributes: {
          codensity: round(codens),
          circleDistance: round(dist / size),
          kleinError: round(err / size),
        },
      };
    }),
    edges: graph.edges.map(([a, b, w]) => [a, b, w]),
  };
  done('mapper');

  await stage('document', 0.95);
  const hv = shareNearAxes(circle.angles);
  const modelFit: ModelFit = {
    primaryCircle: {
      angles: roundAll(circle.angles),
      distances: roundAll(circle.distances),
      angleHistogram: histogram(circle.angles, 36, 0, TWO_PI),
      distanceHistogram: histogram(circle.distances, 20, 0, 2),
      meanDistance: round(mean(circle.distances)),
      shareHorizontalVertical: round(hv),
    },
    kleinBottle: {
      t1: roundAll(klein.t1),
      t2: roundAll(klein.t2),
      errors: roundAll(klein.errors),
      errorHistogram: histogram(klein.errors, 20, 0, 2),
      meanError: round(mean(klein.errors)),
    },
  };
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

function mean(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : 0;
}

/** Share of angles within pi/12 of a horizontal or vertical edge (a multiple of pi/2). */
function shareNearAxes(angles: Float64Array): number {
  if (angles.length === 0) return 0;
  let near = 0;
  for (const a of angles) {
    const off = Math.abs(a - (Math.PI / 2) * Math.round(a / (Math.PI / 2)));
    if (off <= Math.PI / 12) near++;
  }
  return near / angles.length;
}

/**
 * Circle-valued lens from the dominant H1 class. On a witness complex the cocycle lives on the landmarks, so each
 * core point takes the value of its nearest landmark.
 */
function circularLens(coords: Float64Array, n: number, ph: PersistenceOutcome, modulus: number): Float64Array {
  const bar = dominantBar(ph.result);
  const cocycle = bar >= 0 ? ph.result.cocycles?.[bar] : undefined;
  if (!cocycle) throw new AnalysisError('the circular lens needs an H1 bar, and the density core has none', 'lens');
  const death = Number.isFinite(cocycle.death) ? cocycle.death : ph.result.threshold;
  const scale = cocycle.birth + 0.5 * (death - cocycle.birth);
  if (!ph.witness) return circularCoordinates(coords, n, DIM, cocycle, { modulus, scale });
  // The cocycle lives on the witness complex, so its 1-skeleton comes from the same witnesses' weights.
  const { points, n: w, landmarks: L } = ph.witness;
  const weights = lazyWitnessWeights(points, w, DIM, L, 1);
  const onLandmarks = circularCoordinatesOfMatrix(weights, L.length, cocycle, { modulus, scale });
  const lc = new Float64Array(L.length * DIM);
  L.forEach((p, i) => lc.set(points.subarray(p * DIM, p * DIM + DIM), i * DIM));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let l = 0; l < L.length; l++) {
      let d = 0;
      for (let t = 0; t < DIM; t++) {
        const x = coords[i * DIM + t] - lc[l * DIM + t];
        d += x * x;
      }
      if (d < bestD) {
        bestD = d;
        best = l;
      }
    }
    out[i] = onLandmarks[best];
  }
  return out;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
