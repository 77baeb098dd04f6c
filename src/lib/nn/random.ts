/**
 * Seeded randomness for training. Everything a run draws (initial weights, the order of examples) comes from
 * here, in plain JavaScript, so a run is the same on every backend and can be replayed from its seed alone.
 */

/** mulberry32 (shared with the analysis): floats in [0, 1), good enough for shuffling and initialisation. */
export { seededRandom as rng } from '../tda/random';

/** Mixes several integers into one 32-bit seed, so (seed, run, epoch) streams never overlap by accident. */
export function mix(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/** Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, random: () => number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** Glorot (Xavier) uniform initialisation, the Keras default for conv and dense layers. */
export function glorotUniform(size: number, fanIn: number, fanOut: number, random: () => number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (random() * 2 - 1) * limit;
  return out;
}
