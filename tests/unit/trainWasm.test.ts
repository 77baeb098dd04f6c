// Training on the wasm backend gives the cpu backend's numbers: the same losses step by step, ensembles that
// match one-at-a-time training, and checkpoints that resume on the other backend.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../../src/lib/nn/backends';
import { customArchitecture } from '../../src/lib/nn/architectures';
import { loadMnistNode } from '../../src/lib/nn/datasets/mnistNode';
import { train, type Checkpoint, type Snapshot, type TrainConfig } from '../../src/lib/nn/training';
import type { Dataset } from '../../src/lib/nn/datasets/dataset';

let mnist: Dataset;
// Two conv layers with more outputs than 9 x inputs in the first (the patches path of Conv2DBackpropFilter)
// and fewer in the second (the conv path), like mnist-paper, small enough for 50 cpu steps in seconds.
const small = customArchitecture({ conv: [12, 4], dense: [24] });

beforeAll(() => {
  mnist = loadMnistNode();
});

const base = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  arch: small,
  dataset: mnist,
  runs: 1,
  steps: 6,
  batchSize: 8,
  snapshots: [6],
  seed: 11,
  evalSize: 40,
  progressEvery: 1,
  ...over,
});

async function on(backend: BackendName, config: TrainConfig, resume?: Checkpoint[], stopAt?: number) {
  expect((await selectBackend([backend])).name).toBe(backend);
  const losses: number[][] = [];
  const snapshots: Snapshot[] = [];
  const checkpoints: Checkpoint[] = [];
  const abort = new AbortController();
  const result = await train(config, {
    resume,
    signal: abort.signal,
    onStep: (run, _step, loss) => void (losses[run] ??= []).push(loss),
    onSnapshot: (s) => void snapshots.push(s),
    onCheckpoint: (c) => {
      checkpoints.push(c);
      if (c.step === stopAt) abort.abort();
    },
  });
  return { result, losses, snapshots, checkpoints };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

describe('training on wasm', () => {
  it('follows the cpu backend step by step: losses agree to 1e-3 over 50 steps', async () => {
    const config = base({ steps: 50, snapshots: [50], batchSize: 16, learningRate: 5e-3 });
    const cpu = await on('cpu', config);
    const wasm = await on('wasm', config);
    expect(wasm.losses[0]).toHaveLength(50);
    expect(maxDiff(wasm.losses[0], cpu.losses[0])).toBeLessThan(1e-3);
    // It really trained: the loss fell.
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(wasm.losses[0].slice(-10))).toBeLessThan(mean(wasm.losses[0].slice(0, 10)) - 0.1);
    for (let l = 0; l < 2; l++) {
      expect(maxDiff(wasm.snapshots[0].kernels[l].data, cpu.snapshots[0].kernels[l].data)).toBeLessThan(1e-3);
    }
  });

  it('trains an ensemble (one conv stack per run) to the numbers of one run at a time', async () => {
    const config = base({ runs: 3, steps: 4, snapshots: [4] });
    const one = await on('wasm', config);
    const held = tf.engine().backend.numDataIds();
    const together = await on('wasm', { ...config, ensemble: 3 });
    // Nothing the kernels made along the way is left on the wasm heap.
    expect(tf.engine().backend.numDataIds()).toBe(held);
    for (let r = 0; r < 3; r++) {
      expect(maxDiff(together.losses[r], one.losses[r])).toBeLessThan(1e-5);
      for (let l = 0; l < 2; l++) {
        expect(maxDiff(together.snapshots[r].kernels[l].data, one.snapshots[r].kernels[l].data)).toBeLessThan(1e-5);
      }
    }
    expect(maxDiff(together.snapshots[0].kernels[0].data, together.snapshots[1].kernels[0].data)).toBeGreaterThan(1e-3);
  });

  it.each([
    ['wasm', 'cpu'],
    ['cpu', 'wasm'],
  ] as Array<[BackendName, BackendName]>)('resumes on %s from a checkpoint written on %s', async (first, second) => {
    const config = base({ steps: 6, snapshots: [3, 6] });
    const straight = await on(second, config);
    const stopped = await on(first, config, undefined, 3);
    expect(stopped.result.completed).toBe(false);
    expect(stopped.checkpoints.map((c) => c.step)).toEqual([3]);
    const rest = await on(second, config, stopped.checkpoints);
    expect(rest.result.runSteps).toBe(3);
    expect(rest.snapshots.map((s) => s.step)).toEqual([6]);
    expect(maxDiff(rest.losses[0], straight.losses[0].slice(3))).toBeLessThan(1e-5);
    for (let l = 0; l < 2; l++) {
      expect(maxDiff(rest.snapshots[0].kernels[l].data, straight.snapshots[1].kernels[l].data)).toBeLessThan(1e-5);
    }
  });
});
