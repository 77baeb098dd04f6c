/**
 * N independent trainings of one architecture with a schedule of snapshot steps. Each run has its own seed
 * (initial weights and example order both follow from it), so a run is reproducible and can resume from a
 * checkpoint as if it had never stopped. Runs can be trained one at a time or several at once as one batched
 * ensemble (see ensembleModel.ts); the numbers each run produces are the same either way, up to float rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { parameterSpecs, sizeOf, validateArchitecture, type Architecture } from './architectures';
import type { Dataset } from './datasets/dataset';
import { ADAM_FORMS, EnsembleModel, KERAS_ADAM, type AdamForm, type RunState } from './ensembleModel';
import { mix } from './random';
import { initialState, type Checkpoint } from './initialisation';
import { BatchSampler, isSampling, type Sampling } from './sampler';

export interface TrainConfig {
  arch: Architecture;
  dataset: Dataset;
  /** Independent trainings, numbered 0..runs-1. */
  runs: number;
  /** Adam steps per run. */
  steps: number;
  batchSize: number;
  /** Steps after which every conv kernel and the test accuracy are stored; 0 means the initial weights. */
  snapshots: number[];
  /** Master seed; run r uses runSeed(seed, r). */
  seed: number;
  /** Adam learning rate (1e-3, as in the paper's reproductions). */
  learningRate?: number;
  /** Adam's epsilon (default 1e-7, Keras's and tfjs's; PyTorch's is 1e-8). */
  adamEpsilon?: number;
  /** Where epsilon enters Adam's step (ensembleModel.ts; default 'keras'). */
  adamForm?: AdamForm;
  /** How batches are drawn (sampler.ts; default 'without-replacement', a permutation per epoch). */
  sampling?: Sampling;
  /** Runs trained together as one graph: 1 = one at a time (default), up to `runs`. */
  ensemble?: number;
  /** Test images scored at each snapshot (default 1000, capped at the test split's size). */
  evalSize?: number;
  /** Report the loss through onStep every this many steps (default 10); reading it back stalls a GPU. */
  progressEvery?: number;
}

/** One conv layer's kernel for one run, TF layout [3, 3, cin, cout]. */
export interface ConvKernel {
  /** Conv layer, counting from 1 as the paper does. */
  layer: number;
  shape: [number, number, number, number];
  data: Float32Array;
}

export interface Snapshot {
  run: number;
  seed: number;
  step: number;
  /** Training loss of the batch at this step (NaN for step 0). */
  loss: number;
  /** Share of the first evalSize test images classified correctly. */
  accuracy: number;
  kernels: ConvKernel[];
}

/** Everything needed to continue a run exactly: its parameters and Adam's moments after `step` steps. */
export type { Checkpoint };

export interface TrainCallbacks {
  /** Progress: called every progressEvery steps and at each snapshot. Return a promise to pause until it settles. */
  onStep?(run: number, step: number, loss: number): void | Promise<void>;
  onSnapshot?(snapshot: Snapshot): void | Promise<void>;
  /** Called after each snapshot (and at the end) with state to resume from; store the latest per run. */
  onCheckpoint?(checkpoint: Checkpoint): void | Promise<void>;
  /** Aborting stops training between steps; train() then resolves with completed: false. */
  signal?: AbortSignal;
  /** Checkpoints from an earlier, interrupted session: those runs continue from there. */
  resume?: Checkpoint[];
  /** Train only these runs of the numbering 0..runs-1 (a pooled experiment's leased run); default all. */
  only?: readonly number[];
}

export interface TrainResult {
  completed: boolean;
  /** Training steps actually taken in this call, summed over runs. */
  runSteps: number;
  elapsedMs: number;
}

export class TrainingConfigError extends Error {}

/** Run r's seed: a mix of the master seed and r, so runs never share random streams. */
export const runSeed = (seed: number, run: number) => mix(seed, run, 0x7a11);

// Kept here for its callers; it lives beside PyTorch's start so tfjs-free code (benches, the page) can rebuild it.
export { initialState } from './initialisation';

