/** What every input loader of `kleinscope analyze` is: the list and the lookup are in `index.ts`. */
import type { Stats } from 'node:fs';
import type { Source } from '../../lib/result/schema';

export interface LoadOptions {
  layer?: number;
  step?: number;
  /** Models: most filters to take from the layer (a seeded subsample above it), and the seed. */
  maxFilters?: number;
  seed?: number;
}

export interface LoadedFilters {
  /** n*9 numbers, each 3x3 filter row-major. */
  filters: Float64Array | Float32Array;
  source: Source;
  /**
   * A subsampled input: the whole layer, whose rows seededSample(n, taken, seed) are `filters` (the confidence
   * resamples the whole layer with fresh subsamples).
   */
  layer?: () => Promise<Float64Array | Float32Array>;
}

export interface InputLoader {
  name: string;
  /** head: the first bytes of a file (empty for a folder). */
  matches(path: string, stat: Stats, head: Uint8Array): boolean;
  load(path: string, options: LoadOptions): Promise<LoadedFilters>;
}
