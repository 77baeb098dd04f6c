/**
 * The Mapper stage of the pipeline: the cover and clustering scale (fixed, or chosen from the data), the graph,
 * its flag complex's homology and, on request, the bootstrap of its loops.
 */
import { mapper, type MapperOutput } from '../tda/mapper';
import { ballMapper } from '../tda/ballMapper';
import { autoMapperParameters, estimateScale, AUTO_DEFAULTS } from '../tda/mapperParameters';
import { componentsByPoints, flagHomology } from '../tda/graphHomology';
import { mapperBootstrap, type BootstrapResult } from '../tda/mapperBootstrap';
import type { MapperGraph } from '../result/schema';
import { round, roundAll } from './precision';

export type Auto = number | 'auto';

export interface MapperStageOptions {
  /** 'ball' for Ball Mapper; anything else is a lens given by `lens`. */
  ball: boolean;
  resolution: Auto;
  gain: Auto;
  epsilon: Auto;
  bootstrap: number;
  seed: number;
  maxNodes: number;
  maxEdges: number;
}

export interface MapperChoice {
  chosen: 'auto' | 'fixed';
  /** Intervals per lens axis (a Ball Mapper has none). */
  resolutions: number[];
  gain: number;
  /** Single-linkage cut height (auto), or the Ball Mapper's radius. */
  scale?: number;
  /** Ball Mapper: balls holding points this close are joined too. */
  join?: number;
  clustering: string;
  selection?: {
    method: string;
    repetitions: number;
    subsampleSize: number;
    estimatedOn: number;
    overlap: number;
    lensSpread: number[];
    /** The rule's resolution per axis before the cap on the number of cover sets. */
    finest?: number[];
  };
}

export interface MapperStage {
  graph: MapperOutput;
  choice: MapperChoice;
  loops: number;
  components: number;
  /** Share of the points in the component holding the most of them. */
  largestComponentShare: number;
  bootstrap?: BootstrapResult;
}

function choose(
  coords: Float64Array,
  dim: number,
  n: number,
  lens: Float64Array,
  lensDim: number,
  periods: Array<number | null>,
  o: MapperStageOptions,
): MapperChoice {
  const method = `Carriere-Michel-Oudot 2018 (C=${AUTO_DEFAULTS.C}, beta=${AUTO_DEFAULTS.beta})`;
  if (o.ball) {
    if (o.epsilon !== 'auto')
      return {
        chosen: 'fixed',
        resolutions: [],
        gain: 1,
        scale: o.epsilon,
        clustering: `ball mapper, epsilon ${round(o.epsilon)}`,
      };
    const sample = Math.min(n, AUTO_DEFAULTS.maxPoints);
    // Balls of radius 3 delta / 4, joined when they hold points within delta (the sampling scale): a greedy net
    // leaves neighbouring centres up to 2 epsilon apart, often with no point in both balls, and Dlotko's nerve
    // alone then breaks a loop at random. At epsilon = delta the balls on the 8-D filter cores were nearly as large
    // as the loop and filled it; 3 delta / 4 keeps them smaller (README: measured on real and stand-in cores).
    const { delta, m } = estimateScale(subsample(coords, dim, n, sample, o.seed), dim, sample, { seed: o.seed });
    return {
      chosen: 'auto',
      resolutions: [],
      gain: 1,
      scale: 0.75 * delta,
      join: delta,
      clustering: `ball mapper, epsilon ${round(0.75 * delta)}, joined`,
      selection: {
        method,
        repetitions: AUTO_DEFAULTS.repetitions,
        subsampleSize: m,
        estimatedOn: sample,
        overlap: 0,
        lensSpread: [],
      },
    };
  }
  if (o.resolution === 'auto') {
    const overlap = o.gain === 'auto' ? AUTO_DEFAULTS.overlap : 1 - 1 / o.gain;
    const auto = autoMapperParameters(coords, dim, n, lens, lensDim, { overlap, periods, seed: o.seed });
    return {
      chosen: 'auto',
      resolutions: auto.resolution,
      gain: o.gain === 'auto' ? round(auto.gain) : o.gain,
      scale: auto.delta,
      clustering: `single-linkage at ${round(auto.delta)}`,
      selection: {
        method,
        repetitions: auto.repetitions,
        subsampleSize: auto.subsampleSize,
        estimatedOn: auto.estimatedOn,
        overlap: round(auto.overlap),
        lensSpread: auto.lensSpread.map(round),
        finest: auto.finest,
      },
    };
  }
  return {
    chosen: 'fixed',
    resolutions: new Array<number>(lensDim).fill(o.resolution),
    gain: o.gain === 'auto' ? round(1 / (1 - AUTO_DEFAULTS.overlap)) : o.gain,
    clustering: 'single-linkage (gap heuristic, 10 bins)',
  };
}

function subsample(coords: Float64Array, dim: number, n: number, take: number, seed: number): Float64Array {
  if (take >= n) return coords;
  const out = new Float64Array(take * dim);
  // An even stride: deterministic, and spread over the whole cloud whatever its order.
  for (let i = 0; i < take; i++) {
    const p = (Math.floor((i * n) / take) + (seed >>> 0)) % n;
    out.set(coords.subarray(p * dim, p * dim + dim), i * dim);
  }
  return out;
}

