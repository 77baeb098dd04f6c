import { kleinBottlePatch, primaryCirclePatch } from '../../src/lib/tda/patchModels';
import { rng } from '../../src/lib/nn/random';

export { rng };

export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Filters near the primary circle: a share `peakShare` of them at angles clustered round `peak` (an
 * over-represented orientation), the rest at uniform angles; per-pixel noise, random scale and offset, plus
 * uniform-noise outliers.
 */
export function circleSample(
  n: number,
  {
    outliers = 0.2,
    noise = 0.05,
    peak = 1,
    peakShare = 0,
    seed = 7,
  }: { outliers?: number; noise?: number; peak?: number; peakShare?: number; seed?: number } = {},
): { filters: Float64Array; angles: number[] } {
  const random = rng(seed);
  const filters = new Float64Array(n * 9);
  const angles: number[] = [];
  for (let i = 0; i < n; i++) {
    const scale = 0.2 + random();
    const offset = gaussian(random);
    if (random() < outliers) {
      for (let j = 0; j < 9; j++) filters[i * 9 + j] = offset + scale * gaussian(random);
      continue;
    }
    const t = random() < peakShare ? peak + 0.15 * gaussian(random) : 2 * Math.PI * random();
    angles.push(t);
    const patch = primaryCirclePatch(t);
    for (let j = 0; j < 9; j++) filters[i * 9 + j] = offset + scale * (patch[j] + noise * gaussian(random));
  }
  return { filters, angles };
}

/** Patches of the Klein-bottle model at uniform (t1, t2), with a little noise. */
export function kleinSample(
  n: number,
  { noise = 0.01, seed = 11 } = {},
): { filters: Float64Array; t1: number[]; t2: number[] } {
  const random = rng(seed);
  const filters = new Float64Array(n * 9);
  const t1: number[] = [];
  const t2: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.PI * random();
    const b = 2 * Math.PI * random();
    t1.push(a);
    t2.push(b);
    const patch = kleinBottlePatch(a, b);
    for (let j = 0; j < 9; j++) filters[i * 9 + j] = patch[j] + noise * gaussian(random);
  }
  return { filters, t1, t2 };
}
