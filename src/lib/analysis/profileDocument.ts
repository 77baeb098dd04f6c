// A layer profile as a document of its own (kleinscope/profile@1), and back: the rows the chart and the CSV draw
// from. Plain data in and out; the caller lays out the thumbnails (export/profileSvg.ts) and names the model.
import type { ResultDocument } from '../result/schema';
import { PROFILE_SCHEMA_ID, type ProfileDocument, type ProfileLayer } from '../result/profileSchema';
import type { ThumbnailData } from '../export/profileSvg';
import { verdictOf } from './verdict';
import { PATTERN_SHARE_KEYS, type LayerMeasures, type PatternShares, type ProfileRow } from './layerProfile';

export interface ProfileMeta {
  /** The model's base name (a path is cut to its last part here, so no folder is ever published). */
  modelName: string;
  dataset: string;
  url?: string;
  title?: string;
  options: ProfileDocument['options'];
  generator?: string;
  /** The command that made the profile, for the document's description (a shared profile says how to redo it). */
  command?: string;
}

export const baseNameOf = (path: string): string => path.split(/[\\/]/).pop() || path;

const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The H1 verdict of a layer: the resampled one when the result has it, else the raw ratio of one sample. */
export function layerVerdict(doc: ResultDocument, measures: LayerMeasures): ProfileLayer['verdict'] {
  const v = verdictOf(doc);
  const confidence = doc.persistence.confidence;
  const h1 = confidence?.dims.find((d) => d.dim === 1);
  if (confidence && h1)
    return {
      kind: 'resampled',
      resamples: confidence.resamples,
      unit: confidence.unit.slice(0, 40),
      level: confidence.level,
      significant: h1.significant,
      ratio: { value: numOrNull(h1.ratio.value), low: numOrNull(h1.ratio.low), high: numOrNull(h1.ratio.high) },
      verdict: v.kind,
    };
  return {
    kind: 'one sample',
    ratio: Number.isFinite(measures.dominance) ? measures.dominance : null,
    verdict: v.kind,
  };
}

/** The profile document of `rows` (layerProfile's output) with each analysed layer's result and thumbnail. */
export function profileDocument(
  rows: ProfileRow[],
  docs: ReadonlyMap<number, ResultDocument>,
  thumbnails: ReadonlyMap<number, ThumbnailData | null>,
  meta: ProfileMeta,
): ProfileDocument {
  const name = baseNameOf(meta.modelName);
  return {
    schema: PROFILE_SCHEMA_ID,
    ...(meta.title !== undefined ? { title: meta.title } : {}),
    ...(meta.command !== undefined ? { description: `Made by \`${meta.command.slice(0, 4000)}\`.` } : {}),
    createdAt: new Date().toISOString(),
    generator: meta.generator ?? 'kleinscope profile',
    source: { kind: 'model', dataset: meta.dataset, architecture: name.slice(0, 80), file: name },
    model: { name, ...(meta.url !== undefined ? { url: meta.url } : {}) },
    options: meta.options,
    layers: rows.map((r) => {
      const doc = docs.get(r.layer);
      const m = r.measures;
      const atlas = doc?.patternAtlas;
      return {
        layer: r.layer,
        name: r.name,
        kind: r.kind,
        kernelShape: r.kernelShape,
        nFilters: r.nFilters,
        analysed: r.analysed,
        error: r.error,
        measures: m
          ? {
              nCore: m.nCore,
              h1Bars: m.h1Bars,
              longest: m.longest,
              second: m.second,
              nearCircle: m.nearCircle,
              kleinError: m.kleinError,
              mapperNodes: m.mapperNodes,
              mapperEdges: m.mapperEdges,
            }
          : null,
        patterns: atlas ? { tolerances: atlas.tolerances, classes: atlas.classes } : null,
        ...(doc && m ? { verdict: layerVerdict(doc, m) } : {}),
        thumbnail: thumbnails.get(r.layer) ?? null,
      };
    }),
  };
}

/** The chart's rows of a profile document (dominance is the longest H1 bar over the next, as layerMeasures has it). */
export function profileRows(doc: ProfileDocument): ProfileRow[] {
  return doc.layers.map((l) => {
    const m = l.measures;
    let dominance: number | null = null;
    if (m?.longest != null) dominance = m.second != null && m.second > 0 ? m.longest / m.second : Infinity;
    const patterns = l.patterns
      ? (Object.fromEntries(PATTERN_SHARE_KEYS.map((k) => [k, l.patterns!.classes[k].share])) as PatternShares)
      : null;
    return {
      layer: l.layer,
      name: l.name,
      kind: l.kind,
      kernelShape: [l.kernelShape[0], l.kernelShape[1], l.kernelShape[2], l.kernelShape[3]],
      nFilters: l.nFilters,
      analysed: l.analysed,
      error: l.error,
      measures: m
        ? {
            ...m,
            dominance,
            patterns,
            verdict: l.verdict?.verdict ?? 'undecided',
            resampled: l.verdict?.kind === 'resampled',
            ratioLow: l.verdict?.kind === 'resampled' ? l.verdict.ratio.low : null,
            ratioHigh: l.verdict?.kind === 'resampled' ? l.verdict.ratio.high : null,
          }
        : null,
    };
  });
}
