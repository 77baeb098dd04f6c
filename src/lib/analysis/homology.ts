// Persistent homology of a density core: Rips on small cores, the lazy witness complex on large ones.
import { ripsPersistence, type PersistenceProgress, type PersistenceResult } from '../tda/ripsCohomology';
import { lazyWitnessPersistence } from '../tda/witness';
import type { ParallelRunner } from '../tda/parallelRunner';
import type { PersistenceSummary } from '../result/schema';
import type { ResolvedOptions } from './options';
import { DIM, round } from './precision';

const WITNESSES_PER_LANDMARK = 10;

export function toBars(diagram: Array<[number, number]>): Array<[number, number | null]> {
  return diagram.map(([b, d]) => [round(b), Number.isFinite(d) ? round(d) : null]);
}

export interface PersistenceOutcome {
  summary: PersistenceSummary;
  result: PersistenceResult;
  /** Witness complex: the witnesses it was built from, and its vertices (indices into them). */
  witness?: { points: Float64Array; n: number; landmarks: Uint32Array };
}

export function persistence(
  coords: Float64Array,
  n: number,
  o: Pick<ResolvedOptions, 'maxDim' | 'modulus' | 'ripsMaxPoints' | 'landmarks' | 'seed'>,
  cocycles: boolean,
  signal: AbortSignal | undefined,
  onFraction?: (fraction: number) => void,
  runner?: ParallelRunner,
): PersistenceOutcome {
  let reported = 0;
  // Each dimension's reduction is an equal share; reports are thinned to whole percents.
  const onProgress = onFraction
    ? (p: PersistenceProgress) => {
        const f = Math.min(1, (p.dim + p.done / Math.max(1, p.total)) / (o.maxDim + 1));
        if (f >= reported + 0.01) onFraction((reported = f));
      }
    : undefined;
  const common = { maxDim: o.maxDim, modulus: o.modulus, cocycles, signal, onProgress };
  if (n <= o.ripsMaxPoints) {
    const result = ripsPersistence({ kind: 'points', n, dim: DIM, coords }, { ...common, runner });
    return {
      result,
      summary: {
        complex: 'rips',
        modulus: o.modulus,
        threshold: Number.isFinite(result.threshold) ? round(result.threshold) : null,
        maxDim: o.maxDim,
        nPoints: n,
        diagrams: result.diagrams.map(toBars),
      },
    };
  }
  // The lazy witness complex costs O(witnesses x landmarks^2). Ten witnesses per landmark are plenty, so a large
  // core lends an evenly strided subset of itself as witnesses (landmarks are picked among them).
  const w = Math.min(n, Math.max(WITNESSES_PER_LANDMARK * o.landmarks, o.ripsMaxPoints));
  let witnesses = coords;
  if (w < n) {
    const chosen = Uint32Array.from({ length: w }, (_, i) => Math.floor((i * n) / w));
    witnesses = new Float64Array(w * DIM);
    chosen.forEach((c, i) => witnesses.set(coords.subarray(c * DIM, c * DIM + DIM), i * DIM));
  }
  const landmarks = Math.min(o.landmarks, w);
  const result = lazyWitnessPersistence(witnesses, w, DIM, { ...common, landmarks, seed: o.seed });
  return {
    result,
    witness: { points: witnesses, n: w, landmarks: result.landmarks },
    summary: {
      complex: 'witness',
      modulus: o.modulus,
      threshold: Number.isFinite(result.threshold) ? round(result.threshold) : null,
      maxDim: o.maxDim,
      // The witnesses: the points the complex was built from.
      nPoints: w,
      landmarks,
      diagrams: result.diagrams.map(toBars),
    },
  };
}
