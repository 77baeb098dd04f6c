// The lens of the Mapper graph: as a person names it ('pca', 'pca:1,3', 'angle', ...), and its values on the core.
import { circularCoordinates, circularCoordinatesOfMatrix } from '../tda/circularCoordinates';
import { project, type Pca } from '../tda/pca';
import type { PersistenceResult } from '../tda/ripsCohomology';
import { lazyWitnessWeights } from '../tda/witness';
import type { PersistenceOutcome } from './homology';
import type { LensValues } from './mapperGraph';
import { AnalysisError } from './options';
import { DIM } from './precision';

const TWO_PI = 2 * Math.PI;

export type Lens =
  | { kind: 'pca'; axes: [number, number] }
  | { kind: 'codensity' }
  | { kind: 'angle' }
  | { kind: 'circular' }
  | { kind: 'ball' };

export function parseLens(text: string): Lens {
  if (text === 'pca') return { kind: 'pca', axes: [0, 1] };
  if (text === 'codensity' || text === 'angle' || text === 'circular' || text === 'ball') return { kind: text };
  const m = /^pca:(\d),(\d)$/.exec(text);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a >= 1 && a <= DIM && b >= 1 && b <= DIM && a !== b) return { kind: 'pca', axes: [a - 1, b - 1] };
  }
  throw new AnalysisError(
    `lens '${text}' is not one of pca, pca:i,j (two different axes 1..8), codensity, angle, circular, ball`,
    'lens',
  );
}

/** What a lens can be computed from: the core, its PCA, codensity and primary-circle angles, and a circular lens. */
export interface LensInput {
  coords: Float64Array;
  n: number;
  pcaModel: Pca;
  codensity: Float64Array;
  angles: Float64Array;
  /** The circular coordinate of the dominant H1 class (`circularLens`), for the 'circular' lens only. */
  circular?: Float64Array;
}

export function lensValues(lens: Lens, x: LensInput): LensValues {
  if (lens.kind === 'pca' || lens.kind === 'ball') {
    // Ball Mapper has no lens; its nodes still carry their mean position on PC1-2 for the views.
    const axes: [number, number] = lens.kind === 'pca' ? lens.axes : [0, 1];
    return { values: project(x.coords, x.n, x.pcaModel, axes), dim: 2, periods: [null, null] };
  }
  if (lens.kind === 'codensity') return { values: x.codensity, dim: 1, periods: [null] };
  if (lens.kind === 'angle') return { values: x.angles, dim: 1, periods: [TWO_PI] };
  if (!x.circular) throw new AnalysisError('the circular lens needs its circular coordinate', 'lens');
  return { values: x.circular, dim: 1, periods: [TWO_PI] };
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

/**
 * Circle-valued lens from the dominant H1 class. On a witness complex the cocycle lives on the landmarks, so each
 * core point takes the value of its nearest landmark.
 */
export function circularLens(coords: Float64Array, n: number, ph: PersistenceOutcome, modulus: number): Float64Array {
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
