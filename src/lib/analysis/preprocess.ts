import { toDct } from '../tda/dct';

/** A filter that cannot be analysed, named by its position in the input (0-based). */
export class FilterValueError extends Error {
  constructor(
    readonly filter: number,
    readonly position: number,
    message: string,
  ) {
    super(message);
    this.name = 'FilterValueError';
  }
}

export interface Preprocessed {
  nInput: number;
  nNearZero: number;
  nKept: number;
  /** The absolute centred-norm threshold that was applied. */
  normThreshold: number;
  /** Input index of each kept filter. */
  kept: Uint32Array;
  /** Kept filters, centred and scaled to unit norm, nKept x 9. */
  patches: Float64Array;
  /** Their DCT coordinates, nKept x 8: points on S^7. */
  coords: Float64Array;
}

/**
 * Mean-centres each 3x3 filter, drops those whose centred norm is at most `relativeThreshold` times a typical
 * centred norm (the 90th percentile, which stays put even if many filters are dead), scales the rest to unit norm
 * and expresses them in DCT coordinates. Near-zero filters are dropped because their direction is noise; the
 * threshold is relative so that it means the same for any weight scale.
 */
export function preprocess(filters: ArrayLike<number>, relativeThreshold: number): Preprocessed {
  if (filters.length % 9 !== 0)
    throw new RangeError(`filters: expected a multiple of 9 numbers (3x3 filters), got ${filters.length}`);
  if (!(relativeThreshold >= 0 && relativeThreshold < 1))
    throw new RangeError(`normThreshold must be in [0, 1), got ${relativeThreshold}`);
  const nInput = filters.length / 9;
  // Each filter is centred in units of its largest value, so that neither the mean nor the sum of squares can
  // overflow (or underflow) on extreme but finite inputs: the direction on S^7 is exact either way.
  const centred = new Float64Array(nInput * 9);
  const scaledNorms = new Float64Array(nInput);
  const norms = new Float64Array(nInput);
  for (let i = 0; i < nInput; i++) {
    let largest = 0;
    for (let j = 0; j < 9; j++) {
      const v = filters[i * 9 + j];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new FilterValueError(
          i,
          j,
          `filter ${i} (counting from 0), value ${j}: ${String(v)} is not a finite number`,
        );
      largest = Math.max(largest, Math.abs(v));
    }
    if (largest === 0) continue;
    let mean = 0;
    for (let j = 0; j < 9; j++) mean += filters[i * 9 + j] / largest;
    mean /= 9;
    let s = 0;
    for (let j = 0; j < 9; j++) {
      const v = filters[i * 9 + j] / largest - mean;
      centred[i * 9 + j] = v;
      s += v * v;
    }
    scaledNorms[i] = Math.sqrt(s);
    norms[i] = scaledNorms[i] * largest;
    if (!Number.isFinite(norms[i]))
      throw new FilterValueError(i, 0, `filter ${i} (counting from 0): its values are too large (its norm overflows)`);
  }
  const sorted = Float64Array.from(norms).sort();
  const typical = nInput ? sorted[Math.floor(0.9 * (nInput - 1))] : 0;
  const threshold = relativeThreshold * typical;
  const keep: number[] = [];
  for (let i = 0; i < nInput; i++) if (norms[i] > threshold && norms[i] > 0) keep.push(i);
  const nKept = keep.length;
  const patches = new Float64Array(nKept * 9);
  keep.forEach((i, r) => {
    for (let j = 0; j < 9; j++) patches[r * 9 + j] = centred[i * 9 + j] / scaledNorms[i];
  });
  return {
    nInput,
    nNearZero: nInput - nKept,
    nKept,
    normThreshold: threshold,
    kept: Uint32Array.from(keep),
    patches,
    coords: toDct(patches, nKept),
  };
}
