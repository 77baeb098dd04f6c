/**
 * Which training images a run sees at each step: a fresh seeded permutation per epoch, addressed by position,
 * so the batch of any step follows from (run seed, step) alone and a resumed run sees exactly the batches the
 * uninterrupted run would have seen.
 */
import { mix, permutation, rng } from './random';

export class BatchSampler {
  private epoch = -1;
  private perm: Uint32Array = new Uint32Array(0);

  constructor(
    readonly size: number,
    readonly seed: number,
  ) {
    if (size < 1) throw new Error('cannot sample batches from an empty training set');
  }

  /** Writes the `batch` example indices of `step` (counting from 0) into out[offset ...]. */
  fill(step: number, batch: number, out: Int32Array, offset = 0): void {
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
