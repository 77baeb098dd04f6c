// The optimiser and sampling options of train() (issue 29): the default stays what every earlier training used,
// PyTorch's settings give PyTorch's Adam step and PyTorch-style batches, and a resumed run still ends where an
// uninterrupted one does.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/lib/nn/backends';
import { customArchitecture } from '../../src/lib/nn/architectures';
import { loadMnistNode } from '../../src/lib/nn/datasets/mnistNode';
import { train, normaliseConfig, type Checkpoint, type Snapshot, type TrainConfig } from '../../src/lib/nn/training';
import { EnsembleModel, KERAS_ADAM, PYTORCH_ADAM } from '../../src/lib/nn/ensembleModel';
import { initialState } from '../../src/lib/nn/initialisation';
import { BatchSampler } from '../../src/lib/nn/sampler';
import { manifestSchema, optimiserSettings } from '../../src/lib/nn/manifest';
import type { Dataset } from '../../src/lib/nn/datasets/dataset';

let mnist: Dataset;
const small = customArchitecture({ conv: [4, 2], dense: [16] });

beforeAll(async () => {
  expect((await selectBackend(['cpu'])).name).toBe('cpu');
  mnist = loadMnistNode();
});

const base = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  arch: small,
  dataset: mnist,
  runs: 1,
  steps: 6,
  batchSize: 8,
  snapshots: [3, 6],
  seed: 11,
  evalSize: 20,
  ...over,
});

async function snapshots(config: TrainConfig, resume?: Checkpoint[]) {
  const out: Snapshot[] = [];
  await train(config, { resume, onSnapshot: (s) => void out.push(s) });
  return out;
}

describe('batch sampling', () => {
  it('without replacement visits every image once per epoch; with replacement draws each independently', () => {
    const n = 50;
    const perm = new BatchSampler(n, 3, 'without-replacement');
    const idx = new Int32Array(n);
    for (let s = 0; s < 5; s++) perm.fill(s, 10, idx, s * 10);
    expect([...idx].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));

    const iid = new BatchSampler(n, 3, 'with-replacement');
    const counts = new Array<number>(n).fill(0);
    const batch = new Int32Array(10);
    let repeatsInEpoch = 0;
    for (let s = 0; s < 2000; s++) {
      iid.fill(s, 10, batch);
      batch.forEach((i) => counts[i]++);
      if (s < 5) repeatsInEpoch += 10 - new Set(batch).size;
    }
    // 20,000 draws over 50 images: each about 400 times (sd 20); none out of range.
    expect(Math.min(...counts)).toBeGreaterThan(300);
    expect(Math.max(...counts)).toBeLessThan(500);
    // Ten draws from 50 repeat an image with probability 0.62 per batch; five batches without any is 0.8%.
    expect(repeatsInEpoch).toBeGreaterThan(0);
  });

  it('gives the batch of a step from (seed, step) alone, whatever was asked before', () => {
    for (const sampling of ['without-replacement', 'with-replacement'] as const) {
      const a = new BatchSampler(100, 9, sampling);
      const b = new BatchSampler(100, 9, sampling);
      const first = new Int32Array(16);
      const later = new Int32Array(16);
      for (let s = 0; s < 30; s++) a.fill(s, 16, first);
      a.fill(30, 16, first);
      b.fill(30, 16, later);
      expect(later).toEqual(first);
      const other = new Int32Array(16);
      new BatchSampler(100, 10, sampling).fill(30, 16, other);
      expect(other).not.toEqual(first);
    }
  });
});

