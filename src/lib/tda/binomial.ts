/**
 * Binomial coefficients for the combinatorial number system: a k-simplex {v_k > ... > v_0} has the index
 * sum_i C(v_i, i + 1). Indices are JS numbers, exact only below 2^53, so the table refuses to be built when the
 * largest index it could produce is not exact.
 */
export class BinomialTable {
  readonly values: Float64Array;
  readonly stride: number;

  /** C(v, k) for 0 <= v <= n and 0 <= k <= maxK. */
  constructor(
    readonly n: number,
    readonly maxK: number,
  ) {
    this.stride = n + 1;
    const b = (this.values = new Float64Array((maxK + 1) * (n + 1)));
    for (let v = 0; v <= n; v++) {
      b[v] = 1;
      for (let k = 1; k <= maxK; k++) {
        const x = v === 0 ? 0 : b[(k - 1) * this.stride + v - 1] + b[k * this.stride + v - 1];
        if (x > Number.MAX_SAFE_INTEGER) throw new IndexOverflowError(n, k);
        b[k * this.stride + v] = x;
      }
    }
  }

  get(v: number, k: number): number {
    return this.values[k * this.stride + v];
  }
}

export class IndexOverflowError extends RangeError {
  constructor(n: number, k: number) {
    super(
      `simplex indices overflow: ${n} points need C(${n}, ${k}) > 2^53 for ${k - 1}-simplices; ` +
        'use a lower dimension, fewer points (a witness complex) or a threshold',
    );
    this.name = 'IndexOverflowError';
  }
}

/** C(n, k) as a float, for estimates where exactness does not matter. */
export function binomialApprox(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}
