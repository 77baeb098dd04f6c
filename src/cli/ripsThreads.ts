// The persistence core's ParallelRunner in Node: worker threads, each with a MessageChannel. The core is
// synchronous, so collect() blocks in Atomics.wait and reads the answers with receiveMessageOnPort; the main
// event loop never has to turn while a barcode is computed.
import { availableParallelism, loadavg } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { isFailure, type ParallelRunner, type ParallelTuning } from '../lib/tda/parallelRunner';
import type { RipsEnvelope, RipsWorkerData } from './ripsWorker';

export interface RipsThreads extends ParallelRunner {
  close(): Promise<void>;
}

/**
 * One worker per core beside the calling thread, unless the cores are already busy (a load average at or above
 * their number, as make's -l): then threads only wait for each other at every round, and one thread is faster.
 */
export function defaultRipsThreads(): number {
  const cores = availableParallelism();
  return loadavg()[0] < cores ? cores : 1;
}

/** `worker`: the bundled ripsWorker.js beside this module unless given (tests run the sources, not the bundle). */
export function startRipsThreads(
  workers: number,
  options: { worker?: URL; tuning?: Partial<ParallelTuning> } = {},
): RipsThreads {
  const script = options.worker ?? new URL('./ripsWorker.js', import.meta.url);
  // Answers posted by all workers: a count that moves whenever one may be read.
  const answers = new Int32Array(new SharedArrayBuffer(4));
  const ports: MessagePort[] = [];
  const threads: Worker[] = [];
  // The threads start with the first work posted to them: a small input, which the core keeps on the calling
  // thread, never pays for them (about 15 MB and 30 ms each).
  const start = () => {
    for (let index = 0; index < workers; index++) {
      const { port1, port2 } = new MessageChannel();
      const data: RipsWorkerData = { port: port2, answers };
      const worker = new Worker(script, { workerData: data, transferList: [port2] });
      worker.unref();
      port1.unref();
      threads.push(worker);
      ports.push(port1);
    }
  };
  let seq = 0;
  return {
    workers,
    tuning: options.tuning,
    broadcast(message) {
      if (threads.length === 0) start();
      seq++;
      for (const port of ports) port.postMessage({ seq, message } satisfies RipsEnvelope);
    },
    collect(count) {
      const got: unknown[] = [];
      while (got.length < count) {
        const seen = Atomics.load(answers, 0);
        let read = false;
        for (const port of ports) {
          for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
            read = true;
            const { seq: of, message } = m.message as RipsEnvelope;
            if (of === seq) got.push(message);
          }
        }
        // The count moves after the post, so an answer counted but not yet readable is a moment away.
        if (!read && got.length < count) Atomics.wait(answers, 0, seen, 50);
      }
      const failure = got.find(isFailure);
      if (failure) {
        const e = new Error(failure.error);
        e.name = failure.name;
        throw e;
      }
      return got;
    },
    async close() {
      await Promise.all(threads.map((worker) => worker.terminate()));
    },
  };
}
