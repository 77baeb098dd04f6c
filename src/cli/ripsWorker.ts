// A worker thread of `kleinscope ph`: answers the persistence core's messages (ripsWorkerHandler) on its own port,
// then counts the answer in shared memory so that the calling thread, blocked in Atomics.wait, knows to read it.
import { workerData, type MessagePort } from 'node:worker_threads';
import { ripsWorkerHandler, type RipsWorkerMessage } from '../lib/tda/ripsCohomology';

export interface RipsWorkerData {
  port: MessagePort;
  /** Answers posted by all workers. */
  answers: Int32Array;
}

/** A message and its answer carry the broadcast's number, so that late answers to old ones are dropped. */
export interface RipsEnvelope {
  seq: number;
  message: unknown;
}

const data = workerData as RipsWorkerData | null;
if (data) {
  const { port, answers } = data;
  const handle = ripsWorkerHandler();
  const answer = (seq: number, message: unknown, transfer: ArrayBuffer[] = []) => {
    port.postMessage({ seq, message } satisfies RipsEnvelope, transfer);
    Atomics.add(answers, 0, 1);
    Atomics.notify(answers, 0);
  };
  port.on('message', ({ seq, message }: RipsEnvelope) => {
    try {
      handle(message as RipsWorkerMessage, (reply, transfer) => answer(seq, reply, transfer));
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      answer(seq, { error: error.message, name: error.name });
    }
  });
}
