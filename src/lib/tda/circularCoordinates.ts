/**
 * Circular coordinates (de Silva, Morozov & Vejdemo-Johansson 2011): a persistent H1 class, given by a Z/p
 * cocycle on the Rips complex, becomes a map to the circle. Lift the coefficients to integers in (-p/2, p/2], then
 * find the harmonic representative alpha - delta f by least squares on the 1-skeleton at a scale inside the bar
 * (the graph Laplacian system L f = delta^T alpha, solved by conjugate gradients); f mod 1 is the circle value.
 */

export interface CocycleInput {
  /** Pairs (i, j), i < j, of the cocycle's support. */
  edges: Uint32Array;
  /** Z/p coefficient of each pair, on the orientation i -> j. */
  coefficients: Uint8Array;
}

export interface CircularOptions {
  modulus: number;
  /** Rips scale of the 1-skeleton; must lie in the class's bar [birth, death). */
  scale: number;
  maxIterations?: number;
  tolerance?: number;
}

/** Sparse symmetric graph in compressed rows, for the Laplacian. */
interface Graph {
  offsets: Uint32Array;
  neighbours: Uint32Array;
}

/** The 1-skeleton {i, j : distance(i, j) <= scale} as compressed rows. */
function skeleton(n: number, distance: (i: number, j: number) => number, scale: number): Graph {
  const degree = new Uint32Array(n);
  const pairs: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (distance(i, j) <= scale) {
        pairs.push(i, j);
        degree[i]++;
        degree[j]++;
      }
  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + degree[i];
  const fill = offsets.slice(0, n);
  const neighbours = new Uint32Array(offsets[n]);
  for (let e = 0; e < pairs.length; e += 2) {
    const i = pairs[e];
    const j = pairs[e + 1];
    neighbours[fill[i]++] = j;
    neighbours[fill[j]++] = i;
  }
  return { offsets, neighbours };
}

/** Conjugate gradients for L x = b with L the graph Laplacian (positive semi-definite; b sums to 0 per component). */
export function solveLaplacian(
  graph: Graph,
  b: Float64Array,
  maxIterations: number,
  tolerance: number,
): { x: Float64Array; iterations: number; residual: number } {
  const n = b.length;
  const { offsets, neighbours } = graph;
  const apply = (v: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = (offsets[i + 1] - offsets[i]) * v[i];
      for (let e = offsets[i]; e < offsets[i + 1]; e++) s -= v[neighbours[e]];
      out[i] = s;
    }
  };
  const x = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const ap = new Float64Array(n);
  let rr = 0;
  for (let i = 0; i < n; i++) rr += r[i] * r[i];
  const stop = tolerance * tolerance * Math.max(rr, 1e-300);
  let it = 0;
  for (; it < maxIterations && rr > stop; it++) {
    apply(p, ap);
    let pap = 0;
    for (let i = 0; i < n; i++) pap += p[i] * ap[i];
    if (!(pap > 0)) break;
    const a = rr / pap;
    let next = 0;
    for (let i = 0; i < n; i++) {
      x[i] += a * p[i];
      r[i] -= a * ap[i];
      next += r[i] * r[i];
    }
    const beta = next / rr;
    rr = next;
    for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
  }
  return { x, iterations: it, residual: Math.sqrt(rr) };
}

/** Circle value of every point of a Euclidean cloud (n x dim), in radians [0, 2pi). */
export function circularCoordinates(
  points: ArrayLike<number>,
  n: number,
  dim: number,
  cocycle: CocycleInput,
  options: CircularOptions,
): Float64Array {
  const distance = (i: number, j: number) => {
    let d = 0;
    for (let t = 0; t < dim; t++) {
      const x = points[i * dim + t] - points[j * dim + t];
      d += x * x;
    }
    return Math.sqrt(d);
  };
  return circularFromSkeleton(n, skeleton(n, distance, options.scale), cocycle, options);
}

/** The same for a filtration given as a lower-triangular matrix (d(1,0), d(2,0), d(2,1), ...), e.g. a witness complex. */
export function circularCoordinatesOfMatrix(
  lower: ArrayLike<number>,
  n: number,
  cocycle: CocycleInput,
  options: CircularOptions,
): Float64Array {
  const distance = (i: number, j: number) => lower[(j * (j - 1)) / 2 + i];
  return circularFromSkeleton(n, skeleton(n, distance, options.scale), cocycle, options);
}

/** Points the 1-skeleton leaves isolated get 0. */
function circularFromSkeleton(n: number, graph: Graph, cocycle: CocycleInput, options: CircularOptions): Float64Array {
  const p = options.modulus;
  // b = delta^T alpha: each oriented edge i -> j adds alpha to j and takes it from i.
  const b = new Float64Array(n);
  const inSkeleton = (i: number, j: number) => {
    for (let e = graph.offsets[i]; e < graph.offsets[i + 1]; e++) if (graph.neighbours[e] === j) return true;
    return false;
  };
  for (let e = 0; e < cocycle.coefficients.length; e++) {
    const i = cocycle.edges[2 * e];
    const j = cocycle.edges[2 * e + 1];
    const c = cocycle.coefficients[e] % p;
    const lifted = c > p / 2 ? c - p : c;
    if (lifted === 0 || !inSkeleton(i, j)) continue;
    b[j] += lifted;
    b[i] -= lifted;
  }
  const { x } = solveLaplacian(graph, b, options.maxIterations ?? 2000, options.tolerance ?? 1e-10);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const frac = x[i] - Math.floor(x[i]);
    out[i] = (frac * 2 * Math.PI) % (2 * Math.PI);
  }
  return out;
}
