/**
 * From conv kernels to the point cloud the paper studies: a 3x3xC kernel with F outputs holds C*F spatial 3x3
 * filters, one per (input channel, output) pair, each a point in R^9. Pooling a layer over many runs gives the
 * data set (100 trainings x 64 first-layer filters = 6,400 points in the paper).
 */
import type { ConvKernel } from './training';

/** Number of 3x3 spatial filters in a [3, 3, cin, cout] kernel. */
export const filterCount = (k: Pick<ConvKernel, 'shape'>) => k.shape[2] * k.shape[3];

/**
 * Appends kernel's spatial filters to out from offset `at` (row-major 3x3, so value (i, j) is at 3i + j),
 * ordered by output then input channel. Returns the offset after the last one written.
 */
export function writeSpatialFilters(kernel: Pick<ConvKernel, 'shape' | 'data'>, out: Float32Array, at: number): number {
  const [kh, kw, cin, cout] = kernel.shape;
  if (kh !== 3 || kw !== 3) throw new Error(`kernel is ${kh}x${kw}; only 3x3 kernels give points in R^9`);
  if (kernel.data.length !== 9 * cin * cout)
    throw new Error(`kernel has ${kernel.data.length} values for [${kernel.shape}]`);
  for (let o = 0; o < cout; o++) {
    for (let c = 0; c < cin; c++) {
      for (let p = 0; p < 9; p++) out[at + p] = kernel.data[(p * cin + c) * cout + o];
      at += 9;
    }
  }
  return at;
}

/**
 * The spatial filters of conv layer `layer` (counting from 1) pooled over the given snapshots (normally every
 * run at one step), as n*9 floats. Throws if a snapshot lacks that layer.
 */
export function spatialFilters(snapshots: Array<{ run: number; kernels: ConvKernel[] }>, layer: number): Float32Array {
  const kernels = snapshots.map((s) => {
    const k = s.kernels.find((q) => q.layer === layer);
    if (!k) throw new Error(`run ${s.run} has no conv layer ${layer} (it has ${s.kernels.length})`);
    return k;
  });
  const out = new Float32Array(kernels.reduce((n, k) => n + 9 * filterCount(k), 0));
  let at = 0;
  for (const k of kernels) at = writeSpatialFilters(k, out, at);
  return out;
}
