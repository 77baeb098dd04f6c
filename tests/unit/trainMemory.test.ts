// WebGL training warned "High memory usage in GPU, most likely due to a memory leak": every tensor a step or a
// snapshot makes must be disposed. The count is backend-independent, so the cpu backend checks it in Node.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/lib/nn/backends';
import { customArchitecture } from '../../src/lib/nn/architectures';
import { loadMnistNode } from '../../src/lib/nn/datasets/mnistNode';
import { initialState, train, type TrainConfig } from '../../src/lib/nn/training';
import { EnsembleModel } from '../../src/lib/nn/ensembleModel';
import type { Dataset } from '../../src/lib/nn/datasets/dataset';

let mnist: Dataset;
const small = customArchitecture({ conv: [4, 4], dense: [16] });

beforeAll(async () => {
  expect((await selectBackend(['cpu'])).name).toBe('cpu');
  mnist = loadMnistNode();
});

const config = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  arch: small,
  dataset: mnist,
  runs: 2,
  steps: 8,
  batchSize: 4,
  snapshots: [2, 4, 6, 8],
  seed: 3,
  evalSize: 20,
  progressEvery: 1,
  ...over,
});

describe('tensor memory', () => {
  it.each([
    ['one run at a time', 1],
    ['two runs as one ensemble', 2],
  ])('stays flat across steps and snapshots, and training leaves nothing behind (%s)', async (_what, ensemble) => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const result = await train(config({ ensemble }), {
      onStep: () => void counts.push(tf.memory().numTensors),
    });
    expect(result.completed).toBe(true);
    expect(counts).toHaveLength(16);
    // Within one group the model's variables are all that live between steps: the same count at every step.
    const perGroup = ensemble === 1 ? [counts.slice(0, 8), counts.slice(8)] : [counts];
    for (const group of perGroup) expect(new Set(group).size, `counts ${group.join(',')}`).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a model holds only its variables, and disposing it frees them', () => {
    const before = tf.memory().numTensors;
    const model = new EnsembleModel(small, [initialState(small, 1), initialState(small, 2)], 1e-3);
    // Parameters and the two Adam moments of each.
    expect(tf.memory().numTensors - before).toBe(3 * model.specs.length);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