describe("Adam's epsilon", () => {
  // One step of the small net on one fixed batch from one start, under the given Adam settings.
  async function oneStep(settings: typeof KERAS_ADAM): Promise<Float32Array[]> {
    const start = initialState(small, 5);
    const model = new EnsembleModel(small, [start], 1e-3, settings);
    const x = tf.tensor4d(
      Float32Array.from(mnist.train.images.subarray(0, 8 * 784), (v) => v / 255),
      [8, 28, 28, 1],
    );
    const y = tf.oneHot(tf.tensor1d(Array.from(mnist.train.labels.subarray(0, 8)), 'int32'), 10).reshape([1, 8, 10]);
    model.trainStep(x, y as tf.Tensor3D).dispose();
    const [after] = await model.states();
    model.dispose();
    x.dispose();
    y.dispose();
    return after.params;
  }

  it('puts epsilon where torch.optim.Adam does: on the bias-corrected sqrt(v)', async () => {
    // PyTorch's step with eps equals the Keras step with eps * sqrt(1 - 0.999^t); at t = 1 that is eps * 0.0316.
    const torchStep = await oneStep({ epsilon: 1e-3, form: 'pytorch' });
    const kerasScaled = await oneStep({ epsilon: 1e-3 * Math.sqrt(1 - 0.999), form: 'keras' });
    const kerasPlain = await oneStep({ epsilon: 1e-3, form: 'keras' });
    const maxDiff = (a: Float32Array[], b: Float32Array[]) =>
      Math.max(...a.map((p, i) => p.reduce((m, v, j) => Math.max(m, Math.abs(v - b[i][j])), 0)));
    expect(maxDiff(torchStep, kerasScaled)).toBeLessThan(1e-7);
    // With an epsilon this large the two forms really differ (weights with small gradients move less in Keras's).
    expect(maxDiff(torchStep, kerasPlain)).toBeGreaterThan(1e-5);
  });

  it('defaults to what every earlier training used, and the old manifests read as such', () => {
    const c = normaliseConfig(base());
    expect([c.adamEpsilon, c.adamForm, c.sampling]).toEqual([1e-7, 'keras', 'without-replacement']);
    expect(PYTORCH_ADAM).toEqual({ epsilon: 1e-8, form: 'pytorch' });
    expect(() => normaliseConfig(base({ adamEpsilon: 0 }))).toThrow(/adamEpsilon must be in \(0, 1\), got 0/);
    expect(() => normaliseConfig(base({ sampling: 'bootstrap' as never }))).toThrow(/sampling must be/);
    expect(() => normaliseConfig(base({ adamForm: 'sgd' as never }))).toThrow(/adamForm must be keras or pytorch/);
    const old = manifestSchema.parse({
      format: 'kleinscope/training@1',
      complete: true,
      createdAt: 'x',
      updatedAt: 'x',
      backend: 'wasm',
      dataset: 'mnist',
      datasetArg: 'mnist',
      architecture: small,
      runs: 1,
      steps: 1,
      batchSize: 1,
      learningRate: 1e-3,
      seed: 0,
      evalSize: 1,
      snapshotSteps: [1],
      snapshots: [],
    });
    expect(optimiserSettings(old)).toEqual({
      adamEpsilon: 1e-7,
      adamForm: 'keras',
      sampling: 'without-replacement',
    });
  });
});

describe('training with the options', () => {
  it('resumes identically under PyTorch settings, which give other kernels than the default', async () => {
    const torch = base({ adamEpsilon: 1e-8, adamForm: 'pytorch', sampling: 'with-replacement' });
    const straight = await snapshots(torch);
    const abort = new AbortController();
    const saved: Checkpoint[] = [];
    await train(torch, {
      signal: abort.signal,
      onCheckpoint: (c) => {
        saved.push(c);
        abort.abort();
      },
    });
    expect(saved.map((c) => c.step)).toEqual([3]);
    const rest = await snapshots(torch, saved);
    expect(rest.map((s) => s.step)).toEqual([6]);
    for (let l = 0; l < 2; l++) expect(rest[0].kernels[l].data).toEqual(straight[1].kernels[l].data);
    // The options change the training: the default (Keras epsilon, permutation) gives other kernels.
    const keras = await snapshots(base());
    expect(keras[1].kernels[0].data).not.toEqual(straight[1].kernels[0].data);
  });
});
