import { describe, expect, it } from 'vitest';
import {
  MAX_TRAINING_WORKERS,
  shareRuns,
  trainingWorkerCount,
  wasmThreadsFor,
} from '../../src/lib/lab/trainingWorkers';

const MNIST = 10_000 * 28 * 28 * 4;
const CIFAR = 60_000 * 32 * 32 * 3 * 4;

describe('training workers in the lab', () => {
  it('gives each spare core a worker on a CPU backend, and one to a GPU', () => {
    const count = (backend: 'wasm' | 'cpu' | 'webgl' | 'webgpu', cores: number | undefined, runs = 30) =>
      trainingWorkerCount({ backend, cores, runs, datasetBytes: MNIST });
    expect([1, 2, 4, 8].map((c) => count('wasm', c))).toEqual([1, 1, 3, 7]);
    expect(count('cpu', 4)).toBe(3);
    expect(count('webgpu', 16)).toBe(1);
    expect(count('webgl', 16)).toBe(1);
    // Capped: by the runs, by a fixed number (each worker holds its own tfjs and dataset), and by memory.
    expect(count('wasm', 8, 2)).toBe(2);
    expect(count('wasm', 64)).toBe(MAX_TRAINING_WORKERS);
    expect(trainingWorkerCount({ backend: 'wasm', cores: 16, runs: 30, datasetBytes: CIFAR })).toBe(1);
    // A browser that reports nothing usable gets one worker.
    expect([undefined, 0, NaN, -3].map((c) => count('wasm', c))).toEqual([1, 1, 1, 1]);
  });

  it('keeps XNNPACK to one thread where runs may be shared among workers', () => {
    expect(wasmThreadsFor(2)).toBeUndefined();
    expect(wasmThreadsFor(4)).toBe(false);
    expect(wasmThreadsFor(undefined)).toBeUndefined();
  });

  it('shares the runs in contiguous, even parts that cover each run once', () => {
    expect(shareRuns(7, 3)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5, 6],
    ]);
    expect(shareRuns(2, 4)).toEqual([[0], [1]]);
    expect(shareRuns(5, 1)).toEqual([[0, 1, 2, 3, 4]]);
    for (const [runs, workers] of [
      [30, 7],
      [100, 8],
      [1, 1],
    ]) {
      const parts = shareRuns(runs, workers);
      expect(parts.flat()).toEqual(Array.from({ length: runs }, (_, r) => r));
      const sizes = parts.map((p) => p.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});
