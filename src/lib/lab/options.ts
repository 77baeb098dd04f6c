import type { AnalysisOptions } from '../analysis/pipeline';
import type { AnalysisParams } from './settings';

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
  };
}
