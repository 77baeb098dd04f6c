// Runs in the browser (bundled by tests/support/trainingWorker.ts): the lab's own TrainingClient driving the app's
// built training worker, as the lab does, but with the job's knobs (evaluation size, progress) the tests need.
import { TrainingClient } from '../../src/lib/worker/trainingClient';
import { mnistPaper } from '../../src/lib/nn/architectures';
import type { Checkpoint, TrainingJob, WorkerMemory } from '../../src/lib/worker/trainingProtocol';

export interface HarnessJob {
  runs: number;
  steps: number;
  batchSize: number;
  snapshots: number[];
  ensemble: number;
  evalSize: number;
}

export interface HarnessRun {
  backend: { name: string; reason: string; software: boolean };
  steps: Array<{ run: number; step: number; loss: number; memory?: WorkerMemory }>;
  snapshots: Array<{ run: number; step: number; loss: number; kernels: number[][] }>;
  /** The steps of the checkpoints that arrived, in order. */
  checkpoints: number[];
  completed: boolean;
  /** tf.memory() in the worker once the training has returned. */
  after: WorkerMemory;
  /** Wall time from asking for the backend to the end, shader compilation included. */
  ms: number;
}

const job = (j: HarnessJob, resume?: Checkpoint[]): TrainingJob => ({
  arch: mnistPaper,
  data: { kind: 'mnist' },
  seed: 1,
  learningRate: 1e-3,
  progressEvery: 1,
  ...j,
  ...(resume ? { resume } : {}),
});

/**
 * Trains `j` in a fresh worker on the backend asked for. With `cancelAfterCheckpoint`, cancels once a checkpoint
 * at that step has arrived (the lab's cancel: the worker is terminated) and resolves with completed: false.
 */
export async function train(
  workerUrl: string,
  backend: string,
  j: HarnessJob,
  options: { resume?: Checkpoint[]; cancelAfterCheckpoint?: number; keep?: Checkpoint[] } = {},
): Promise<HarnessRun> {
  const client = new TrainingClient({
    backend: { wanted: backend as 'webgpu' },
    spawn: () => new Worker(workerUrl, { type: 'module' }),
  });
  const started = performance.now();
  try {
    const choice = await client.backend();
    const run: HarnessRun = {
      backend: { name: choice.name, reason: choice.reason, software: Boolean(choice.adapter?.software) },
      steps: [],
      snapshots: [],
      checkpoints: [],
      completed: false,
      after: { numTensors: NaN, numBytes: NaN },
      ms: NaN,
    };
    const result = await client.train(job(j, options.resume), {
      onStep: (r, step, loss, memory) => void run.steps.push({ run: r, step, loss, memory }),
      onSnapshot: (s) =>
        void run.snapshots.push({
          run: s.run,
          step: s.step,
          loss: s.loss,
          kernels: s.kernels.map((k) => Array.from(k.data)),
        }),
      onCheckpoint: (c) => {
        run.checkpoints.push(c.step);
        options.keep?.push(c);
        // Once every run's checkpoint at that step is in (the lab's cancel after a snapshot step).
        const at = run.checkpoints.filter((step) => step === options.cancelAfterCheckpoint).length;
        if (at === j.runs) setTimeout(() => client.cancel());
      },
    });
    run.completed = result.completed;
    if (result.completed) run.after = await client.memory();
    run.ms = performance.now() - started;
    return run;
  } finally {
    client.dispose();
  }
}

/**
 * The lab's cancel and resume: trains `j` until the checkpoints at `cancelStep` have arrived, cancels (the worker is
 * terminated), then trains `j` again in a fresh worker from those checkpoints, as the lab's resume does.
 */
export async function cancelThenResume(
  workerUrl: string,
  backend: string,
  j: HarnessJob,
  cancelStep: number,
): Promise<{ cancelled: HarnessRun; resumed: HarnessRun }> {
  const kept: Checkpoint[] = [];
  const cancelled = await train(workerUrl, backend, j, { cancelAfterCheckpoint: cancelStep, keep: kept });
  const resumed = await train(workerUrl, backend, j, { resume: kept });
  return { cancelled, resumed };
}
