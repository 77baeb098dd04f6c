import { SCHEMA_ID } from '../../src/lib/result/schema';

/** The smallest valid result document; tests clone and break it. */
const hist = { min: 0, max: 1, counts: [1, 2] };
export const minimalDocument = {
  schema: SCHEMA_ID,
  createdAt: '2026-11-24T12:00:00.000Z',
  source: { kind: 'synthetic', dataset: 'circle' },
  preprocessing: {
    nInput: 3,
    nNearZero: 0,
    nKept: 3,
    normThreshold: 0.01,
    coordinates: 'dct8',
    k: 2,
    p: 100,
    nCore: 3,
  },
  mapper: {
    lens: 'pca',
    resolution: 10,
    gain: 3,
    clustering: 'single-linkage',
    nodes: [
      { id: 0, size: 3, members: [0, 1, 2], meanFilter: [0, 0, 0, 1, 1, 1, 0, 0, 0], density: 0.5, lens: [0, 0] },
    ],
    edges: [],
  },
  persistence: { complex: 'rips', modulus: 2, threshold: null, maxDim: 1, nPoints: 3, diagrams: [[[0, null]], []] },
  modelFit: {
    primaryCircle: {
      angles: [0, 1, 2],
      distances: [0, 0, 0],
      angleHistogram: hist,
      distanceHistogram: hist,
      meanDistance: 0,
      shareHorizontalVertical: 0.33,
    },
    kleinBottle: { t1: [0, 0, 0], t2: [0, 0, 0], errors: [0, 0, 0], errorHistogram: hist, meanError: 0 },
  },
  timings: { total: 12 },
};
