/**
 * Which training images a run sees at each step. Two ways, both addressed by (run seed, step) alone, so a
 * resumed run sees exactly the batches the uninterrupted run would have seen:
 * - 'without-replacement': a fresh seeded permutation per epoch, read in order (Keras's shuffle, PyTorch's
 *   DataLoader(shuffle=True)); every image once per epoch.
 * - 'with-replacement': every image of every batch drawn uniformly and independently (PyTorch's
 *   RandomSampler(replacement=True), or torch.randint per step), as the paper's PyTorch reference does.
 */
import { mix, permutation, rng } from './random';

export const SAMPLINGS = ['without-replacement', 'with-replacement'] as const;
export type Sampling = (typeof SAMPLINGS)[number];

export function isSampling(name: string): name is Sampling {
  return (SAMPLINGS as readonly string[]).includes(name);
}

export class BatchSampler {
  private epoch = -1;
  private perm: Uint32Array = new Uint32Array(0);

  constructor(
    readonly size: number,
    readonly seed: number,
    readonly sampling: Sampling = 'without-replacement',
  ) {
    if (size < 1) throw new Error('cannot sample batches from an empty training set');
  }

  /** Writes the `batch` example indices of `step` (counting from 0) into out[offset ...]. */
  fill(step: number, batch: number, out: Int32Array, offset = 0): void {
    if (this.sampling === 'with-replacement') {
      // One stream per step (not one per run), so step s's batch needs no draws of the steps before it.
      const random = rng(mix(this.seed, 0x5eed, 0x7e91, step));
      for (let i = 0; i < batch; i++) out[offset + i] = Math.min(this.size - 1, Math.floor(random() * this.size));
      return;
    }
    for (let i = 0; i < batch; i++) {
      const g = step * batch + i;
      const epoch = Math.floor(g / this.size);
      if (epoch !== this.epoch) {
        this.perm = permutation(this.size, rng(mix(this.seed, 0x5eed, epoch)));
        this.epoch = epoch;
      }
      out[offset + i] = this.perm[g - epoch * this.size];
    }
  }
}
