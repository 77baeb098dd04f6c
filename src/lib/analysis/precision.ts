/** The dimension of the point cloud: a centred, normalised 3x3 filter has 8 DCT coordinates (a point on S^7). */
export const DIM = 8;

/** Six significant decimals are far below any effect in the data and keep 100k-filter documents a few MB. */
export const round = (x: number): number => Math.round(x * 1e6) / 1e6;
export const roundAll = (xs: ArrayLike<number>): number[] => Array.from(xs, round);
