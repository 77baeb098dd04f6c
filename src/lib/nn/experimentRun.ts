/**
 * One run of a pooled experiment (src/lib/api/experiments.ts): run r of the experiment's numbering, trained with
 * its settings and seed, so it is the same run whoever trains it (the CLI's contribute, the lab's worker). Call
 * selectBackend first, as for train().
 */
import type { ExperimentDefinition } from '../api/experiments';
import { PRESETS } from '../api/experiments';
import type { Dataset } from './datasets/dataset';
import { startCheckpoint } from './initialisation';
import { train, type Snapshot } from './training';

export interface ExperimentRunCallbacks {
  /** Each snapshot step in order; training waits for the promise (the upload) before going on. */
  onSnapshot(snapshot: Snapshot): Promise<void>;
  onStep?(step: number, loss: number): void;
  signal?: AbortSignal;
}

export async function trainExperimentRun(
  experiment: ExperimentDefinition,
  run: number,
  dataset: Dataset,
  callbacks: ExperimentRunCallbacks,
): Promise<{ completed: boolean }> {
  const preset = PRESETS[experiment.preset];
  if (!preset) throw new Error(`unknown preset '${experiment.preset}'`);
  if (dataset.name !== preset.dataset) {
    throw new Error(`preset ${experiment.preset} trains on ${preset.dataset}, not ${dataset.name}`);
  }
  const arch = preset.architecture;
  const result = await train(
    {
      arch,
      dataset,
      // The numbering is the experiment's, so run r gets train()'s seed for run r; only r is trained.
      runs: experiment.runs,
      steps: experiment.steps.at(-1)!,
      batchSize: experiment.batch,
      snapshots: experiment.steps,
      seed: experiment.seed,
      learningRate: experiment.learningRate,
      progressEvery: 10,
    },
    {
      only: [run],
      signal: callbacks.signal,
      resume: experiment.init === 'glorot' ? [] : [startCheckpoint(arch, experiment.seed, run, experiment.init)],
      onSnapshot: (s) => callbacks.onSnapshot(s),
      onStep: (_r, step, loss) => callbacks.onStep?.(step, loss),
    },
  );
  return { completed: result.completed };
}
