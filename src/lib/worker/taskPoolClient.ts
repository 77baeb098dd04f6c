// The analysis worker's task pool: Web Workers (pool.worker.ts) that take the k-NN slices and the confidence
// resamples, so the lab's analysis uses the other cores. Started by the analysis worker, so terminating it (the
// page's cancel) stops them too.
import type { TaskReply } from '../analysis/poolTasks';
import { ThreadTaskPool } from '../threads/taskPool';
// Inlined into the analysis worker's own file: a worker started from a worker is not in SvelteKit's list of build
// files, so as a file of its own the service worker would not precache it and the lab offline would lack it.
import PoolWorker from './pool.worker.ts?worker&inline';

/** Workers of the pool: one per core, as the browser reports them (the analysis worker only waits meanwhile). */
export function browserThreads(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 0;
  return Math.max(1, Math.min(cores || 2, 8));
}

export function browserTaskPool(size = browserThreads()): ThreadTaskPool {
  return new ThreadTaskPool(() => {
    const worker = new PoolWorker();
    return {
      post: (request, transfer) => worker.postMessage(request, transfer),
      listen(onReply, onFailure) {
        worker.onmessage = (event: MessageEvent<TaskReply>) => onReply(event.data);
        worker.onerror = (event) => {
          event.preventDefault();
          onFailure(new Error(event.message || 'the pool worker failed to start'));
        };
      },
      terminate: () => worker.terminate(),
    };
  }, size);
}
