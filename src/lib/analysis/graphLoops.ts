/**
 * The Mapper graph's loop count on one resample's density core, built as the pipeline builds the document's graph:
 * the same lens kind recomputed on the resample, the cover and clustering scale chosen again when they are
 * automatic (as GUDHI's bootstrap does: the question is how stable the whole procedure is). The confidence stage
 * counts it on every resample, at the same unit as the barcode, so the graph's answer to "how many loops" has an
 * agreement of its own to set beside the barcode's.
 *
 * Null where the graph cannot be rebuilt from the core alone: the codensity lens is the whole data's density, the
 * circular lens needs its own cocycle; and above MAX_GRAPH_CORE core points, where the automatic cover costs more
 * than the resample's persistence (a 15,000-point core of a subsampled layer).
 */
import { MapperTooLargeError } from '../tda/mapper';
import { fitPrimaryCircle } from '../tda/patchModels';
import { pca, project } from '../tda/pca';
import { MAX_EDGES, MAX_NODES } from '../result/schema';
import { lensValues, parseLens } from './lens';
import { mapperStage } from './mapperGraph';
import type { ResolvedOptions } from './options';
import { DIM } from './precision';

export const MAX_GRAPH_CORE = 2000;

export function resampleGraphLoops(
  coords: Float64Array,
  n: number,
  o: Pick<ResolvedOptions, 'lens' | 'resolution' | 'gain' | 'epsilon' | 'seed'>,
): number | null {
  const lens = parseLens(o.lens);
  if (lens.kind === 'codensity' || lens.kind === 'circular' || n < 3 || n > MAX_GRAPH_CORE) return null;
  const pcaModel = pca(coords, n, DIM);
  const angles = lens.kind === 'angle' ? fitPrimaryCircle(coords, n).angles : new Float64Array(n);
  const lensed = lensValues(lens, { coords, n, pcaModel, codensity: new Float64Array(n), angles });
  try {
    return mapperStage(coords, DIM, n, lensed.values, lensed.dim, lensed.periods, project(coords, n, pcaModel, [0]), {
      ball: lens.kind === 'ball',
      resolution: o.resolution,
      gain: o.gain,
      epsilon: o.epsilon,
      bootstrap: 0,
      seed: o.seed,
      maxNodes: MAX_NODES,
      maxEdges: MAX_EDGES,
    }).loops;
  } catch (e) {
    // A resample whose graph would exceed the document's limits has no count, rather than failing the analysis.
    if (e instanceof MapperTooLargeError) return null;
    throw e;
  }
}
