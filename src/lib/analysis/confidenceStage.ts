// The confidence stage: resampled barcodes (resampling.ts) read by the one rule (tda/confidence.ts).
import { barLengths, GAP_THRESHOLD, MIN_TAIL, TAIL } from '../tda/barGap';
import { AGREEMENT, dimensionConfidence } from '../tda/confidence';
import type { PersistenceResult } from '../tda/ripsCohomology';
import type { Confidence } from '../result/schema';
import type { ResolvedOptions } from './options';
import { round } from './precision';
import type { Preprocessed } from './preprocess';
import { knn } from '../tda/knn';
import { pooledKnn, pooledKthWithin } from './pooledSearch';
import {
  neighbourCount,
  resampleContext,
  subsampleBound,
  type ResampledBarcode,
  type ResamplePlan,
} from './resampling';
import { DIM } from './precision';
import { inlinePool, runInOrder, type TaskPool } from './taskPool';

/** Subsampled layers: from this many resamples on, their searches are bounded by the layer's (subsampleBound). */
const BOUND_FROM = 10;

/** The ratio's interval covers this share of the resamples. */
export const CONFIDENCE_LEVEL = 0.9;

export const RULE =
  `per resample, a class is a bar whose gap to the next is at least ${GAP_THRESHOLD}x the mean normalised spacing ` +
  `of the ${TAIL} bars below it (fewer bars: the F quantile of the same level; under ${MIN_TAIL}: not judged); ` +
  `significant = the median count over the resamples; undecided when fewer than ` +
  `${Math.round(AGREEMENT * 100)}% of them agree with it`;

const roundOrNull = (x: number | null) => (x === null || !Number.isFinite(x) ? null : round(x));

/**
 * Runs `o.resamples` resamples and returns the confidence of every dimension from 1 up (H0's bars are the merging
 * of clusters, not a shape). `onUpdate` gets the confidence so far after each resample, in resample order. With a
 * pool the resamples run on its threads; each resample's randomness comes from the seed and its index, so the
 * confidence is the same with any pool, or none.
 */
export async function barcodeConfidence(
  full: PersistenceResult,
  pre: Preprocessed,
  plan: ResamplePlan,
  o: ResolvedOptions,
  k: number,
  signal: AbortSignal | undefined,
  onUpdate?: (confidence: Confidence, done: number) => void,
  pool: TaskPool = inlinePool,
): Promise<Confidence | undefined> {
  const dims = Array.from({ length: o.maxDim }, (_, i) => i + 1);
  const fullLengths = dims.map((d) => barLengths(full.diagrams[d] ?? [], full.threshold));
  const lengths: number[][][] = dims.map(() => []);
  let confidence: Confidence | undefined;
  let done = 0;
  const graphLoops: number[] = [];
  const K = neighbourCount(pre.nKept, k);
  // The neighbour lists are only read by the runs and filters units; a large file's are found on the pool.
  const neighbours = async () =>
    pool.size > 1 && pre.nKept > 4000
      ? await pooledKnn(pre.coords, pre.nKept, DIM, K, pool, signal)
      : knn(pre.coords, pre.nKept, DIM, K);
  const context =
    plan.unit === 'subsample'
      ? resampleContext(
          pre,
          plan,
          o,
          k,
          undefined,
          // The bound costs about two resamples' searches and spares each about a third of one: worth it from
          // ten resamples on (measured on the 65,536-filter stand-in layer of the confidence bench).
          o.resamples >= BOUND_FROM
            ? await subsampleBound(plan.layer, plan.taken, k, o.p, (tree, radius) =>
                pooledKthWithin(tree, k, radius, pool, signal),
              )
            : undefined,
        )
      : resampleContext(pre, plan, o, k, await neighbours());
  const indices = Array.from({ length: o.resamples }, (_, b) => b);
  await runInOrder(
    pool,
    'resample',
    context,
    indices,
    (barcode: ResampledBarcode | null) => {
      if (!barcode) return;
      dims.forEach((d, i) => lengths[i].push(barLengths(barcode.diagrams[d] ?? [], Infinity)));
      if (barcode.loops !== null) graphLoops.push(barcode.loops);
      done++;
      confidence = {
        resamples: done,
        unit: plan.unit,
        level: CONFIDENCE_LEVEL,
        rule: RULE,
        ...(graphLoops.length ? { graphLoops: [...graphLoops] } : {}),
        dims: dims.map((d, i) => {
          const c = dimensionConfidence(d, fullLengths[i], lengths[i], CONFIDENCE_LEVEL);
          return {
            dim: d,
            significant: c.significant,
            frequency: c.frequency.map(round),
            agreement: round(c.agreement),
            ratio: {
              value: roundOrNull(c.ratio.value),
              low: roundOrNull(c.ratio.low),
              high: roundOrNull(c.ratio.high),
            },
            lengths: c.lengths.map(({ low, high }) => ({ low: round(low), high: round(high) })),
          };
        }),
      };
      onUpdate?.(confidence, done);
    },
    signal,
  );
  return confidence;
}
