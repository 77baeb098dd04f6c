/**
 * How the paper's MNIST experiment is trained by `kleinscope reproduce mnist` and the lab's "Reproduce the paper":
 * as its independent PyTorch 1.13 reference was (nn.Conv2d/nn.Linear default initialisation, torch.optim.Adam's
 * defaults, batches of 64 drawn with replacement). Plain data, no tfjs, so the lab's page can import it.
 */
import type { Initialisation } from './initialisation';
import type { Sampling } from './sampler';

export const PAPER_TRAINING = {
  batchSize: 64,
  learningRate: 1e-3,
  init: 'pytorch' as Initialisation,
  /** torch.optim.Adam's default; Keras and tfjs use 1e-7. */
  adamEpsilon: 1e-8,
  /** torch.optim.Adam adds epsilon to the bias-corrected sqrt(v) (ensembleModel.ts). */
  adamForm: 'pytorch' as 'keras' | 'pytorch',
  sampling: 'with-replacement' as Sampling,
};
