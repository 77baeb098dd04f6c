// The persistence core's ParallelRunner in Node: worker threads, each with a MessageChannel. The core is
// synchronous, so collect() blocks in Atomics.wait and reads the answers with receiveMessageOnPort; the main
// event loop never has to turn while a barcode is computed.
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { isFailure, type ParallelRunner, type ParallelTuning } from '../lib/tda/parallelRunner';
import type { RipsWorkerData } from './ripsWorker';

export interface RipsThreads extends ParallelRunner {
  close(): Promise<void>;
}

/** One worker per core beside the calling thread. */
export function defaultRipsWorkers(): number {
  return Math.max(0, availableParallelism() - 1);
}

/** `worker`: the bundled ripsWorker.js beside this module unless given (tests run the sources, not the bundle). */
export function startRipsThreads(
  workers: number,
  options: { worker?: URL; tuning?: Partial<ParallelTuning> } = {},
): RipsThreads {
  const script = options.worker ?? new URL('./ripsWorker.js', import.meta.url);
  const done = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, workers)));
  const threads: Array<{ worker: Worker; port: MessagePort }> = [];
  for (let index = 0; index < workers; index++) {
    const { port1, port2 } = new MessageChannel();
    const data: RipsWorkerData = { port: port2, done, index };
    const worker = new Worker(script, {
      workerData: data,
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    threads.push({ worker, port: port1 });
  }
  const posted = new Array<number>(workers).fill(0);
  const received = new Array<number>(workers).fill(0);
  return {
    workers,
    tuning: options.tuning,
    broadcast(message) {
      for (let i = 0; i < workers; i++) {
        threads[i].port.postMessage(message);
        posted[i]++;
      }
    },
    collect() {
      const last: unknown[] = [];
      let failure: unknown = null;
      for (let i = 0; i < workers; i++) {
        while (received[i] < posted[i]) {
          const got = receiveMessageOnPort(threads[i].port);
          if (got) {
            received[i]++;
            last[i] = got.message;
            if (isFailure(got.message)) failure ??= got.message;
            continue;
          }
          const seen = Atomics.load(done, i);
          // The count moves after the post: a counted answer not yet readable is a moment away.
          Atomics.wait(done, i, seen, seen > received[i] ? 1 : 1000);
        }
      }
      if (isFailure(failure)) {
        const e = new Error(failure.error);
        e.name = failure.name;
        throw e;
      }
      return last;
    },
    async close() {
      await Promise.all(threads.map(({ worker }) => worker.terminate()));
    },
  };
}
