/**
 * The tasks a thread of the pool can run (taskPool.ts), and the loop a thread runs: a thread of the CLI
 * (src/cli/analysisThread.ts) and a Web Worker of the lab (src/lib/worker/pool.worker.ts) both hand every message
 * to serveTasks. Each task has a setup (its session's context, sent once) and a run (one job). Plain data only.
 */
import { knnRows, kthNeighbourDistanceRows, type KdTree, type Neighbours } from '../tda/knn';
import { resampleOne, type ResampleContext, type ResampledBarcode } from './resampling';

interface Task<C, S, I, O> {
  setup(context: C): S;
  run(state: S, input: I): O;
}

function task<C, S, I, O>(spec: Task<C, S, I, O>): Task<C, S, I, O> {
  return spec;
}

/** A slice of tree positions [from, to). */
export interface Rows {
  from: number;
  to: number;
}

export const TASKS = {
  /** One confidence resample by its index (resampling.ts); null when it had too few points to count. */
  resample: task({
    setup: (context: ResampleContext) => context,
    run: (context: ResampleContext, index: number): ResampledBarcode | null => resampleOne(context, index),
  }),
  /** Bounded k-th neighbour distances of a slice of a k-d tree's points (the density core's search). */
  kthWithin: task({
    setup: (context: { tree: KdTree; k: number }) => context,
    run: (c: { tree: KdTree; k: number }, input: Rows & { radius: number }): Float64Array =>
      kthNeighbourDistanceRows(c.tree, c.k, input.radius, input.from, input.to),
  }),
  /** The k nearest neighbours of a slice of a k-d tree's points. */
  knnRows: task({
    setup: (context: { tree: KdTree; k: number }) => context,
    run: (c: { tree: KdTree; k: number }, input: Rows): Neighbours => knnRows(c.tree, c.k, input.from, input.to),
  }),
};

export type TaskName = keyof typeof TASKS;
export type TaskContext<T extends TaskName> = Parameters<(typeof TASKS)[T]['setup']>[0];
export type TaskInput<T extends TaskName> = Parameters<(typeof TASKS)[T]['run']>[1];
export type TaskOutput<T extends TaskName> = ReturnType<(typeof TASKS)[T]['run']>;

/** Page to thread. */
export type TaskRequest =
  | { op: 'open'; session: number; task: TaskName; context: unknown }
  | { op: 'run'; session: number; job: number; input: unknown }
  | { op: 'close'; session: number };

/** Thread to page: a job's output, or the message of what it threw. */
export type TaskReply = { job: number; output: unknown } | { job: number; error: string };

/** The typed arrays of an output, to be transferred rather than copied. */
export function transferables(value: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const visit = (v: unknown, depth: number) => {
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer && !out.includes(v.buffer)) out.push(v.buffer);
    } else if (v && typeof v === 'object' && depth < 4) for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(value, 0);
  return out;
}

/** A thread's side: returns the handler of its messages; replies go through `post`. */
export function serveTasks(post: (reply: TaskReply, transfer: ArrayBuffer[]) => void): (request: TaskRequest) => void {
  const sessions = new Map<number, { task: TaskName; state: unknown }>();
  return (request) => {
    if (request.op === 'open') {
      sessions.set(request.session, {
        task: request.task,
        state: TASKS[request.task].setup(request.context as never),
      });
    } else if (request.op === 'close') {
      sessions.delete(request.session);
    } else {
      const session = sessions.get(request.session);
      try {
        if (!session) throw new Error(`task pool: no session ${request.session} on this thread`);
        const output = TASKS[session.task].run(session.state as never, request.input as never);
        post({ job: request.job, output }, transferables(output));
      } catch (e) {
        post({ job: request.job, error: e instanceof Error ? e.message : String(e) }, []);
      }
    }
  };
}
