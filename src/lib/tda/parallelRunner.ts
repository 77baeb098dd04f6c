/**
 * What the persistence core needs from threads, without knowing what threads are: the caller (the CLI in Node,
 * with worker_threads) injects a runner whose workers answer each message with `ripsWorkerHandler`. The core stays
 * synchronous: it posts work, does its own share on the calling thread, then blocks until the workers answer.
 * Work is shared out in chunks claimed through one atomic counter, so a core slowed by another process simply
 * claims fewer chunks (as giotto-ph's chunked reduction does).
 */

/**
 * Below these sizes a phase stays on the calling thread (posting and collecting would cost more than it saves);
 * the reduction goes in batches of `batch` columns, claimed `batchChunk` at a time.
 */
export interface ParallelTuning {
  points: number;
  edges: number;
  simplices: number;
  columns: number;
  batch: number;
  batchChunk: number;
}

export const DEFAULT_TUNING: ParallelTuning = {
  points: 512,
  edges: 1 << 15,
  simplices: 1 << 13,
  columns: 64,
  batch: 4096,
  batchChunk: 64,
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

/** What a chunked task adds to its message: shared counters, each chunk's state, and the chunking. */
export interface ChunkTask {
  counter: Int32Array;
  states: Int32Array;
  total: number;
  chunk: number;
}

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
  work: (from: number, to: number) => T,
  post: (reply: ChunkReply<T>) => void,
): void {
  const { counter, states, total, chunk } = task;
  for (;;) {
    const k = Atomics.add(counter, CLAIMED, 1);
    const from = k * chunk;
    if (from >= total) return;
    const result = work(from, Math.min(total, from + chunk));
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
 * workers; when none is left it waits a little (twice its own mean chunk time) for the chunks in workers' hands,
 * then takes over those still unfinished and does them itself. So a worker that is still starting, starved by
 * other processes on a shared machine, or dead, costs at most about one chunk's time, never a hang; results are
 * the same whoever computes them.
 */
export function runChunked<T>(
  runner: ParallelRunner,
  message: Record<string, unknown>,
  total: number,
  chunk: number,
  local: (from: number, to: number) => T,
): T[] {
  const chunks = Math.ceil(total / chunk);
  const task: ChunkTask = {
    counter: new Int32Array(new SharedArrayBuffer(8)),
    states: new Int32Array(new SharedArrayBuffer(4 * Math.max(1, chunks))),
    total,
    chunk,
  };
  const { counter, states } = task;
  runner.broadcast({ ...message, ...task });
  const results = new Array<T>(chunks);
  let spent = 0;
  let mine = 0;
  for (;;) {
    const k = Atomics.add(counter, CLAIMED, 1);
    const from = k * chunk;
    if (from >= total) break;
    Atomics.store(states, k, BY_CALLER);
    const start = performance.now();
    results[k] = local(from, Math.min(total, from + chunk));
    spent += performance.now() - start;
    mine++;
    Atomics.add(counter, FINISHED, 1);
  }
  const until = performance.now() + (mine > 0 ? 2 * (spent / mine) + 1 : 1000);
  for (let seen = Atomics.load(counter, FINISHED); seen < chunks; seen = Atomics.load(counter, FINISHED)) {
    const left = until - performance.now();
    if (left <= 0) break;
    Atomics.wait(counter, FINISHED, seen, left);
  }
  let awaited = 0;
  for (let k = 0; k < chunks; k++) {
    if (Atomics.compareExchange(states, k, OPEN, BY_CALLER) === OPEN)
      results[k] = local(k * chunk, Math.min(total, (k + 1) * chunk));
    else if (Atomics.load(states, k) === BY_WORKER) awaited++;
  }
  if (awaited > 0) for (const r of runner.collect(awaited) as Array<ChunkReply<T>>) results[r.chunk] = r.result;
  return results;
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
