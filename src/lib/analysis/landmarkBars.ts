/**
 * The longest H1 bar over the next of a layer's density core, by Vietoris-Rips on maxmin landmarks of the core:
 * the measure of the independent layer-2 reference (`shared/notes/layer2-reference.md`). The pipeline's own H1 of a
 * large core is a lazy witness complex; this one is plain Rips on a few hundred landmarks, which the reference
 * computed with Ripser, so the two trainings can be compared by one method.
 */
import { densityCoreSearch } from '../tda/codensity';
import { maxminLandmarks } from '../tda/landmarks';
import { ripsPersistence } from '../tda/ripsCohomology';
import { DIM } from './precision';
import { preprocess } from './preprocess';

export interface LandmarkBarsOptions {
  /** X(k, p). */
  k: number;
  p: number;
  /** Maxmin landmark counts, one Rips computation each. */
  landmarks: number[];
  /** Seeds of the first landmark (maxminLandmarks; 0 = the densest point of the core), one computation each. */
  seeds?: number[];
  /** Near-zero filters dropped as the pipeline drops them (its default is 0.01). */
  normThreshold?: number;
}

export interface LandmarkBars {
  landmarks: number;
  seed: number;
  /** The two longest H1 bars (death - birth); an essential bar counts to the Rips threshold. */
  longest: number;
  next: number;
  /** longest / next (Infinity when there is one bar, NaN with none). */
  ratio: number;
}

export interface LandmarkBarsResult {
  filters: number;
  kept: number;
  core: number;
  bars: LandmarkBars[];
}

/** `filters` is n*9 numbers (3x3 filters in row order), as every analysis takes them. */
export function landmarkBars(filters: ArrayLike<number>, o: LandmarkBarsOptions): LandmarkBarsResult {
  const pre = preprocess(filters, o.normThreshold ?? 0.01);
  const { core } = densityCoreSearch(pre.coords, pre.nKept, DIM, o.k, o.p);
  const coreCoords = new Float64Array(core.length * DIM);
  core.forEach((c, i) => coreCoords.set(pre.coords.subarray(c * DIM, (c + 1) * DIM), i * DIM));
  const bars = o.landmarks.flatMap((count) =>
    (o.seeds ?? [0]).map((seed) => {
      const picked = maxminLandmarks(coreCoords, core.length, DIM, count, seed);
      const coords = new Float64Array(picked.length * DIM);
      picked.forEach((c, i) => coords.set(coreCoords.subarray(c * DIM, (c + 1) * DIM), i * DIM));
      const result = ripsPersistence({ kind: 'points', n: picked.length, dim: DIM, coords }, { maxDim: 1 });
      const lengths = (result.diagrams[1] ?? [])
        .map(([b, d]) => (Number.isFinite(d) ? d : result.threshold) - b)
        .sort((a, b) => b - a);
      const longest = lengths[0] ?? 0;
      const next = lengths[1] ?? 0;
      return { landmarks: picked.length, seed, longest, next, ratio: lengths.length ? longest / next : NaN };
    }),
  );
  return { filters: pre.nInput, kept: pre.nKept, core: core.length, bars };
}
