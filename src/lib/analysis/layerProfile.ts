// The layer profile: figure 6 of the paper as numbers. For each 3x3 conv layer of a model, in network order, the
// few measures that tell a circle layer from a lines-and-crossings layer. Plain data in and out, from the result
// documents the pipeline already writes; no measure is computed twice.
import type { ResultDocument } from '../result/schema';
import type { ConvLayer } from '../nn/convLayers';
import type { LayerAnalysis } from './modelLayers';
import { verdictOf, type VerdictKind } from './verdict';

/**
 * A core point counts as near the primary circle within 30 degrees of it on S^7: the chord to the nearest circle
 * point is then at most 2 sin(15 degrees) = 0.518. Points spread uniformly over S^7 land there with probability
 * (1 - cos^2 30 degrees)^3 = 1.6%; a noisy circle puts most of its points there.
 */
export const NEAR_CIRCLE_ANGLE = Math.PI / 6;
export const NEAR_CIRCLE_DISTANCE = 2 * Math.sin(NEAR_CIRCLE_ANGLE / 2);

export interface LayerMeasures {
  /** H1 bars of the core, and the two longest (essential bars count up to the threshold). */
  h1Bars: number;
  longest: number | null;
  second: number | null;
  /** longest / second: Infinity with a single bar, null with none. A clear primary circle is well above 1. */
  dominance: number | null;
  /** Share of the core within NEAR_CIRCLE_ANGLE of the primary circle. */
  nearCircle: number;
  /** Mean distance of the core to its best Klein-bottle patch. */
  kleinError: number;
  nCore: number;
  mapperNodes: number;
  mapperEdges: number;
  /** Shares of the core in each class of the pattern atlas (tda/patternAtlas.ts); null for documents without one. */
  patterns: PatternShares | null;
  /** The one verdict on H1 (verdict.ts) and the ratio's interval over the resamples (null on one sample). */
  verdict: VerdictKind;
  resampled: boolean;
  ratioLow: number | null;
  ratioHigh: number | null;
}

export type PatternShares = Record<'klein' | 'edge' | 'line' | 'centre' | 'other' | 'off', number>;
export const PATTERN_SHARE_KEYS = ['klein', 'edge', 'line', 'centre', 'other', 'off'] as const;

function patternShares(doc: ResultDocument): PatternShares | null {
  const c = doc.patternAtlas?.classes;
  if (!c) return null;
  return Object.fromEntries(PATTERN_SHARE_KEYS.map((k) => [k, c[k].share])) as PatternShares;
}

export function layerMeasures(doc: ResultDocument): LayerMeasures {
  const threshold = doc.persistence.threshold;
  const lengths = (doc.persistence.diagrams[1] ?? [])
    .map(([b, d]) => (d ?? threshold ?? Infinity) - b)
    .sort((x, y) => y - x);
  const longest = lengths.length ? lengths[0] : null;
  const second = lengths.length > 1 ? lengths[1] : null;
  let dominance: number | null = null;
  if (longest !== null) dominance = second !== null && second > 0 ? longest / second : Infinity;
  const v = verdictOf(doc);
  const distances = doc.modelFit.primaryCircle.distances;
  let near = 0;
  for (const d of distances) if (d <= NEAR_CIRCLE_DISTANCE) near++;
  return {
    h1Bars: lengths.length,
    longest,
    second,
    dominance,
    nearCircle: distances.length ? near / distances.length : 0,
    kleinError: doc.modelFit.kleinBottle.meanError,
    nCore: doc.preprocessing.nCore,
    mapperNodes: doc.mapper.nodes.length,
    mapperEdges: doc.mapper.edges.length,
    patterns: patternShares(doc),
    verdict: v.kind,
    resampled: v.resampled,
    ratioLow: v.ratio.low,
    ratioHigh: v.ratio.high,
  };
}

/** One 3x3 layer of the profile: the measures when it was analysed, the reason when it could not be. */
export interface ProfileRow {
  layer: number;
  name: string;
  kind: ConvLayer['kind'];
  kernelShape: [number, number, number, number];
  nFilters: number;
  /** Filters analysed (the subsample's size for a large layer). */
  analysed: number | null;
  measures: LayerMeasures | null;
  error: string | null;
}

export function profileRow(layer: ConvLayer, doc: ResultDocument | undefined, error?: string): ProfileRow {
  return {
    layer: layer.index,
    name: layer.name,
    kind: layer.kind,
    kernelShape: [...layer.kernelShape],
    nFilters: layer.nFilters,
    analysed: doc ? doc.preprocessing.nInput : null,
    measures: doc ? layerMeasures(doc) : null,
    error: doc ? null : (error ?? null),
  };
}

/** The profile of a model's analysed layers, 3x3 ones only (the others have no place in it), in network order. */
export function layerProfile(results: LayerAnalysis[]): ProfileRow[] {
  return results
    .filter((r) => r.layer.is3x3)
    .sort((a, b) => a.layer.index - b.layer.index)
    .map((r) =>
      r.status === 'done'
        ? profileRow(r.layer, r.document)
        : profileRow(r.layer, undefined, r.status === 'failed' ? r.error : r.reason),
    );
}

const CSV_HEAD = [
  'layer',
  'name',
  'kind',
  'kernel',
  'filters',
  'analysed',
  'core',
  'h1_bars',
  'h1_longest',
  'h1_second',
  'h1_dominance',
  'near_circle_share',
  'klein_mean_error',
  'mapper_nodes',
  'mapper_edges',
  'verdict',
  'h1_ratio_low',
  'h1_ratio_high',
  ...PATTERN_SHARE_KEYS,
  'error',
];

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return v === Infinity ? 'inf' : String(Math.round(v * 1e6) / 1e6);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * The profile's numbers as CSV (RFC 4180: quoted where needed, CRLF-free), one row per 3x3 layer. An empty cell
 * is a value the layer does not have (not analysed, or no H1 bar); a single H1 bar gives dominance `inf`.
 */
export function profileCsv(rows: ProfileRow[]): string {
  const lines = [CSV_HEAD.join(',')];
  for (const r of rows) {
    const m = r.measures;
    lines.push(
      [
        r.layer,
        r.name,
        r.kind,
        r.kernelShape.join('x'),
        r.nFilters,
        r.analysed,
        m?.nCore ?? null,
        m?.h1Bars ?? null,
        m?.longest ?? null,
        m?.second ?? null,
        m?.dominance ?? null,
        m?.nearCircle ?? null,
        m?.kleinError ?? null,
        m?.mapperNodes ?? null,
        m?.mapperEdges ?? null,
        m ? (m.resampled ? m.verdict : `${m.verdict} (one sample)`) : null,
        m?.ratioLow ?? null,
        m?.ratioHigh ?? null,
        ...PATTERN_SHARE_KEYS.map((k) => m?.patterns?.[k] ?? null),
        r.error,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}
