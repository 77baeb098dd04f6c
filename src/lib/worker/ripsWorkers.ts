/**
 * The persistence core's ParallelRunner in a browser worker: nested Web Workers (rips.worker.ts) beside the
 * analysis worker. The core is synchronous and blocks in collect(), and a worker blocked in Atomics.wait cannot
 * receive messages, so the answers come back through shared memory: each nested worker writes its answers into a
 * mailbox of its own (threads/sharedMailbox.ts) and bumps one shared signal, on which collect() waits. Messages
 * to the workers still go by postMessage (the receiving workers are not blocked). Needs cross-origin isolation
 * (SharedArrayBuffer).
 */
import { isFailure, type ParallelRunner, type ParallelTuning } from '../tda/parallelRunner';
import { createMailbox, MailboxReader, type MailboxShape } from '../threads/sharedMailbox';

/**
 * What the analysis worker sends a nested worker: its mailbox once, then the core's messages, and after each
 * persistence a release (the worker drops the complex it built, which holds the shared graph, until the next one).
 */
export type RipsWorkerEnvelope =
  { kind: 'mailbox'; mailbox: MailboxShape } | { kind: 'task'; seq: number; message: unknown } | { kind: 'release' };

/** What the runner needs of a Web Worker (a Worker is one). */
export interface NestedWorker {
  postMessage(message: RipsWorkerEnvelope): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

export interface RipsWorkers extends ParallelRunner {
  /** Answers decoded from the nested workers so far (the current broadcast's and late ones alike). */
  readonly answers: number;
  /** Lets the workers drop what they hold of the last persistence (its graph and complex). */
  release(): void;
  close(): void;
}

/** True where a runner can work here: shared memory, and Atomics.wait allowed on this thread. */
export function canShareMemory(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  return g.crossOriginIsolated === true && typeof g.SharedArrayBuffer === 'function';
}

/**
 * Starts `workers` nested workers and resolves once each holds its mailbox, so that none is still loading when
 * the core first waits for it (a worker that is, or that dies, would only cost the core its share: see
 * runChunked). Rejects, with every worker stopped, if one fails to start or `timeoutMs` passes.
 */
export async function startRipsWorkers(
  workers: number,
  spawn: () => NestedWorker,
  options: { tuning?: Partial<ParallelTuning>; timeoutMs?: number } = {},
): Promise<RipsWorkers> {
  if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError(`rips workers: need >= 1, got ${workers}`);
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const started: NestedWorker[] = [];
  const readers: MailboxReader[] = [];
  const close = () => started.forEach((w) => w.terminate());
  try {
    await new Promise<void>((resolve, reject) => {
      let ready = 0;
      const timer = setTimeout(
        () => reject(new Error(`rips workers: not ready after ${options.timeoutMs ?? 10_000} ms`)),
        options.timeoutMs ?? 10_000,
      );
      for (let i = 0; i < workers; i++) {
        const worker = spawn();
        started.push(worker);
        const mailbox = createMailbox(signal);
        readers.push(new MailboxReader(mailbox));
        worker.onmessage = () => {
          worker.onmessage = null;
          if (++ready === workers) {
            clearTimeout(timer);
            resolve();
          }
        };
        worker.onerror = (event) => {
          event.preventDefault();
          clearTimeout(timer);
          reject(new Error(`rips workers: a worker failed to start (${event.message || 'no message'})`));
        };
        worker.postMessage({ kind: 'mailbox', mailbox });
      }
    });
  } catch (e) {
    close();
    throw e;
  }
  let seq = 0;
  let answers = 0;
  return {
    workers,
    tuning: options.tuning,
    get answers() {
      return answers;
    },
    broadcast(message) {
      // What is still in the boxes answers earlier broadcasts: dropped now, so that a box never stays full (its
      // writer blocked) for want of a collect.
      for (const reader of readers) answers += reader.drain().length;
      seq++;
      for (const worker of started) worker.postMessage({ kind: 'task', seq, message });
    },
    collect(count) {
      const got: unknown[] = [];
      while (got.length < count) {
        const seen = Atomics.load(signal, 0);
        for (const reader of readers)
          for (const record of reader.drain()) {
            answers++;
            // Answers to earlier broadcasts are dropped, as the core expects.
            if (record.tag === seq) got.push(record.value);
          }
        // The signal moves after every write, so a wait that began after the drain above cannot miss one.
        if (got.length < count) Atomics.wait(signal, 0, seen);
      }
      const failure = got.find(isFailure);
      if (failure) {
        const e = new Error(failure.error);
        e.name = failure.name;
        throw e;
      }
      return got;
    },
    release() {
      for (const worker of started) worker.postMessage({ kind: 'release' });
    },
    close,
  };
}
