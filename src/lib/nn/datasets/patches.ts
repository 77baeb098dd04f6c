/**
 * The user's own photos as a point cloud of high-contrast 3x3 patches, following Lee-Pedersen-Mumford and
 * Carlsson-Ishkhanov-de Silva-Zomorodian (2008): take log intensities, sample 3x3 patches, keep the top 20% of
 * each image by D-norm contrast, then subtract each patch's mean and divide by its D-norm. The result sits in the
 * same R^9 as a conv layer's filters, so the analysis pipeline can compare learned filters with image statistics.
 * Decoding image files to grey levels is the UI's job; this takes the pixels.
 */
import { rng, mix } from '../random';
import { DatasetError } from './dataset';

export interface GreyImage {
  width: number;
  height: number;
  /** width*height grey levels (e.g. 0-255), row-major. */
  pixels: ArrayLike<number>;
  name?: string;
}

export interface PatchOptions {
  /** Random patches drawn from each image before the contrast cut (the 2008 paper drew 5,000). */
  samplesPerImage?: number;
  /** Share of each image's patches kept, highest contrast first (0.2 in the paper). */
  topShare?: number;
  seed?: number;
}

/** The 12 pairs of 4-neighbours in a 3x3 patch; the D-norm is sqrt(sum over them of (x_i - x_j)^2). */
const NEIGHBOURS: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  [1, 2],
  [3, 4],
  [4, 5],
  [6, 7],
  [7, 8],
  [0, 3],
  [3, 6],
  [1, 4],
  [4, 7],
  [2, 5],
  [5, 8],
];

/** D-norm contrast of a 3x3 patch stored row-major from `at` (the norm of its discrete gradient). */
export function dNorm(patch: ArrayLike<number>, at = 0): number {
  let s = 0;
  for (const [i, j] of NEIGHBOURS) {
    const d = patch[at + i] - patch[at + j];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Returns n*9 floats: the kept patches, each mean-centred with unit D-norm, image by image. */
export function highContrastPatches(images: GreyImage[], options: PatchOptions = {}): Float32Array {
  const samples = options.samplesPerImage ?? 5000;
  const topShare = options.topShare ?? 0.2;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(samples) || samples < 1) throw new DatasetError('samplesPerImage must be a positive integer');
  if (!(topShare > 0 && topShare <= 1)) throw new DatasetError('topShare must be in (0, 1]');
  const kept: Float32Array[] = [];
  images.forEach((img, index) => {
    const label = img.name ?? `image ${index + 1}`;
    const { width, height, pixels } = img;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 3 || height < 3) {
      throw new DatasetError(`${label}: ${width}x${height} is too small for 3x3 patches`);
    }
    if (pixels.length !== width * height) {
      throw new DatasetError(`${label}: ${pixels.length} pixels for a ${width}x${height} image`);
    }
    const log = new Float64Array(width * height);
    for (let i = 0; i < log.length; i++) {
      const v = pixels[i];
      if (!(v >= 0) || !Number.isFinite(v))
        throw new DatasetError(`${label}: pixel ${i} is ${v}, not a grey level >= 0`);
      // log(1 + v): the paper's log intensity, kept finite on black pixels.
      log[i] = Math.log1p(v);
    }
    const random = rng(mix(seed, index));
    const drawn = new Float64Array(samples * 9);
    const contrast = new Float64Array(samples);
    for (let s = 0; s < samples; s++) {
      const x = Math.floor(random() * (width - 2));
      const y = Math.floor(random() * (height - 2));
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) drawn[s * 9 + r * 3 + c] = log[(y + r) * width + x + c];
      contrast[s] = dNorm(drawn, s * 9);
    }
    const order = Array.from(contrast.keys()).sort((a, b) => contrast[b] - contrast[a]);
    const take = order.slice(0, Math.max(1, Math.round(samples * topShare))).filter((s) => contrast[s] > 0);
    const out = new Float32Array(take.length * 9);
    take.forEach((s, k) => {
      let mean = 0;
      for (let i = 0; i < 9; i++) mean += drawn[s * 9 + i];
      mean /= 9;
      for (let i = 0; i < 9; i++) out[k * 9 + i] = (drawn[s * 9 + i] - mean) / contrast[s];
    });
    kept.push(out);
  });
  const total = kept.reduce((n, k) => n + k.length, 0);
  const all = new Float32Array(total);
  let at = 0;
  for (const k of kept) {
    all.set(k, at);
    at += k.length;
  }
  return all;
}