/** Checks a config and returns it with defaults filled in and snapshots sorted; throws TrainingConfigError. */
export function normaliseConfig(c: TrainConfig): Required<TrainConfig> {
  const int = (name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new TrainingConfigError(`${name} must be an integer from ${min} to ${max}, got ${v}`);
    }
  };
  try {
    validateArchitecture(c.arch);
  } catch (e) {
    throw new TrainingConfigError((e as Error).message);
  }
  const [h, w, ch] = c.arch.inputShape;
  const [dh, dw, dc] = c.dataset.inputShape;
  if (h !== dh || w !== dw || ch !== dc) {
    throw new TrainingConfigError(
      `architecture ${c.arch.name} takes ${h}x${w}x${ch} images but dataset ${c.dataset.name} has ${dh}x${dw}x${dc}`,
    );
  }
  if (c.arch.classes !== c.dataset.classes) {
    throw new TrainingConfigError(`architecture has ${c.arch.classes} classes, dataset ${c.dataset.classes}`);
  }
  int('runs', c.runs, 1, 10_000);
  int('steps', c.steps, 0, 10_000_000);
  int('batchSize', c.batchSize, 1, 65_536);
  int('seed', c.seed, 0, 2 ** 32 - 1);
  const ensemble = c.ensemble ?? 1;
  int('ensemble', ensemble, 1, 1024);
  const evalSize = Math.min(c.evalSize ?? 1000, c.dataset.test.count);
  int('evalSize', evalSize, 1);
  const progressEvery = c.progressEvery ?? 10;
  int('progressEvery', progressEvery, 1);
  const lr = c.learningRate ?? 1e-3;
  if (!(lr > 0 && lr < 10)) throw new TrainingConfigError(`learningRate must be in (0, 10), got ${lr}`);
  for (const s of c.snapshots) {
    if (!Number.isInteger(s) || s < 0 || s > c.steps) {
      throw new TrainingConfigError(`snapshot step ${s} is not an integer from 0 to steps (${c.steps})`);
    }
  }
  const adamEpsilon = c.adamEpsilon ?? KERAS_ADAM.epsilon;
  if (!(adamEpsilon > 0 && adamEpsilon < 1)) {
    throw new TrainingConfigError(`adamEpsilon must be in (0, 1), got ${adamEpsilon}`);
  }
  const adamForm = c.adamForm ?? KERAS_ADAM.form;
  if (!(ADAM_FORMS as readonly string[]).includes(adamForm)) {
    throw new TrainingConfigError(`adamForm must be ${ADAM_FORMS.join(' or ')}, got ${adamForm}`);
  }
  const sampling = c.sampling ?? 'without-replacement';
  if (!isSampling(sampling)) {
    throw new TrainingConfigError(`sampling must be without-replacement or with-replacement, got ${sampling}`);
  }
  const snapshots = [...new Set(c.snapshots)].sort((a, b) => a - b);
  return {
    ...c,
    snapshots,
    ensemble,
    evalSize,
    progressEvery,
    learningRate: lr,
    adamEpsilon,
    adamForm,
    sampling,
  };
}

function checkCheckpoint(arch: Architecture, cp: Checkpoint, config: Required<TrainConfig>): void {
  const specs = parameterSpecs(arch);
  const where = `checkpoint of run ${cp.run}`;
  if (!Number.isInteger(cp.run) || cp.run < 0 || cp.run >= config.runs)
    throw new TrainingConfigError(`${where}: no such run`);
  if (cp.seed !== runSeed(config.seed, cp.run))
    throw new TrainingConfigError(`${where}: seed does not match this session`);
  if (!Number.isInteger(cp.step) || cp.step < 0 || cp.step > config.steps)
    throw new TrainingConfigError(`${where}: bad step ${cp.step}`);
  for (const [field, arrays] of [
    ['params', cp.params],
    ['adamM', cp.adamM],
    ['adamV', cp.adamV],
  ] as const) {
    if (!Array.isArray(arrays) || arrays.length !== specs.length) {
      throw new TrainingConfigError(
        `${where}: ${field} has ${arrays?.length} tensors, ${arch.name} has ${specs.length}`,
      );
    }
    specs.forEach((s, i) => {
      if (!(arrays[i] instanceof Float32Array) || arrays[i].length !== sizeOf(s.shape)) {
        throw new TrainingConfigError(`${where}: ${field} ${s.name} does not have shape [${s.shape}]`);
      }
    });
  }
}

