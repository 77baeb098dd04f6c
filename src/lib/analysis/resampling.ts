/**
 * Reruns the density core and persistent homology on resamples of the input, drawn at the unit that is
 * independent in the data:
 * - `runs`: a pooled training folder (filters of run r, run by run, in equal blocks). Runs are independent
 *   trainings; the filters of one run are not (they were trained together), so runs are drawn with replacement.
 * - `subsample`: a layer with more filters than the analysis takes. Each resample is a fresh subsample of the
 *   whole layer, so the verdict does not rest on one lucky draw.
 * - `filters`: any other file of filters; the filters are drawn with replacement.
 * A unit drawn twice is a weight of 2 on its filters, never a copy, and the resample's core keeps as many distinct
 * points as the full core (see tda/weightedCore.ts for why).
 */
import { coreSize, densityCoreSearch } from '../tda/codensity';
import { knn, type Neighbours } from '../tda/knn';
import { seededRandom } from '../tda/random';
import { abortError } from '../tda/ripsCohomology';
import { weightedDensityCore } from '../tda/weightedCore';
import type { Source } from '../result/schema';
import { persistence } from './homology';
import type { ResolvedOptions } from './options';
import { DIM } from './precision';
import { preprocess, type Preprocessed } from './preprocess';

export type ResampleUnit = 'runs' | 'subsample' | 'filters';

export type ResamplePlan =
  | { unit: 'runs'; runs: number }
  | { unit: 'filters' }
  /** A fresh subsample of the whole layer for each seed (n*9 numbers), as the first one was drawn. */
  | { unit: 'subsample'; draw: (seed: number) => ArrayLike<number> | Promise<ArrayLike<number>> };

/**
 * The unit of a source: runs for a pooled training whose filters split into equal blocks, a fresh subsample when
 * the caller can draw one, filters otherwise.
 */
export function resamplePlan(
  source: Source,
  nFilters: number,
  draw?: (seed: number) => ArrayLike<number> | Promise<ArrayLike<number>>,
): ResamplePlan {
  if (draw && source.subsample) return { unit: 'subsample', draw };
  const runs = source.runs ?? 1;
  if (source.kind === 'training' && runs > 1 && nFilters % runs === 0) return { unit: 'runs', runs };
  return { unit: 'filters' };
}

/** One resample's barcode: per dimension the bars as [birth, death], essential bars ending at the threshold. */
export interface ResampledBarcode {
  diagrams: Array<Array<[number, number]>>;
  nCore: number;
}

function finiteBars(diagrams: Array<Array<[number, number]>>, threshold: number): Array<Array<[number, number]>> {
  return diagrams.map((bars) => bars.map(([b, d]) => [b, Number.isFinite(d) ? d : threshold] as [number, number]));
}

/**
 * Yields the barcodes of `count` resamples, one at a time, so that a caller can report each as it arrives.
 * `pre` is the full input's preprocessing; `k` the codensity's k as the full analysis used it.
 */
export async function* resampledBarcodes(
  pre: Preprocessed,
  plan: ResamplePlan,
  o: ResolvedOptions,
  k: number,
  count: number,
  signal?: AbortSignal,
): AsyncGenerator<ResampledBarcode> {
  const random = seededRandom(o.seed ^ 0x5eed);
  let neighbours: Neighbours | undefined;
  let unitOf: Uint32Array | undefined;
  let units = 0;
  if (plan.unit !== 'subsample') {
    // Up to 2k listed neighbours: a resample leaves out about a third of the units, and the weights of the
    // listed ones must still reach k (weightedDensityCore scans the cloud in the rare case they do not).
    neighbours = knn(pre.coords, pre.nKept, DIM, Math.min(pre.nKept - 1, 2 * k));
    units = plan.unit === 'runs' ? plan.runs : pre.nKept;
    const perRun = pre.nInput / units;
    unitOf = Uint32Array.from(pre.kept, (input, i) => (plan.unit === 'runs' ? Math.floor(input / perRun) : i));
  }
  for (let b = 0; b < count; b++) {
    // Yield to the event loop so that a worker can answer a cancel between resamples.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (signal?.aborted) throw abortError();
    let coords: Float64Array;
    let nCore: number;
    if (plan.unit === 'subsample') {
      const drawn = preprocess(await plan.draw(Math.floor(random() * 2 ** 31)), o.normThreshold);
      if (drawn.nKept < 3) continue;
      const { core } = densityCoreSearch(drawn.coords, drawn.nKept, DIM, Math.min(k, drawn.nKept - 1), o.p);
      coords = gather(drawn.coords, core);
      nCore = core.length;
    } else {
      const weight = new Float64Array(units);
      for (let i = 0; i < units; i++) weight[Math.floor(random() * units)]++;
      const { core } = weightedDensityCore(
        pre.coords,
        DIM,
        neighbours!,
        unitOf!,
        weight,
        k,
        o.p,
        coreSize(pre.nKept, o.p),
      );
      coords = gather(pre.coords, core);
      nCore = core.length;
    }
    if (nCore < 2) continue;
    const ph = persistence(coords, nCore, o, false, signal);
    yield { diagrams: finiteBars(ph.result.diagrams, ph.result.threshold), nCore };
  }
}

function gather(coords: Float64Array, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length * DIM);
  for (let i = 0; i < rows.length; i++) out.set(coords.subarray(rows[i] * DIM, rows[i] * DIM + DIM), i * DIM);
  return out;
}
