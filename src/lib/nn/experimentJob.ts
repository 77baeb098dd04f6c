/**
 * What training run r of a pooled experiment means, as plain data: the experiment's settings as a training job
 * over its own run numbering, restricted to run r (so r gets train()'s seed for r), with its start under the
 * experiment's initialisation. No tfjs here: the lab's page builds the job, the worker or the CLI trains it.
 */
import { PRESETS, type ExperimentDefinition } from '../api/experiments';
import { startCheckpoint } from './initialisation';
import type { Checkpoint, TrainConfig } from './training';

export interface ExperimentJob {
  config: Omit<TrainConfig, 'dataset'>;
  only: number[];
  resume: Checkpoint[];
}

export function experimentJob(experiment: ExperimentDefinition, run: number): ExperimentJob {
  const preset = PRESETS[experiment.preset];
  if (!preset) throw new Error(`unknown preset '${experiment.preset}'`);
  const arch = preset.architecture;
  return {
    config: {
      arch,
      runs: experiment.runs,
      steps: experiment.steps.at(-1)!,
      batchSize: experiment.batch,
      snapshots: experiment.steps,
      seed: experiment.seed,
      learningRate: experiment.learningRate,
      progressEvery: 10,
    },
    only: [run],
    resume: experiment.init === 'glorot' ? [] : [startCheckpoint(arch, experiment.seed, run, experiment.init)],
  };
}
