/** A labelled image dataset as plain typed arrays, the form every loader returns and training consumes. */

export interface Split {
  /** count images, each height x width x channels grey or RGB bytes (0-255), row-major, channels last. */
  images: Uint8Array;
  /** One class index per image. */
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  /** 'mnist', 'cifar10', ... as stored in sessions and manifests. */
  name: string;
  /** [height, width, channels] of one image. */
  inputShape: [number, number, number];
  classes: number;
  train: Split;
  test: Split;
}

/** A file that is not what it claims to be. The message says which file and what is wrong with it. */
export class DatasetError extends Error {}

/** Keeps the first `n` images of a split (no copy), e.g. to evaluate on a subset of the test set. */
export function head(split: Split, n: number, pixelsPerImage: number): Split {
  const count = Math.min(n, split.count);
  return {
    images: split.images.subarray(0, count * pixelsPerImage),
    labels: split.labels.subarray(0, count),
    count,
  };
}
