import { describe, expect, test } from 'vitest';
import {
  REPLICA_RULE,
  compareReplicas,
  earlyHorizon,
  decodeKernels,
  encodeKernels,
  isReplicated,
  replicaDistance,
  replicaPlan,
  runSeedOf,
  uploadBytes,
  uploadLayout,
} from '../../src/lib/api/experiments';
import { runSeed } from '../../src/lib/nn/training';

describe('the experiments contract', () => {
  test("a lease's seed is the seed train() gives run r", () => {
    for (const [seed, run] of [
      [0, 0],
      [1, 3],
      [4_000_000_000, 999],
    ]) {
      expect(runSeedOf(seed!, run!)).toBe(runSeed(seed!, run!));
    }
  });

  test("mnist-paper's upload is conv1 [3,3,1,64] then conv2 [3,3,64,8], float32 little-endian", () => {
    expect(uploadLayout('mnist-paper').map((s) => s.shape)).toEqual([
      [3, 3, 1, 64],
      [3, 3, 64, 8],
    ]);
    expect(uploadBytes('mnist-paper')).toBe((576 + 4608) * 4);
    const kernels = uploadLayout('mnist-paper').map((s) => ({
      layer: s.layer,
      data: Float32Array.from({ length: s.floats }, (_, i) => i / 7 - s.layer),
    }));
    const bytes = encodeKernels('mnist-paper', kernels);
    expect(new DataView(bytes.buffer).getFloat32(4, true)).toBe(Math.fround(1 / 7 - 1));
    const back = decodeKernels('mnist-paper', bytes)!;
    expect(back.map((k) => k.data)).toEqual(kernels.map((k) => k.data));
    expect(decodeKernels('mnist-paper', bytes.subarray(4))).toBeNull();
    expect(() => encodeKernels('mnist-paper', kernels.slice(0, 1))).toThrow(/conv2/);
  });

  test('replicated runs are spread evenly: any first n runs hold floor(n f) of them', () => {
    for (const f of [0, 0.1, 0.25, 1 / 3, 1]) {
      let count = 0;
      for (let n = 1; n <= 200; n++) {
        if (isReplicated(n - 1, f)) count++;
        expect(count).toBe(Math.floor(n * f));
      }
    }
  });

  test('replica distance: 0 for equal copies, relative L2 otherwise, infinite against a zero kernel', () => {
    const a = [Float32Array.from([3, 4])];
    expect(replicaDistance(a, [Float32Array.from([3, 4])])).toBe(0);
    expect(replicaDistance(a, [Float32Array.from([3, 4.5])])).toBeCloseTo(0.1, 6);
    expect(replicaDistance([new Float32Array(2)], a)).toBe(Infinity);
  });

  test('replicas: exact on one exact backend, early steps on any other pair, unverified without one', () => {
    const e = earlyHorizon(1e-3);
    expect(e).toBe(25);
    // The horizon is a distance travelled: ten times the learning rate, a tenth of the steps.
    expect(earlyHorizon(1e-2)).toBe(2);
    expect(earlyHorizon(0.5)).toBe(0);
    expect(replicaPlan('wasm', 'wasm', [0, e, 4 * e], 1e-3)).toEqual({
      check: 'exact',
      steps: [0, e, 4 * e],
      bound: 0,
    });
    expect(replicaPlan('cpu', 'cpu', [4 * e], 1e-3).check).toBe('exact');
    // One GPU backend's name on two machines is two GPUs and drivers: not exact.
    expect(replicaPlan('webgl', 'webgl', [0, e, 4 * e], 1e-3)).toEqual({
      check: 'early',
      steps: [0, e],
      bound: REPLICA_RULE.earlyBound,
    });
    expect(replicaPlan('webgl', 'webgl', [0, e, 4 * e], 1e-2).check).toBe('unverified');
    expect(replicaPlan('wasm', 'cpu', [0, 4 * e], 1e-3).check).toBe('unverified');
    const copy = (backend: string, at: number[], scale: number) => ({
      backend,
      steps: at.map((step) => ({ step, kernels: [Float32Array.from([3 * scale, 4])] })),
    });
    const far = compareReplicas(copy('wasm', [e, 4 * e], 1), copy('cpu', [e, 4 * e], 1.5), 1e-3);
    expect(far).toMatchObject({ check: 'early', steps: [e], agree: false });
    // A copy missing a compared step cannot agree.
    expect(compareReplicas(copy('wasm', [e], 1), copy('wasm', [4 * e], 1), 1e-3).agree).toBe(false);
  });
});
