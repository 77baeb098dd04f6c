// The benches' seeded generator is the library's own (src/lib/tda/random.ts), so that every run measures the same
// data and no second copy of mulberry32 can drift from the first.
import { importBundle } from './bundle.js';

/** @type {{ seededRandom: (seed: number) => () => number }} */
const lib = await importBundle(`export { seededRandom } from './src/lib/tda/random';`);

/** Uniform numbers in [0, 1) from a seed (mulberry32). */
export const rng = lib.seededRandom;
