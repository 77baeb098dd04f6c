import * as Comlink from 'comlink';
import { barLoop, type BarLoop } from '../analysis/barLoop';
import type { LoopWorkerApi } from './loop.worker';

/**
 * barLoop in a worker of its own, ended once it answers (a bar is clicked now and then, so none is kept running).
 * Where no worker can run, it runs here instead.
 */
export async function barLoopOffThread(
  coreFilters: ArrayLike<number>,
  birth: number,
  death: number | null,
): Promise<BarLoop | null> {
  const filters = Float64Array.from(coreFilters);
  if (typeof Worker === 'undefined') return barLoop(filters, birth, death);
  const w = new Worker(new URL('./loop.worker.ts', import.meta.url), { type: 'module' });
  try {
    const failed = new Promise<never>((_, reject) =>
      w.addEventListener('error', (e) => reject(new Error(e.message || 'the loop worker failed')), { once: true }),
    );
    return await Promise.race([Comlink.wrap<LoopWorkerApi>(w).barLoop(filters, birth, death), failed]);
  } finally {
    w.terminate();
  }
}
