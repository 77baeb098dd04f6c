import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/lib/nn/backends';
import {
  customArchitecture,
  getArchitecture,
  ArchitectureError,
  mnistPaper,
  cifarPaper,
} from '../../src/lib/nn/architectures';
import { loadMnistNode } from '../../src/lib/nn/datasets/mnistNode';
import {
  train,
  normaliseConfig,
  TrainingConfigError,
  type Checkpoint,
  type Snapshot,
  type TrainConfig,
} from '../../src/lib/nn/training';
import { spatialFilters } from '../../src/lib/nn/kernels';
import type { Dataset } from '../../src/lib/nn/datasets/dataset';

let mnist: Dataset;
// A small net keeps these real trainings to seconds on the pure-JS cpu backend.
const small = customArchitecture({ conv: [8, 4], dense: [32] });

beforeAll(async () => {
  expect((await selectBackend(['cpu'])).name).toBe('cpu');
  mnist = loadMnistNode();
});

const base = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  arch: small,
  dataset: mnist,
  runs: 1,
  steps: 4,
  batchSize: 8,
  snapshots: [4],
  seed: 7,
  evalSize: 50,
  progressEvery: 1,
  ...over,
});

async function collect(config: TrainConfig, resume?: Checkpoint[]) {
  const snapshots: Snapshot[] = [];
  const checkpoints: Checkpoint[] = [];
  const losses: number[] = [];
  const result = await train(config, {
    resume,
    onStep: (_run, _step, loss) => void losses.push(loss),
    onSnapshot: (s) => void snapshots.push(s),
    onCheckpoint: (c) => void checkpoints.push(c),
  });
  return { result, snapshots, checkpoints, losses };
}

