/**
 * What the persistence core needs from threads, without knowing what threads are: the caller (the CLI in Node,
 * with worker_threads) injects a runner whose workers answer each message with `ripsWorkerHandler`. The core stays
 * synchronous: it posts work, does its own share on the calling thread, then blocks until the workers answer.
 * Work is shared out in chunks claimed through one atomic counter, so a core slowed by another process simply
 * claims fewer chunks (as giotto-ph's chunked reduction does).
 */

/**
 * Below these sizes a phase stays on the calling thread (posting and collecting would cost more than it saves);
 * below `parallelEdges` edges under the threshold the whole persistence does. The reduction goes in batches of
 * `batch` columns, claimed `batchChunk` at a time. `patience`: how long (ms) a chunk in a worker's hands may go
 * without a heartbeat before the calling thread does it itself.
 */
export interface ParallelTuning {
  parallelEdges: number;
  points: number;
  edges: number;
  simplices: number;
  columns: number;
  batch: number;
  batchChunk: number;
  patience: number;
}

// Measured on the 2-core dev machine at a quiet moment: o3_1024 (33,000 edges), 800 Gaussian points (35,000) and
// sphere_3_192 (18,000) took longer on two threads than on one, o3_4096 (234,000) less; a 2,000-point torus (79,000)
// took as long (0.64-0.67 s against 0.59-0.64 s in two runs), for a worker's 15 MB. The distances of o3_4096 (0.25 s) and cyclooctane (6,040 points) took as long on two threads as on one: a
// worker's first chunks run before V8 has optimised its code, 10-20 times slower than the calling thread's, and
// cyclooctane, whose H1 reduction stays on one thread, paid 14 MB for the worker all the same.
export const DEFAULT_TUNING: ParallelTuning = {
  parallelEdges: 131_072,
  points: 16_384,
  edges: 1 << 15,
  simplices: 1 << 13,
  columns: 64,
  batch: 4096,
  batchChunk: 64,
  patience: 2000,
};

export interface ParallelRunner {
  /** Worker threads beside the calling thread. */
  readonly workers: number;
  /** Replaces DEFAULT_TUNING's values (tests use tiny ones, so that small inputs take every parallel path). */
  readonly tuning?: Partial<ParallelTuning>;
  /** Posts one message to every worker; SharedArrayBuffers in it are shared. */
  broadcast(message: unknown): void;
  /**
   * Blocks until `count` workers have answered the latest broadcast and returns those answers; answers to
   * earlier broadcasts are dropped as they come. A worker's error is thrown here.
   */
  collect(count: number): unknown[];
}

/** A worker's answer: one chunk's result. */
export interface ChunkReply<T> {
  chunk: number;
  result: T;
}

/** A worker's answer that failed. */
export interface WorkerFailure {
  error: string;
  name: string;
}

export function isFailure(x: unknown): x is WorkerFailure {
  return typeof x === 'object' && x !== null && 'error' in x && typeof (x as WorkerFailure).error === 'string';
}

/**
 * What a chunked task adds to its message: shared counters, each chunk's state and heartbeat (moved by whoever
 * works on it), and the chunking: chunk k is the items starts[k] to starts[k + 1].
 */
export interface ChunkTask {
  counter: Int32Array;
  states: Int32Array;
  beats: Int32Array;
  starts: Int32Array;
}

/** Chunk starts for items 0..total in chunks of `size` (the last one shorter). */
export function evenChunks(total: number, size: number): Int32Array {
  const chunks = Math.ceil(total / size);
  const starts = new Int32Array(chunks + 1);
  for (let k = 0; k < chunks; k++) starts[k] = k * size;
  starts[chunks] = total;
  return starts;
}

/** Called now and then by long work on a chunk, so that the calling thread knows its worker is alive. */
export type Heartbeat = () => void;

// The counters of a task, and the states of a chunk: whoever finishes it first (by compare-and-swap) owns it.
const CLAIMED = 0;
const FINISHED = 1;
const OPEN = 0;
const BY_WORKER = 1;
const BY_CALLER = 2;

/**
 * A worker's side of a chunked task: claims chunks until none is left and posts each result, unless the calling
 * thread has taken the chunk over meanwhile (then the result is dropped).
 */
export function workChunks<T>(
  task: ChunkTask,
  work: (from: number, to: number, beat: Heartbeat) => T,
  post: (reply: ChunkReply<T>) => void,
): void {
  const { counter, states, beats, starts } = task;
  for (;;) {
    const k = Atomics.add(counter, CLAIMED, 1);
    if (k >= starts.length - 1) return;
    const result = work(starts[k], starts[k + 1], () => Atomics.add(beats, k, 1));
    if (Atomics.compareExchange(states, k, OPEN, BY_WORKER) === OPEN) {
      post({ chunk: k, result });
      Atomics.add(counter, FINISHED, 1);
      Atomics.notify(counter, FINISHED);
    }
  }
}