/** Builds the input tensors for one step: each run's own batch of images (scaled to [0, 1]) and labels. */
function batchTensors(
  dataset: Dataset,
  samplers: BatchSampler[],
  step: number,
  batch: number,
): { x: tf.Tensor4D; y: tf.Tensor3D } {
  const [h, w, c] = dataset.inputShape;
  const pixels = h * w * c;
  const R = samplers.length;
  const idx = new Int32Array(R * batch);
  samplers.forEach((s, r) => s.fill(step, batch, idx, r * batch));
  const x = new Float32Array(R * batch * pixels);
  const y = new Float32Array(R * batch * dataset.classes);
  const { images, labels } = dataset.train;
  for (let k = 0; k < idx.length; k++) {
    const src = idx[k] * pixels;
    const dst = k * pixels;
    for (let p = 0; p < pixels; p++) x[dst + p] = images[src + p] / 255;
    y[k * dataset.classes + labels[idx[k]]] = 1;
  }
  return { x: tf.tensor4d(x, [R * batch, h, w, c]), y: tf.tensor3d(y, [R, batch, dataset.classes]) };
}

/** Floats in the largest activation of one evaluation chunk (64 MB). */
const EVAL_FLOATS = 16 * 1024 * 1024;

/** Test accuracy of every run of the model on the first n test images, scored in chunks to bound memory. */
async function accuracies(model: EnsembleModel, dataset: Dataset, n: number): Promise<number[]> {
  const [h, w, c] = dataset.inputShape;
  const pixels = h * w * c;
  const R = model.runs;
  // The first conv layer's output is the largest activation: 4096 MNIST images through mnist-paper's 64 filters
  // are 708 MB, which WebGL reported as "High memory usage in GPU ... most likely due to a memory leak". Chunks
  // keep it near 64 MB whatever the architecture.
  const firstLayer = (h - 2) * (w - 2) * (model.arch.conv[0] ?? 1);
  const chunk = Math.max(1, Math.floor(EVAL_FLOATS / (firstLayer * R)));
  const correct = new Array<number>(R).fill(0);
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const x = new Float32Array(m * pixels);
    const images = dataset.test.images.subarray(start * pixels, (start + m) * pixels);
    for (let i = 0; i < x.length; i++) x[i] = images[i] / 255;
    const labels = Int32Array.from(dataset.test.labels.subarray(start, start + m));
    const counts = tf.tidy(() => {
      const xs = tf.tile(tf.tensor4d(x, [m, h, w, c]), [R, 1, 1, 1]) as tf.Tensor4D;
      const ys = tf.tile(tf.tensor2d(labels, [1, m], 'int32'), [R, 1]) as tf.Tensor2D;
      return model.correct(xs, ys);
    });
    const data = await counts.data();
    counts.dispose();
    for (let r = 0; r < R; r++) correct[r] += data[r];
  }
  return correct.map((k) => k / n);
}

/** Each conv layer's kernel of one run, copied out of its parameters. */
export function convKernels(arch: Architecture, params: Float32Array[]): ConvKernel[] {
  return parameterSpecs(arch).flatMap((s, i) =>
    s.kind === 'conv-kernel'
      ? [{ layer: s.convLayer!, shape: s.shape as [number, number, number, number], data: params[i].slice() }]
      : [],
  );
}

/** Lets the page (or Node's event loop) breathe between steps without the 1 s throttling of background timers. */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (g.setImmediate) return new Promise((resolve) => g.setImmediate!(resolve));
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/**
 * Trains config.runs networks on the current tfjs backend (call selectBackend first), reporting snapshots and
 * checkpoints through the callbacks as it goes. Runs that `resume` has checkpoints for continue from them; runs
 * already at `steps` are skipped. Resolves when every run is done or the signal aborts.
 */
