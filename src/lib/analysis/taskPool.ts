/**
 * What the analysis asks of a pool of threads. The CLI injects one made of worker threads, the lab's analysis
 * worker one made of Web Workers (src/lib/threads/taskPool.ts dispatches over either); without one every task runs
 * inline, in this thread, through the same functions, so the output does not depend on the pool or its size.
 *
 * A session sends its context (the large arrays: coordinates, neighbour lists, the layer) to each thread once;
 * its jobs are small (an index, a range) and their results plain data. The analysis never imports a Worker.
 */
import type { TaskContext, TaskInput, TaskName, TaskOutput } from './poolTasks';
import { TASKS } from './poolTasks';
import { abortError } from '../tda/ripsCohomology';

export interface PoolSession<T extends TaskName> {
  /** Runs one job on a free thread; results may arrive in any order. */
  run(input: TaskInput<T>): Promise<TaskOutput<T>>;
  /**
   * Ends the session and frees its context on every thread. Jobs still running are abandoned: their threads are
   * stopped (a cancel must get the CPU back at once) and their promises reject.
   */
  close(): void;
}

export interface TaskPool {
  /** How many jobs run at once. */
  readonly size: number;
  open<T extends TaskName>(task: T, context: TaskContext<T>): PoolSession<T>;
}

/** No threads: each job runs here, when asked, after a turn of the event loop (so a cancel can be seen). */
export const inlinePool: TaskPool = {
  size: 1,
  open<T extends TaskName>(task: T, context: TaskContext<T>): PoolSession<T> {
    const spec = TASKS[task];
    let state: unknown = spec.setup(context as never);
    return {
      async run(input) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (state === undefined) throw new Error(`task pool: the ${task} session is closed`);
        return spec.run(state as never, input as never) as TaskOutput<T>;
      },
      close() {
        state = undefined;
      },
    };
  },
};

/**
 * Runs `count` jobs on the pool and hands each result to `onResult` in job order (a result that arrives early
 * waits for those before it), so a progressive report is the same whatever the pool's size. At most a few jobs
 * per thread are queued ahead, so a cancel leaves little work behind. The session is closed at the end, on an
 * error and on abort.
 */
export async function runInOrder<T extends TaskName>(
  pool: TaskPool,
  task: T,
  context: TaskContext<T>,
  inputs: Array<TaskInput<T>>,
  onResult: (output: TaskOutput<T>, index: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const session = pool.open(task, context);
  const ahead = Math.max(1, 2 * pool.size);
  const pending: Array<Promise<TaskOutput<T>>> = [];
  let aborted: (() => void) | undefined;
  const abort = new Promise<never>((_, reject) => {
    aborted = () => reject(abortError());
  });
  abort.catch(() => undefined);
  const onAbort = () => aborted?.();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let next = 0;
    let done = 0;
    const fill = () => {
      while (next < inputs.length && pending.length - done < ahead) pending.push(session.run(inputs[next++]));
    };
    fill();
    while (done < inputs.length) {
      if (signal?.aborted) throw abortError();
      const output = await Promise.race([pending[done], abort]);
      const index = done++;
      fill();
      onResult(output, index);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    session.close();
    // Results of abandoned jobs reject when their threads stop; nobody waits for them.
    for (const p of pending) p.catch(() => undefined);
  }
}
