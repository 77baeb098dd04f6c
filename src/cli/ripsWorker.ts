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
  port.on('message', ({ seq, message }: RipsEnvelope) => {
    try {
      const { reply, transfer } = handle(message as RipsWorkerMessage);
      // No answer when there is nothing to say (set up, or every chunk taken before this thread came to it).
      if (reply === null) return;
      port.postMessage({ seq, message: reply } satisfies RipsEnvelope, transfer);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      port.postMessage({ seq, message: { error: error.message, name: error.name } } satisfies RipsEnvelope);
    }
    Atomics.add(answers, 0, 1);
    Atomics.notify(answers, 0);
  });
}