/** The buffers of the (not shared) typed arrays in a result, to move rather than copy. */
export function transferables(result: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const visit = (x: unknown, depth: number) => {
    if (ArrayBuffer.isView(x)) {
      if (x.buffer instanceof ArrayBuffer && !out.includes(x.buffer)) out.push(x.buffer);
    } else if (typeof x === 'object' && x !== null && depth < 2) for (const v of Object.values(x)) visit(v, depth + 1);
  };
  visit(result, 0);
  return out;
}

/**
 * Runs a chunked task on every worker (with `message`, to which the ChunkTask fields are added) and on the calling
 * thread (with `local`); returns the chunks' results in chunk order. The calling thread claims chunks like the
 * workers; when none is left it waits for the chunks in workers' hands as long as each one's heartbeat moves (the
 * chunk's work beats now and then), and does a chunk itself once its heartbeat has been still for the tuning's
 * `patience` and four times its own mean chunk time. A worker still starting claims nothing, so costs nothing; a
 * dead one costs one patience per chunk it held, never a hang. Waiting rather than racing matters: a few columns
 * of a reduction can take seconds each (the essential classes of o3_4096), and doing such a chunk twice (as an
 * earlier version did after twice the mean chunk time) left the worker's copy wasted. Results are the same
 * whoever computes them.
 */
export function runChunked<T>(
  runner: ParallelRunner,
  message: Record<string, unknown>,
  starts: Int32Array,
  local: (from: number, to: number) => T,
): T[] {
  return startChunked<T>(runner, message, starts).finish(local);
}

/** A chunked task posted to the workers, which the calling thread joins when it is free (see runChunked). */
export interface ChunkedRun<T> {
  /** Whether every chunk has been claimed (the workers then have nothing more to take). */
  allClaimed(): boolean;
  /** Does chunks with `local` until none is left, waits for the workers' and returns all results in order. */
  finish(local: (from: number, to: number) => T): T[];
  /** Leaves the run unfinished (the caller failed or was aborted): workers take no further chunk of it. */
  abandon(): void;
}

/**
 * Posts a chunked task to the workers and returns at once, so that the calling thread can do other work (the
 * reduction of one dimension while the workers assemble the next) before it joins with finish(). Until finish()
 * returns nothing else may be posted: a later broadcast would drop the workers' answers to this one.
 */
export function startChunked<T>(
  runner: ParallelRunner,
  message: Record<string, unknown>,
  starts: Int32Array,
): ChunkedRun<T> {
  const chunks = starts.length - 1;
  const task: ChunkTask = {
    counter: new Int32Array(new SharedArrayBuffer(8)),
    states: new Int32Array(new SharedArrayBuffer(4 * Math.max(1, chunks))),
    beats: new Int32Array(new SharedArrayBuffer(4 * Math.max(1, chunks))),
    starts,
  };
  const { counter, states, beats } = task;
  const patience = runner.tuning?.patience ?? DEFAULT_TUNING.patience;
  runner.broadcast({ ...message, ...task });
  return {
    allClaimed: () => Atomics.load(counter, CLAIMED) >= chunks,
    abandon: () => void Atomics.add(counter, CLAIMED, chunks),
    finish(local) {
      const results = new Array<T>(chunks);
      let spent = 0;
      let mine = 0;
      for (;;) {
        const k = Atomics.add(counter, CLAIMED, 1);
        if (k >= chunks) break;
        Atomics.store(states, k, BY_CALLER);
        const start = performance.now();
        results[k] = local(starts[k], starts[k + 1]);
        spent += performance.now() - start;
        mine++;
        Atomics.add(counter, FINISHED, 1);
      }
      const still = Math.max(patience, mine > 0 ? 4 * (spent / mine) : 0);
      const beat = new Int32Array(chunks);
      const moved = new Float64Array(chunks).fill(performance.now());
      for (let seen = Atomics.load(counter, FINISHED); seen < chunks; seen = Atomics.load(counter, FINISHED)) {
        const now = performance.now();
        for (let k = 0; k < chunks; k++) {
          if (Atomics.load(states, k) !== OPEN) continue;
          const b = Atomics.load(beats, k);
          if (b !== beat[k]) {
            beat[k] = b;
            moved[k] = now;
          } else if (now - moved[k] > still && Atomics.compareExchange(states, k, OPEN, BY_CALLER) === OPEN) {
            results[k] = local(starts[k], starts[k + 1]);
            Atomics.add(counter, FINISHED, 1);
          }
        }
        Atomics.wait(counter, FINISHED, seen, Math.min(50, still));
      }
      let awaited = 0;
      for (let k = 0; k < chunks; k++) if (Atomics.load(states, k) === BY_WORKER) awaited++;
      if (awaited > 0) for (const r of runner.collect(awaited) as Array<ChunkReply<T>>) results[r.chunk] = r.result;
      return results;
    },
  };
}

/** A typed array over shared memory when `shared`, over ordinary memory otherwise. */
export function sharedBuffer(bytes: number, shared: boolean): ArrayBufferLike {
  return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/** A copy of a typed array in shared memory. */
export function toShared<A extends Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array>(a: A): A {
  const ctor = a.constructor as new (buffer: ArrayBufferLike) => A;
  const out = new ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}
