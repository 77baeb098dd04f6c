// The CLI's task pool: worker threads (analysisThread.ts) running the analysis's tasks, one per core by default.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TaskReply } from '../lib/analysis/poolTasks';
import { ThreadTaskPool } from '../lib/threads/taskPool';

/** The bundled thread's file, beside the CLI's bundle (build.js makes it an entry of its own). */
const THREAD = new URL('./analysisThread.js', import.meta.url);

/** Threads of the pool: one per core (the main thread only waits while they work). */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * A pool of `size` worker threads running `script` (the bundled analysisThread.js). A thread keeps the process
 * alive only while it has a job (an idle pool never holds the process open); terminate() stops them at once.
 */
export function nodeTaskPool(size = defaultThreads(), script: URL = THREAD): ThreadTaskPool {
  return new ThreadTaskPool(() => {
    const worker = new Worker(script);
    worker.unref();
    return {
      post(request, transfer) {
        if (request.op === 'run') worker.ref();
        worker.postMessage(request, transfer);
      },
      listen(onReply, onFailure) {
        worker.on('message', (reply: TaskReply) => {
          worker.unref();
          onReply(reply);
        });
        worker.on('error', onFailure);
        worker.on('exit', (code) => {
          if (code !== 0) onFailure(new Error(`exited with code ${code}`));
        });
      },
      terminate: () => void worker.terminate(),
    };
  }, size);
}
