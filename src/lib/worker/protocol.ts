// What the page and the analysis worker exchange. Plain data only: everything crosses postMessage.
import type { Confidence, ResultDocument } from '../result/schema';

export type AnalysisOptions = Parameters<typeof import('../analysis/pipeline').analyzeFilters>[2];
export type AnalysisFilters = Parameters<typeof import('../analysis/pipeline').analyzeFilters>[0];

export interface AnalysisRequest {
  filters: AnalysisFilters;
  source: ResultDocument['source'];
  options: AnalysisOptions;
}

export type ProgressCallback = (stage: string, fraction: number) => void;

/** The confidence of the barcode so far (persistence.confidence), after each resample. */
export type ConfidenceCallback = (confidence: Confidence) => void;

export type DocumentBars = Array<[number, number | null]>;

/** Document bars use null for an infinite death; src/lib/tda uses Infinity. */
export function toDiagram(bars: DocumentBars): Array<[number, number]> {
  return bars.map(([b, d]) => [b, d === null ? Infinity : d]);
}
