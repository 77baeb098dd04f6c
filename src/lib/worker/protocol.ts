// What the page and the analysis worker exchange. Plain data only: everything crosses postMessage.
import type { Confidence, PersistenceSummary, ResultDocument } from '../result/schema';

export type AnalysisOptions = Parameters<typeof import('../analysis/pipeline').analyzeFilters>[2];
export type AnalysisFilters = Parameters<typeof import('../analysis/pipeline').analyzeFilters>[0];

export interface AnalysisRequest {
  filters: AnalysisFilters;
  source: ResultDocument['source'];
  options: AnalysisOptions;
}

export type ProgressCallback = (stage: string, fraction: number) => void;

/**
 * The confidence of the barcode so far (persistence.confidence), after each resample, with the full data's
 * persistence it belongs to (so the page can state the verdict so far by the one rule).
 */
export type ConfidenceCallback = (confidence: Confidence, persistence: PersistenceSummary) => void;

export type DocumentBars = Array<[number, number | null]>;

/** Document bars use null for an infinite death; src/lib/tda uses Infinity. */
export function toDiagram(bars: DocumentBars): Array<[number, number]> {
  return bars.map(([b, d]) => [b, d === null ? Infinity : d]);
}
