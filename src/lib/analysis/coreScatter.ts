// The core's filters themselves as a 2-D scatter (the TensorFlow Projector's view of an embedding): one point per
// core filter, on the first two principal components of its DCT coordinates when the filters are at hand (the lab,
// or a document that kept its core's filters), and otherwise on the two numbers every document keeps per core
// filter: its angle on the primary circle and its distance to that circle.
import { preprocess } from './preprocess';
import { pca, project } from '../tda/pca';

export interface ScatterAxes {
  kind: 'pca' | 'circle';
  /** Axis titles, x then y. */
  labels: [string, string];
  /** n x 2, row-major. */
  xy: Float64Array;
  n: number;
  /** Share of the variance each PCA axis explains (absent for the circle axes). */
  explained?: [number, number];
}

/** PC1-PC2 of the core's DCT coordinates; null when the filters do not match the core (a zero filter among them). */
export function pcaScatter(coreFilters: ArrayLike<number>): ScatterAxes | null {
  const n = coreFilters.length / 9;
  const pre = preprocess(coreFilters, 0);
  if (pre.nKept !== n || n < 3) return null;
  const model = pca(pre.coords, n, 8);
  const total = model.variances.reduce((a, b) => a + b, 0) || 1;
  return {
    kind: 'pca',
    labels: ['PC1 of the DCT coordinates', 'PC2'],
    xy: project(pre.coords, n, model, [0, 1]),
    n,
    explained: [model.variances[0]! / total, model.variances[1]! / total],
  };
}

/** Primary-circle angle (x, radians) against the distance to the circle (y), from the document's model fit. */
export function circleScatter(angles: readonly number[], distances: readonly number[]): ScatterAxes {
  const n = Math.min(angles.length, distances.length);
  const xy = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    xy[2 * i] = angles[i]!;
    xy[2 * i + 1] = distances[i]!;
  }
  return { kind: 'circle', labels: ['angle on the primary circle (radians)', 'distance to the circle'], xy, n };
}

/** The nodes (positions in `nodes`) that hold core point `point`. */
export function nodesHolding(nodes: ReadonlyArray<{ members: readonly number[] }>, point: number): number[] {
  const out: number[] = [];
  nodes.forEach((node, i) => {
    if (node.members.includes(point)) out.push(i);
  });
  return out;
}
