// How the lab shares a training's runs among training workers. tfjs trains on one core per worker on the CPU
// backends (wasm's own threads were slower than a single thread on two cores, see the README's Benchmarks), and
// runs are independent, so on a CPU backend each spare core gets a worker and its share of the runs; the page and
// the analysis worker keep one core. A GPU backend (webgpu, webgl) is one device that an ensemble already keeps
// busy: one worker. Each run has its own seed, so which worker trains it changes nothing in its numbers.
import type { BackendName } from '../nn/backends';
import { splitRuns } from '../nn/runShares';

/** Each worker holds its own tfjs, wasm heap and decoded dataset. */
export const MAX_TRAINING_WORKERS = 8;
/** What the workers' copies of the dataset may take together (CIFAR-10's 60,000 images are 737 MB as float32). */
const DATASET_BUDGET_BYTES = 1 << 30;

export interface WorkerCountInput {
  backend: BackendName;
  /** navigator.hardwareConcurrency (logical cores); anything not a positive number counts as one. */
  cores: number | undefined;
  runs: number;
  /** The decoded dataset's size in one worker (images x pixels x 4 bytes). */
  datasetBytes: number;
}

/** How many training workers share the runs: one per spare core on a CPU backend, one on a GPU. */
export function trainingWorkerCount({ backend, cores, runs, datasetBytes }: WorkerCountInput): number {
  if (backend === 'webgpu' || backend === 'webgl') return 1;
  const logical = typeof cores === 'number' && Number.isFinite(cores) && cores >= 1 ? Math.floor(cores) : 1;
  const byMemory = datasetBytes > 0 ? Math.floor(DATASET_BUDGET_BYTES / datasetBytes) : MAX_TRAINING_WORKERS;
  return Math.max(1, Math.min(logical - 1, MAX_TRAINING_WORKERS, runs, byMemory));
}

/**
 * XNNPACK's own threads for the lab's wasm workers: none where the runs may be shared among several workers
 * (threads would only compete with the other workers for the same cores); the worker's default otherwise.
 */
export const wasmThreadsFor = (cores: number | undefined): false | undefined =>
  trainingWorkerCount({ backend: 'wasm', cores, runs: Infinity, datasetBytes: 0 }) > 1 ? false : undefined;

/** Runs 0..runs-1 in `workers` contiguous shares, each listed run by run (splitRuns, as `kleinscope train --workers`). */
export function shareRuns(runs: number, workers: number): number[][] {
  return splitRuns(runs, workers).map(([a, b]) => Array.from({ length: b - a }, (_, k) => a + k));
}