export async function train(config: TrainConfig, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
  const c = normaliseConfig(config);
  const started = performance.now();
  const resume = new Map<number, Checkpoint>();
  for (const cp of callbacks.resume ?? []) {
    checkCheckpoint(c.arch, cp, c);
    const prev = resume.get(cp.run);
    if (!prev || prev.step < cp.step) resume.set(cp.run, cp);
  }
  // Runs that start at the same step can share a graph; group them, then cut groups to the ensemble size.
  const byStart = new Map<number, number[]>();
  for (let r = 0; r < c.runs; r++) {
    if (callbacks.only && !callbacks.only.includes(r)) continue;
    const start = resume.get(r)?.step ?? 0;
    if (start >= c.steps && resume.has(r)) continue;
    byStart.set(start, [...(byStart.get(start) ?? []), r]);
  }
  let runSteps = 0;
  for (const [start, runs] of [...byStart].sort((a, b) => a[0] - b[0])) {
    for (let g = 0; g < runs.length; g += c.ensemble) {
      const group = runs.slice(g, g + c.ensemble);
      const done = await trainGroup(c, group, start, resume, callbacks);
      runSteps += done.steps * group.length;
      if (!done.completed) return { completed: false, runSteps, elapsedMs: performance.now() - started };
    }
  }
  return { completed: true, runSteps, elapsedMs: performance.now() - started };
}

async function trainGroup(
  c: Required<TrainConfig>,
  group: number[],
  start: number,
  resume: Map<number, Checkpoint>,
  cb: TrainCallbacks,
): Promise<{ completed: boolean; steps: number }> {
  const seeds = group.map((r) => runSeed(c.seed, r));
  const states: RunState[] = group.map((r, k) => {
    const cp = resume.get(r);
    return cp ? { params: cp.params, adamM: cp.adamM, adamV: cp.adamV, step: cp.step } : initialState(c.arch, seeds[k]);
  });
  const model = new EnsembleModel(c.arch, states, c.learningRate, { epsilon: c.adamEpsilon, form: c.adamForm });
  const samplers = seeds.map((s) => new BatchSampler(c.dataset.train.count, s, c.sampling));
  const pending = c.snapshots.filter((s) => s > start || (s === 0 && start === 0 && !resume.has(group[0])));
  let lastLoss: Float32Array | number[] = new Array<number>(group.length).fill(NaN);

  const record = async (step: number, isSnapshot: boolean) => {
    const stateNow = await model.states();
    const acc = isSnapshot ? await accuracies(model, c.dataset, c.evalSize) : [];
    for (let k = 0; k < group.length; k++) {
      if (isSnapshot) {
        await cb.onSnapshot?.({
          run: group[k],
          seed: seeds[k],
          step,
          loss: lastLoss[k],
          accuracy: acc[k],
          kernels: convKernels(c.arch, stateNow[k].params),
        });
      }
      const { params, adamM, adamV } = stateNow[k];
      await cb.onCheckpoint?.({ run: group[k], seed: seeds[k], step, params, adamM, adamV });
    }
  };

  try {
    let step = start;
    if (pending[0] === step) {
      await record(step, true);
      pending.shift();
    }
    while (step < c.steps) {
      if (cb.signal?.aborted) return { completed: false, steps: step - start };
      const { x, y } = batchTensors(c.dataset, samplers, step, c.batchSize);
      const losses = model.trainStep(x, y);
      x.dispose();
      y.dispose();
      step += 1;
      const isSnapshot = pending[0] === step;
      if (isSnapshot || step % c.progressEvery === 0 || step === c.steps) {
        lastLoss = (await losses.data()) as Float32Array;
        for (let k = 0; k < group.length; k++) await cb.onStep?.(group[k], step, lastLoss[k]);
      }
      losses.dispose();
      if (isSnapshot) {
        pending.shift();
        await record(step, true);
      } else if (step === c.steps) {
        await record(step, false);
      }
      await yieldToEventLoop();
    }
    return { completed: true, steps: step - start };
  } finally {
    model.dispose();
  }
}
