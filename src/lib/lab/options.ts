import type { AnalysisOptions } from '../analysis/pipeline';
import type { AnalysisParams } from './settings';

/**
 * Resamples of the confidence stage in the lab: fewer than the CLI's 30 (the browser has one worker for it), enough
 * for the median count and a 90% interval to settle (the verdict's agreement moves by 1/20 per resample).
 */
export const LAB_RESAMPLES = 20;

/** The lab's form values as the pipeline's options; everything the form does not show keeps its default. */
export function toPipelineOptions(p: AnalysisParams): AnalysisOptions {
  const auto = p.cover !== 'fixed';
  return {
    k: p.k,
    p: p.p,
    lens: p.lens,
    resolution: auto ? 'auto' : p.resolution,
    gain: auto ? 'auto' : p.gain,
    maxDim: p.maxDim,
    modulus: p.modulus,
    bootstrap: p.bootstrap ?? 0,
    resamples: LAB_RESAMPLES,
  };
}