function build(
  coords: Float64Array,
  dim: number,
  n: number,
  lens: Float64Array,
  lensDim: number,
  periods: Array<number | null>,
  choice: MapperChoice,
  o: MapperStageOptions,
): MapperOutput {
  const limits = { maxNodes: o.maxNodes, maxEdges: o.maxEdges };
  if (o.ball) return ballMapper(coords, dim, n, choice.scale!, { ...limits, join: choice.join ?? 0 });
  return mapper(coords, dim, lens, lensDim, n, {
    resolution: choice.resolutions,
    gain: choice.gain,
    periods,
    ...(choice.chosen === 'auto' ? { clusterScale: choice.scale } : {}),
    ...limits,
  });
}

export function mapperStage(
  coords: Float64Array,
  dim: number,
  n: number,
  lens: Float64Array,
  lensDim: number,
  periods: Array<number | null>,
  /** The per-point height of the bootstrap's extended persistence. */
  height: Float64Array,
  o: MapperStageOptions,
  onBootstrap?: (done: number) => void,
): MapperStage {
  const choice = choose(coords, dim, n, lens, lensDim, periods, o);
  const graph = build(coords, dim, n, lens, lensDim, periods, choice, o);
  const { components, loops } = flagHomology(graph.nodes.length, graph.edges);
  const parts = componentsByPoints(graph.nodes, graph.edges, n);
  const stage: MapperStage = {
    graph,
    choice,
    loops,
    components,
    largestComponentShare: n ? (parts.points[0] ?? 0) / n : 0,
  };
  if (o.bootstrap > 0) {
    stage.bootstrap = mapperBootstrap(
      n,
      graph,
      height,
      (subset) => {
        const m = subset.length;
        const c = new Float64Array(m * dim);
        const l = new Float64Array(m * lensDim);
        subset.forEach((p, i) => {
          c.set(coords.subarray(p * dim, p * dim + dim), i * dim);
          l.set(lens.subarray(p * lensDim, p * lensDim + lensDim), i * lensDim);
        });
        // As GUDHI's bootstrap does, an automatic choice is made again on each resample: the question is how
        // stable the whole procedure is, not one cover on thinner data.
        const again = choice.chosen === 'auto' ? choose(c, dim, m, l, lensDim, periods, o) : choice;
        const g = build(c, dim, m, l, lensDim, periods, again, o);
        return {
          nodes: g.nodes.map((node) => ({ ...node, members: node.members.map((i) => subset[i]) })),
          edges: g.edges,
        };
      },
      { resamples: o.bootstrap, seed: o.seed, onResample: onBootstrap },
    );
  }
  return stage;
}

export interface LensValues {
  /** n * dim values, point by point. */
  values: Float64Array;
  dim: number;
  /** The period of each axis (2 pi for an angle, whose cover wraps), null for a line. */
  periods: Array<number | null>;
}

/** What a node summarises over its members: the core's filters (pixels), lens values and fitted measures. */
export interface NodeInputs {
  /** n * 9 pixel values of the core's filters (mean-centred, unit norm). */
  patches: Float64Array;
  lens: LensValues;
  codensity: Float64Array;
  circleDistances: Float64Array;
  kleinErrors: Float64Array;
}

/**
 * Each node's summary, as GUDHI's MapperComplex keeps `node_info_`: its members, mean filter (for its glyph), mean
 * lens value (circular mean on a periodic axis), relative density and mean measures.
 */
export function nodeSummaries(graph: MapperOutput, x: NodeInputs): MapperGraph['nodes'] {
  const { values, dim: lensDim, periods } = x.lens;
  let rhoMin = Infinity;
  for (const r of x.codensity) rhoMin = Math.min(rhoMin, r);
  return graph.nodes.map((node, id) => {
    const mean = new Float64Array(9);
    const lensMean = new Float64Array(lensDim);
    const sin = new Float64Array(lensDim);
    const cos = new Float64Array(lensDim);
    let codens = 0;
    let dist = 0;
    let err = 0;
    for (const m of node.members) {
      for (let j = 0; j < 9; j++) mean[j] += x.patches[m * 9 + j];
      for (let j = 0; j < lensDim; j++) {
        const v = values[m * lensDim + j];
        if (periods[j]) {
          sin[j] += Math.sin(v);
          cos[j] += Math.cos(v);
        } else lensMean[j] += v;
      }
      codens += x.codensity[m];
      dist += x.circleDistances[m];
      err += x.kleinErrors[m];
    }
    const size = node.members.length;
    for (let j = 0; j < lensDim; j++) {
      if (periods[j]) {
        const t = Math.atan2(sin[j], cos[j]);
        lensMean[j] = t < 0 ? t + 2 * Math.PI : t;
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
  });
}

/** The document's Mapper section: how the cover was chosen, the graph's homology, its bootstrap, nodes and edges. */
export function mapperDocument(lens: string, built: MapperStage, nodes: MapperGraph['nodes']): MapperGraph {
  const choice = built.choice;
  return {
    lens,
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
            loopCounts: built.bootstrap.loopCounts,
            loops: built.bootstrap.loops.map((l) => ({
              birth: round(l.birth),
              death: round(l.death),
              persistence: round(l.persistence),
              survival: round(l.survival),
            })),
          },
        }
      : {}),
    nodes,
    edges: built.graph.edges.map(([a, b, w]) => [a, b, w]),
  };
}
