/**
 * A pool of threads that run the analysis's tasks (src/lib/analysis/poolTasks.ts), over any kind of thread: the
 * CLI gives it worker threads (src/cli/threadPool.ts), the lab's analysis worker Web Workers
 * (src/lib/worker/taskPoolClient.ts). Threads start on first use. A session's context goes to every thread once;
 * jobs go to whichever thread is free, one at a time each. Closing a session with jobs still running stops their
 * threads (fresh ones start for the next session): a cancel gets its CPU back at once.
 *
 * Shared with any other computation that wants threads: add its task to poolTasks.ts.
 */
import type { PoolSession, TaskPool } from '../analysis/taskPool';
import type { TaskName, TaskReply, TaskRequest } from '../analysis/poolTasks';

/** What the pool needs of a thread. */
export interface ThreadEndpoint {
  post(request: TaskRequest, transfer: ArrayBuffer[]): void;
  /** Replies, and a failure of the thread itself (it is then replaced). */
  listen(onReply: (reply: TaskReply) => void, onFailure: (error: Error) => void): void;
  terminate(): void;
}

interface Thread {
  endpoint: ThreadEndpoint;
  /** Sessions whose context this thread holds. */
  opened: Set<number>;
  busy: { job: number; session: number } | null;
}

interface Job {
  id: number;
  session: number;
  input: unknown;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

export class ThreadTaskPool implements TaskPool {
  readonly size: number;
  #spawn: () => ThreadEndpoint;
  #threads: Thread[] = [];
  #queue: Job[] = [];
  #running = new Map<number, Job>();
  #sessions = new Map<number, { task: TaskName; context: unknown }>();
  #nextSession = 1;
  #nextJob = 1;

  constructor(spawn: () => ThreadEndpoint, size: number) {
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`task pool: size must be >= 1, got ${size}`);
    this.#spawn = spawn;
    this.size = size;
  }

  open<T extends TaskName>(task: T, context: unknown): PoolSession<T> {
    const session = this.#nextSession++;
    this.#sessions.set(session, { task, context: shared(context) });
    return {
      run: (input) =>
        new Promise((resolve, reject) => {
          if (!this.#sessions.has(session)) return reject(new Error(`task pool: the ${task} session is closed`));
          this.#queue.push({ id: this.#nextJob++, session, input, resolve: resolve as never, reject });
          this.#dispatch();
        }),
      close: () => this.#close(session),
    };
  }

  /** Stops every thread; the pool starts fresh ones if it is used again. */
  terminate(): void {
    for (const thread of this.#threads) thread.endpoint.terminate();
    this.#threads = [];
    const stopped = new Error('task pool: terminated');
    for (const job of [...this.#queue, ...this.#running.values()]) job.reject(stopped);
    this.#queue = [];
    this.#running.clear();
    this.#sessions.clear();
  }

  #close(session: number): void {
    if (!this.#sessions.delete(session)) return;
    const closed = new Error('task pool: session closed');
    this.#queue = this.#queue.filter((job) => job.session !== session || (job.reject(closed), false));
    for (const thread of [...this.#threads]) {
      if (thread.busy?.session === session) {
        // Its job's result is no longer wanted: stop the thread rather than wait for it.
        this.#running.get(thread.busy.job)?.reject(closed);
        this.#running.delete(thread.busy.job);
        this.#drop(thread);
      } else if (thread.opened.delete(session)) {
        thread.endpoint.post({ op: 'close', session }, []);
      }
    }
    this.#dispatch();
  }

  #drop(thread: Thread): void {
    thread.endpoint.terminate();
    this.#threads = this.#threads.filter((t) => t !== thread);
  }

  #start(): Thread {
    const thread: Thread = { endpoint: this.#spawn(), opened: new Set(), busy: null };
    thread.endpoint.listen(
      (reply) => {
        const job = this.#running.get(reply.job);
        thread.busy = null;
        if (job) {
          this.#running.delete(reply.job);
          if ('error' in reply) job.reject(new Error(reply.error));
          else job.resolve(reply.output);
        }
        this.#dispatch();
      },
      (error) => {
        if (thread.busy) {
          this.#running.get(thread.busy.job)?.reject(new Error(`a pool thread failed: ${error.message}`));
          this.#running.delete(thread.busy.job);
        }
        this.#drop(thread);
        this.#dispatch();
      },
    );
    this.#threads.push(thread);
    return thread;
  }

  #dispatch(): void {
    while (this.#queue.length) {
      const thread = this.#threads.find((t) => !t.busy) ?? (this.#threads.length < this.size ? this.#start() : null);
      if (!thread) return;
      const job = this.#queue.shift()!;
      const session = this.#sessions.get(job.session)!;
      if (!thread.opened.has(job.session)) {
        thread.endpoint.post({ op: 'open', session: job.session, task: session.task, context: session.context }, []);
        thread.opened.add(job.session);
      }
      thread.busy = { job: job.id, session: job.session };
      this.#running.set(job.id, job);
      thread.endpoint.post({ op: 'run', session: job.session, job: job.id, input: job.input }, []);
    }
  }
}

type View = Float64Array | Float32Array | Uint32Array | Int32Array | Uint8Array;

/**
 * The context with its typed arrays moved to shared memory where the platform allows it (Node; a browser page that is
 * cross-origin isolated, as the app is): every thread then reads one copy instead of receiving its own. Elsewhere the
 * context is sent as it is, copied to each thread.
 */
function shared(context: unknown): unknown {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
  if (typeof g.SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) return context;
  const visit = (v: unknown, depth: number): unknown => {
    if (
      v instanceof Float64Array ||
      v instanceof Float32Array ||
      v instanceof Uint32Array ||
      v instanceof Int32Array ||
      v instanceof Uint8Array
    ) {
      const Type = v.constructor as new (buffer: SharedArrayBuffer) => View;
      const copy = new Type(new SharedArrayBuffer(v.byteLength));
      copy.set(v as never);
      return copy;
    }
    if (v && typeof v === 'object' && !Array.isArray(v) && depth < 4)
      return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, visit(x, depth + 1)]));
    return v;
  };
  return visit(context, 0);
}