describe('training', () => {
  it('lowers the loss and moves the kernels of mnist-paper', async () => {
    const { snapshots, losses, result } = await collect(
      base({ arch: mnistPaper, steps: 12, batchSize: 16, snapshots: [0, 12], learningRate: 3e-3 }),
    );
    expect(result.completed).toBe(true);
    expect(losses).toHaveLength(12);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(0, 4)) - 0.05);
    const [before, after] = snapshots;
    expect(before.step).toBe(0);
    expect(after.step).toBe(12);
    expect(after.kernels.map((k) => k.shape)).toEqual([
      [3, 3, 1, 64],
      [3, 3, 64, 8],
    ]);
    for (const l of [0, 1]) {
      let moved = 0;
      before.kernels[l].data.forEach((v, i) => (moved = Math.max(moved, Math.abs(v - after.kernels[l].data[i]))));
      expect(moved).toBeGreaterThan(1e-3);
    }
    expect(after.accuracy).toBeGreaterThan(0);
    expect(after.accuracy).toBeLessThanOrEqual(1);
  });

  it('is deterministic given the seed, and a batched ensemble matches one-at-a-time', async () => {
    const cfg = base({ runs: 3, steps: 3, snapshots: [3] });
    const one = await collect(cfg);
    const again = await collect(cfg);
    const batched = await collect({ ...cfg, ensemble: 3 });
    expect(one.snapshots.map((s) => s.run)).toEqual([0, 1, 2]);
    expect(batched.snapshots.map((s) => s.run)).toEqual([0, 1, 2]);
    for (let r = 0; r < 3; r++) {
      expect(again.snapshots[r].kernels[0].data).toEqual(one.snapshots[r].kernels[0].data);
      const a = one.snapshots[r].kernels[1].data;
      const b = batched.snapshots[r].kernels[1].data;
      let diff = 0;
      a.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - b[i]))));
      expect(diff).toBeLessThan(1e-5);
    }
    // Different runs really are different trainings.
    expect(one.snapshots[0].kernels[0].data).not.toEqual(one.snapshots[1].kernels[0].data);
  });

  it('resumes an interrupted run from its checkpoint exactly where it stopped', async () => {
    const cfg = base({ steps: 6, snapshots: [3, 6] });
    const straight = await collect(cfg);
    const abort = new AbortController();
    const saved: Checkpoint[] = [];
    const first = await train(cfg, {
      signal: abort.signal,
      onCheckpoint: (c) => {
        saved.push(c);
        abort.abort(); // the tab closes right after the step-3 checkpoint reached storage
      },
    });
    expect(first.completed).toBe(false);
    expect(saved.map((c) => c.step)).toEqual([3]);
    const rest = await collect(cfg, saved);
    expect(rest.result.completed).toBe(true);
    expect(rest.result.runSteps).toBe(3);
    expect(rest.snapshots.map((s) => s.step)).toEqual([6]);
    const a = straight.snapshots[1].kernels;
    const b = rest.snapshots[0].kernels;
    for (let l = 0; l < 2; l++) {
      let diff = 0;
      a[l].data.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - b[l].data[i]))));
      expect(diff).toBeLessThan(1e-6);
    }
    // A run already at the last step is not trained again.
    const none = await collect(cfg, rest.checkpoints);
    expect(none.result.runSteps).toBe(0);
  });

  it('refuses bad configurations with a clear message', () => {
    expect(() => getArchitecture('vgg16')).toThrow(/unknown architecture 'vgg16'; known: mnist-paper, cifar-paper/);
    expect(() => customArchitecture({ conv: [8, 8, 8, 8] })).toThrow(ArchitectureError);
    expect(() => customArchitecture({ conv: [0] })).toThrow(/positive filter counts/);
    expect(() => normaliseConfig(base({ snapshots: [5] }))).toThrow(
      /snapshot step 5 is not an integer from 0 to steps \(4\)/,
    );
    expect(() => normaliseConfig(base({ runs: 0 }))).toThrow(/runs must be an integer from 1/);
    expect(() => normaliseConfig(base({ batchSize: 2.5 }))).toThrow(/batchSize/);
    expect(() => normaliseConfig(base({ learningRate: -1 }))).toThrow(/learningRate/);
    expect(() => normaliseConfig(base({ arch: cifarPaper }))).toThrow(TrainingConfigError);
    expect(() => normaliseConfig(base({ arch: cifarPaper }))).toThrow(
      /takes 32x32x3 images but dataset mnist has 28x28x1/,
    );
    const cp: Checkpoint = { run: 0, seed: 1, step: 2, params: [], adamM: [], adamV: [] };
    return expect(train(base(), { resume: [cp] })).rejects.toThrow(/checkpoint of run 0: seed does not match/);
  });
});

describe('spatialFilters', () => {
  it('turns [3,3,cin,cout] kernels into one row-major 3x3 filter per (input, output) pair, pooled over runs', () => {
    const cin = 2;
    const cout = 3;
    const data = new Float32Array(9 * cin * cout);
    // value encodes (pixel p, input c, output o) so the layout can be read back.
    for (let p = 0; p < 9; p++)
      for (let c = 0; c < cin; c++)
        for (let o = 0; o < cout; o++) data[(p * cin + c) * cout + o] = 100 * o + 10 * c + p;
    const kernel = { layer: 1, shape: [3, 3, cin, cout] as [number, number, number, number], data };
    const f = spatialFilters(
      [
        { run: 0, kernels: [kernel] },
        { run: 1, kernels: [kernel] },
      ],
      1,
    );
    expect(f.length).toBe(2 * cin * cout * 9);
    // Filter index o*cin + c holds pixels 0..8 of (c, o).
    expect(Array.from(f.subarray(9 * (2 * cin + 1), 9 * (2 * cin + 2)))).toEqual([
      210, 211, 212, 213, 214, 215, 216, 217, 218,
    ]);
    expect(() => spatialFilters([{ run: 4, kernels: [kernel] }], 2)).toThrow(/run 4 has no conv layer 2/);
  });
});
