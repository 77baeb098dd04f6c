import { expect, inject, test } from 'vitest';
import { SOFTWARE_GPU_ARGS, tabPerFile } from '../support/browser';
import { cancelThenResumeInWorker, openWorkerHarness, trainInWorker } from '../support/trainingWorker';
import type { HarnessJob, HarnessRun } from '../support/workerHarness';

// The lab's training worker on the GPU backends, in every test run. Headless Chromium has no GPU, but with
// --enable-unsafe-webgpu it offers WebGPU on a software adapter (SwiftShader), and WebGL2 runs on SwiftShader.
// The automatic order passes software adapters over (labWorker.test.ts gets wasm); asked for by name they are
// used. The built worker (as the app ships it) is driven through the lab's TrainingClient on the app's origin
// (tests/support/trainingWorker.ts), with a small evaluation: SwiftShader's WebGPU takes minutes for the lab's 500.
// Service workers are blocked so that the harness's route is seen; the offline tests cover the service worker.
const tab = tabPerFile({ args: SOFTWARE_GPU_ARGS, context: { serviceWorkers: 'block' } });

/** Two runs as one ensemble (as the lab trains them), a snapshot after the first step and one at the end. */
const JOB: HarnessJob = { runs: 2, steps: 3, batchSize: 8, snapshots: [1, 3], ensemble: 2, evalSize: 16 };
/** SwiftShader's WebGPU takes ~25 s to compile the training shaders in each fresh worker, and seconds a step. */
const GPU_TIMEOUT = 420_000;

/**
 * Bounds against wasm over the same steps, seed and batches. Measured here (Chromium 156, SwiftShader, JOB as above
 * but 4 steps): webgpu and webgl both followed wasm's losses to 1.0e-7 (relative), and their kernels at the
 * snapshots to 7e-8 (relative L2) with no weight more than 2.3e-7 off; each run prints its numbers. The bounds are
 * 100x and more above that. Adam's first steps move every weight by about the learning rate (1e-3) whatever the
 * size of its gradient, so a weight whose gradient is float noise could move the other way on another backend
 * (2e-3 a step): none did here, and KERNEL_MAX_ABS would catch one. A wrong kernel (another batch, another seed)
 * moves the loss by ~1e-2 and the kernels' relative L2 by ~1e-1.
 */
const LOSS_REL = 1e-5;
const KERNEL_REL_L2 = 1e-5;
const KERNEL_MAX_ABS = 1e-4;

const runs: Record<string, HarnessRun> = {};

/** Relative L2 distance and largest absolute difference between two lists of kernels. */
function kernelDifference(a: number[][], b: number[][]) {
  let diff = 0;
  let norm = 0;
  let max = 0;
  a.forEach((layer, l) =>
    layer.forEach((v, i) => {
      const d = v - b[l][i];
      diff += d * d;
      norm += v * v;
      max = Math.max(max, Math.abs(d));
    }),
  );
  return { rel: Math.sqrt(diff / norm), max };
}

/** The tensor counts the worker reported with its steps, and the steps they came with. */
function memoryOf(run: HarnessRun) {
  const reported = run.steps.filter((s) => s.memory);
  return { steps: new Set(reported.map((s) => s.step)), counts: new Set(reported.map((s) => s.memory!.numTensors)) };
}

test('the harness page runs on the app origin, cross-origin isolated', async () => {
  await openWorkerHarness(tab.page, inject('baseURL'));
  expect(await tab.page.evaluate(() => crossOriginIsolated)).toBe(true);
});

for (const backend of ['wasm', 'webgpu', 'webgl'] as const) {
  test(
    `asked for ${backend}, the lab's worker trains there; its tensors stay flat from step to step`,
    async () => {
      const run = await trainInWorker(tab.page, backend, JOB);
      expect(run.backend.name).toBe(backend);
      if (backend === 'wasm') expect(run.backend.software).toBe(false);
      else {
        // Used although the adapter is a software one, and the badge's sentence says so.
        expect(run.backend.software).toBe(true);
        const api = backend === 'webgpu' ? 'WebGPU' : 'WebGL';
        expect(run.backend.reason).toMatch(
          new RegExp(`^${api} on a software adapter: slow, for testing \\(.*asked for\\)`),
        );
      }
      expect(run.completed).toBe(true);
      expect(run.snapshots.map((s) => `${s.run}:${s.step}`).sort()).toEqual(['0:1', '0:3', '1:1', '1:3']);
      expect(run.checkpoints).toEqual([1, 1, 3, 3]);
      // tf.memory().numTensors in the worker at every reported step: one count throughout, so no step leaves a
      // tensor behind; after training, only what tfjs itself keeps (the run's model and data are released).
      const memory = memoryOf(run);
      expect(memory.steps.size, JSON.stringify(run.steps)).toBeGreaterThanOrEqual(2);
      expect([...memory.counts], JSON.stringify(run.steps)).toHaveLength(1);
      expect(run.after.numTensors).toBeLessThan([...memory.counts][0]);
      console.info(
        `${backend}: ${[...memory.counts][0]} tensors at steps ${[...memory.steps].join(', ')}; ` +
          `${run.after.numTensors} after training; ${(run.ms / 1000).toFixed(1)} s (${run.backend.reason})`,
      );
      runs[backend] = run;
      expect(tab.errors).toEqual([]);
    },
    GPU_TIMEOUT,
  );
}

