/**
 * DIR/manifest.json, written by `kleinscope train` and read by `kleinscope analyze DIR`: the training's
 * configuration, then one entry per (run, snapshot step) with its accuracy and the .npy file of each conv layer's
 * kernel (paths relative to DIR). `complete` stays false until every run has reached `steps`.
 */
import { z } from 'zod';

export const MANIFEST_FORMAT = 'kleinscope/training@1';

const int = z.number().int();
const nat = int.nonnegative();

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  complete: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The tfjs backend of the latest session ('wasm' or 'cpu' from the CLI). */
  backend: z.string(),
  /** Every backend that trained part of this folder, first to last (absent in manifests before wasm training). */
  backends: z.array(z.string()).optional(),
  /** 'mnist' or 'cifar10'. */
  dataset: z.string(),
  /** The --dataset argument as given (e.g. cifar10:/data/cifar). */
  datasetArg: z.string(),
  architecture: z.object({
    name: z.string(),
    inputShape: z.tuple([int.positive(), int.positive(), int.positive()]),
    conv: z.array(int.positive()),
    dense: z.array(int.positive()),
    classes: int.positive(),
  }),
  runs: int.positive(),
  steps: nat,
  batchSize: int.positive(),
  learningRate: z.number().positive(),
  seed: nat,
  evalSize: int.positive(),
  snapshotSteps: z.array(nat),
  /** Adam's epsilon; absent in manifests before it was an option, which all trained with 1e-7. */
  adamEpsilon: z.number().positive().lt(1).optional(),
  /** Where epsilon enters Adam's step (src/lib/nn/ensembleModel.ts); absent means 'keras', the only form before. */
  adamForm: z.enum(['keras', 'pytorch']).optional(),
  /** How batches were drawn (src/lib/nn/sampler.ts); absent means 'without-replacement', the only way before. */
  sampling: z.enum(['without-replacement', 'with-replacement']).optional(),
  /** How the weights started (src/lib/nn/initialisation.ts); absent means glorot, train()'s own. */
  init: z.enum(['glorot', 'pytorch']).optional(),
  /** Set when this folder holds only runs A..B-1 of the training (`train --run-range`, one part of a parallel run). */
  runRange: z.tuple([nat, nat]).optional(),
  snapshots: z.array(
    z.object({
      run: nat,
      seed: nat,
      step: nat,
      loss: z.number().nullable(),
      accuracy: z.number().min(0).max(1),
      /** Conv layer (from 1) -> .npy file of its [3, 3, cin, cout] kernel. */
      kernels: z.array(z.object({ layer: int.positive(), shape: z.array(nat).length(4), file: z.string() })),
    }),
  ),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** Where run r's kernel of conv layer l at step s lives, relative to DIR. */
export const kernelPath = (run: number, step: number, layer: number) =>
  `kernels/run-${String(run).padStart(3, '0')}/step-${String(step).padStart(7, '0')}-conv${layer}.npy`;

export const checkpointPath = (run: number) => `checkpoints/run-${String(run).padStart(3, '0')}.ckpt`;

/** The optimiser and sampling a manifest's training used, with the values older manifests leave out filled in. */
export function optimiserSettings(m: Manifest): {
  adamEpsilon: number;
  adamForm: 'keras' | 'pytorch';
  sampling: 'without-replacement' | 'with-replacement';
} {
  return {
    adamEpsilon: m.adamEpsilon ?? 1e-7,
    adamForm: m.adamForm ?? 'keras',
    sampling: m.sampling ?? 'without-replacement',
  };
}
