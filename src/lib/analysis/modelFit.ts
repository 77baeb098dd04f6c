// The document's model fit: each core filter against the primary circle and the Klein bottle, with histograms.
import type { CircleFit, KleinFit } from '../tda/patchModels';
import type { ModelFit } from '../result/schema';
import { histogram } from './histogram';
import { round, roundAll } from './precision';

const TWO_PI = 2 * Math.PI;

function mean(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : 0;
}

/** Share of angles within pi/12 of a horizontal or vertical edge (a multiple of pi/2). */
export function shareNearAxes(angles: Float64Array): number {
  if (angles.length === 0) return 0;
  let near = 0;
  for (const a of angles) {
    const off = Math.abs(a - (Math.PI / 2) * Math.round(a / (Math.PI / 2)));
    if (off <= Math.PI / 12) near++;
  }
  return near / angles.length;
}

export function modelFitDocument(circle: CircleFit, klein: KleinFit): ModelFit {
  return {
    primaryCircle: {
      angles: roundAll(circle.angles),
      distances: roundAll(circle.distances),
      angleHistogram: histogram(circle.angles, 36, 0, TWO_PI),
      distanceHistogram: histogram(circle.distances, 20, 0, 2),
      meanDistance: round(mean(circle.distances)),
      shareHorizontalVertical: round(shareNearAxes(circle.angles)),
    },
    kleinBottle: {
      t1: roundAll(klein.t1),
      t2: roundAll(klein.t2),
      errors: roundAll(klein.errors),
      errorHistogram: histogram(klein.errors, 20, 0, 2),
      meanError: round(mean(klein.errors)),
    },
  };
}