test('webgpu and webgl follow wasm: the same losses at every step and kernels at every snapshot', () => {
  const reference = runs.wasm;
  expect(reference, 'the wasm run trained').toBeDefined();
  const key = (s: { run: number; step: number }) => `${s.run}:${s.step}`;
  const refLoss = new Map(reference.steps.map((s) => [key(s), s.loss]));
  const refSnap = new Map(reference.snapshots.map((s) => [key(s), s]));
  for (const backend of ['webgpu', 'webgl']) {
    const other = runs[backend];
    expect(other, `the ${backend} run trained`).toBeDefined();
    const seen = { loss: 0, steps: 0, rel: 0, max: 0 };
    // The worker forwards at most ten reports a second, always the snapshot steps and the last: compare the
    // steps both reported.
    for (const s of other.steps) {
      const ref = refLoss.get(key(s));
      if (ref === undefined) continue;
      seen.steps++;
      seen.loss = Math.max(seen.loss, Math.abs(s.loss - ref) / Math.abs(ref));
    }
    expect(seen.steps).toBeGreaterThanOrEqual(2 * JOB.runs);
    for (const s of other.snapshots) {
      const ref = refSnap.get(key(s))!;
      expect(Math.abs(s.loss - ref.loss) / ref.loss).toBeLessThan(LOSS_REL);
      const k = kernelDifference(ref.kernels, s.kernels);
      seen.rel = Math.max(seen.rel, k.rel);
      seen.max = Math.max(seen.max, k.max);
    }
    console.info(
      `${backend} vs wasm over ${seen.steps} reported steps: loss rel ${seen.loss.toExponential(1)}; ` +
        `kernels at snapshots: rel L2 ${seen.rel.toExponential(1)}, largest weight ${seen.max.toExponential(1)}`,
    );
    expect(seen.loss, `${backend}: loss`).toBeLessThan(LOSS_REL);
    expect(seen.rel, `${backend}: kernels (relative L2)`).toBeLessThan(KERNEL_REL_L2);
    expect(seen.max, `${backend}: kernels (largest weight)`).toBeLessThan(KERNEL_MAX_ABS);
  }
});

test(
  'on webgpu, a cancel keeps the checkpoints, and a resume from them ends where the uninterrupted run did',
  async () => {
    const straight = runs.webgpu;
    expect(straight, 'the webgpu run trained').toBeDefined();
    const { cancelled, resumed } = await cancelThenResumeInWorker(tab.page, 'webgpu', JOB, 1);
    expect(cancelled.backend.name).toBe('webgpu');
    expect(cancelled.completed).toBe(false);
    expect(cancelled.checkpoints).toEqual([1, 1]);
    expect(resumed.backend.name).toBe('webgpu');
    expect(resumed.completed).toBe(true);
    // It went on from step 1: no step at or before it was trained again.
    expect(Math.min(...resumed.steps.map((s) => s.step))).toBeGreaterThan(1);
    expect(resumed.snapshots.map((s) => `${s.run}:${s.step}`).sort()).toEqual(['0:3', '1:3']);
    // The same backend, the same operations in the same order: the resumed run is the uninterrupted one.
    for (const s of resumed.snapshots) {
      const ref = straight.snapshots.find((r) => r.run === s.run && r.step === s.step)!;
      const k = kernelDifference(ref.kernels, s.kernels);
      expect(k.max, `run ${s.run}`).toBeLessThan(1e-6);
    }
    expect(tab.errors).toEqual([]);
  },
  GPU_TIMEOUT,
);
