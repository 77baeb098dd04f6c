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
  edges: number;
  simplices: number;
  columns: number;
  batch: number;
  batchChunk: number;
}

export const DEFAULT_TUNING: ParallelTuning = {
  edges: 1 << 15,
  simplices: 1 << 13,
  columns: 1 << 12,
  batch: 4096,
  batchChunk: 64,
};

export interface ParallelRunner {
  /** Worker threads beside the calling thread. */
  readonly workers: number;
  /** Replaces DEFAULT_TUNING's values (tests use tiny ones, so that small inputs take every parallel path). */
  readonly tuning?: Partial<ParallelTuning>;
  /** Posts one message to every worker; SharedArrayBuffers in it are shared, `transfer` is moved. */
  broadcast(message: unknown): void;
  /**
   * Blocks until every worker has answered every message posted so far; returns each worker's last answer in
   * worker order. A worker's error is thrown here.
   */
  collect(): unknown[];
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

/** A counter that threads claim chunks from. */
export function chunkCounter(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Claims chunks of [0, total) from the counter until none is left, running `work(from, to)` on each. */
export function claimChunks<T>(
  counter: Int32Array,
  total: number,
  chunk: number,
  work: (from: number, to: number) => T,
): Array<{ chunk: number; result: T }> {
  const done: Array<{ chunk: number; result: T }> = [];
  for (;;) {
    const k = Atomics.add(counter, 0, 1);
    const from = k * chunk;
    if (from >= total) return done;
    done.push({ chunk: k, result: work(from, Math.min(total, from + chunk)) });
  }
}

/**
 * Runs a chunked task on every worker (with `message`, to which the counter, total and chunk size are added) and on
 * the calling thread (with `local`); returns the chunks' results in chunk order.
 */
export function runChunked<T>(
  runner: ParallelRunner,
  message: Record<string, unknown>,
  total: number,
  chunk: number,
  local: (from: number, to: number) => T,
): T[] {
  const counter = chunkCounter();
  runner.broadcast({ ...message, counter, total, chunk });
  const mine = claimChunks(counter, total, chunk, local);
  const replies = runner.collect() as Array<ChunkReply<T>>;
  const results = new Array<T>(Math.ceil(total / chunk));
  for (const c of mine) results[c.chunk] = c.result;
  for (const r of replies) for (const c of r.chunks) results[c.chunk] = c.result;
  return results;
}

/** A typed array over shared memory when `shared`, over ordinary memory otherwise. */
export function sharedBuffer(bytes: number, shared: boolean): ArrayBufferLike {
  return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/** A copy of a typed array in shared memory. */
export function toShared<A extends Float32Array | Float64Array | Int32Array | Uint8Array>(a: A): A {
  const ctor = a.constructor as new (buffer: ArrayBufferLike) => A;
  const out = new ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}
