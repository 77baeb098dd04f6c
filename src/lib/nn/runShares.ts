/**
 * Runs 0..runs-1 in `workers` contiguous ranges [a, b), as even as possible and at most one per run: how
 * `kleinscope train --workers` and the lab's training workers share a training. Each run has its own seed, so the
 * split changes nothing in any run's numbers.
 */
export function splitRuns(runs: number, workers: number): Array<[number, number]> {
  const w = Math.max(1, Math.min(workers, runs));
  return Array.from({ length: w }, (_, i) => [Math.floor((i * runs) / w), Math.floor(((i + 1) * runs) / w)]);
}
