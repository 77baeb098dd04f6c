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

/** An answer that carries the chunks one thread did, by chunk number. */
export interface ChunkReply<T> {
  chunks: Array<{ chunk: number; result: T }>;
}

/** A worker's answer that failed. */
export interface WorkerFailure {
  error: string;
  name: string;
}

export function isFailure(x: unknown): x is WorkerFailure {
  return typeof x === 'object' && x !== null && 'error' in x && typeof (x as WorkerFailure).error === 'string';
}

// The shared counters of one chunked task.
const CLAIMED = 0;
const FINISHED = 1;
const HELPERS = 2;

/**
 * Claims chunks of [0, total) until none is left, running `work(from, to)` on each. A worker counts itself as a
 * helper at its first chunk, before finishing it; every chunk is counted finished, even one that failed, so the
 * calling thread never waits for a chunk forever.
 */
export function claimChunks<T>(
  counter: Int32Array,
  total: number,
  chunk: number,
  work: (from: number, to: number) => T,
  worker = true,
): Array<{ chunk: number; result: T }> {
  const done: Array<{ chunk: number; result: T }> = [];
  let helped = !worker;
  for (;;) {
    const k = Atomics.add(counter, CLAIMED, 1);
    const from = k * chunk;
    if (from >= total) return done;
    if (!helped) {
      helped = true;
      Atomics.add(counter, HELPERS, 1);
    }
    try {
      done.push({ chunk: k, result: work(from, Math.min(total, from + chunk)) });
    } finally {
      Atomics.add(counter, FINISHED, 1);
      Atomics.notify(counter, FINISHED);
    }
  }
}

/**
 * Runs a chunked task on every worker (with `message`, to which the counters, total and chunk size are added) and
 * on the calling thread (with `local`); returns the chunks' results in chunk order. The calling thread waits for
 * the chunks, not for the workers: a worker still starting (or starved by other processes) when the chunks run
 * out is not waited for.
 */
export function runChunked<T>(
  runner: ParallelRunner,
  message: Record<string, unknown>,
  total: number,
  chunk: number,
  local: (from: number, to: number) => T,
): T[] {
  const counter = new Int32Array(new SharedArrayBuffer(12));
  const chunks = Math.ceil(total / chunk);
  runner.broadcast({ ...message, counter, total, chunk });
  const mine = claimChunks(counter, total, chunk, local, false);
  for (let seen = Atomics.load(counter, FINISHED); seen < chunks; seen = Atomics.load(counter, FINISHED))
    Atomics.wait(counter, FINISHED, seen, 1000);
  const helpers = Atomics.load(counter, HELPERS);
  const replies = (helpers > 0 ? runner.collect(helpers) : []) as Array<ChunkReply<T>>;
  const results = new Array<T>(chunks);
  for (const c of mine) results[c.chunk] = c.result;
  for (const r of replies) for (const c of r.chunks) results[c.chunk] = c.result;
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
