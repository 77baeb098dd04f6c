/** Principal components of a point cloud, by Jacobi rotations on the (small) covariance matrix. */
export interface Pca {
  dim: number;
  mean: Float64Array;
  /** dim x dim, row c is the c-th principal axis (unit length), by decreasing variance. */
  components: Float64Array;
  /** Variance along each axis, decreasing. */
  variances: Float64Array;
}

/** Eigen-decomposition of a symmetric matrix (row-major, dim x dim); returns eigenvectors as rows. */
export function symmetricEigen(matrix: Float64Array, dim: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) v[i * dim + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < dim; i++) for (let j = i + 1; j < dim; j++) off += a[i * dim + j] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < dim; p++)
      for (let q = p + 1; q < dim; q++) {
        const apq = a[p * dim + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * dim + q] - a[p * dim + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < dim; k++) {
          const akp = a[k * dim + p];
          const akq = a[k * dim + q];
          a[k * dim + p] = c * akp - s * akq;
          a[k * dim + q] = s * akp + c * akq;
        }
        for (let k = 0; k < dim; k++) {
          const apk = a[p * dim + k];
          const aqk = a[q * dim + k];
          a[p * dim + k] = c * apk - s * aqk;
          a[q * dim + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < dim; k++) {
          const vkp = v[k * dim + p];
          const vkq = v[k * dim + q];
          v[k * dim + p] = c * vkp - s * vkq;
          v[k * dim + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: dim }, (_, i) => i).sort((x, y) => a[y * dim + y] - a[x * dim + x]);
  const values = new Float64Array(dim);
  const vectors = new Float64Array(dim * dim);
  order.forEach((col, r) => {
    values[r] = a[col * dim + col];
    // Fix the sign so the largest entry is positive: results do not flip between runs or machines.
    let big = 0;
    for (let k = 0; k < dim; k++) if (Math.abs(v[k * dim + col]) > Math.abs(big)) big = v[k * dim + col];
    const s = big < 0 ? -1 : 1;
    for (let k = 0; k < dim; k++) vectors[r * dim + k] = s * v[k * dim + col];
  });
  return { values, vectors };
}

export function pca(points: ArrayLike<number>, n: number, dim: number): Pca {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += points[i * dim + d];
  if (n > 0) for (let d = 0; d < dim; d++) mean[d] /= n;
  const cov = new Float64Array(dim * dim);
  const x = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) x[d] = points[i * dim + d] - mean[d];
    for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) cov[a * dim + b] += x[a] * x[b];
  }
  const scale = n > 1 ? 1 / (n - 1) : 1;
  for (let a = 0; a < dim; a++)
    for (let b = a; b < dim; b++) {
      cov[a * dim + b] *= scale;
      cov[b * dim + a] = cov[a * dim + b];
    }
  const { values, vectors } = symmetricEigen(cov, dim);
  for (let i = 0; i < dim; i++) values[i] = Math.max(0, values[i]);
  return { dim, mean, components: vectors, variances: values };
}

/** Coordinates of every point on the chosen principal axes (0-based), n x axes.length. */
export function project(points: ArrayLike<number>, n: number, model: Pca, axes: readonly number[]): Float64Array {
  const { dim, mean, components } = model;
  const out = new Float64Array(n * axes.length);
  for (let i = 0; i < n; i++)
    axes.forEach((axis, j) => {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (points[i * dim + d] - mean[d]) * components[axis * dim + d];
      out[i * axes.length + j] = s;
    });
  return out;
}
