/**
 * One run of a pooled experiment trained here (the CLI's contribute; the lab trains the same experimentJob in
 * its worker). Call selectBackend first, as for train().
 */
import { PRESETS, type ExperimentDefinition } from '../api/experiments';
import type { Dataset } from './datasets/dataset';
import { experimentJob } from './experimentJob';
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
  if (preset && dataset.name !== preset.dataset) {
    throw new Error(`preset ${experiment.preset} trains on ${preset.dataset}, not ${dataset.name}`);
  }
  const job = experimentJob(experiment, run);
  const result = await train(
    { ...job.config, dataset },
    {
      only: job.only,
      resume: job.resume,
      signal: callbacks.signal,
      onSnapshot: (s) => callbacks.onSnapshot(s),
      onStep: (_r, step, loss) => callbacks.onStep?.(step, loss),
    },
  );
  return { completed: result.completed };
}
