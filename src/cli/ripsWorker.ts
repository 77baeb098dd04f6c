// A worker thread of `kleinscope ph`: answers the persistence core's messages (ripsWorkerHandler) on its own port,
// then counts the answer in shared memory so that the calling thread, blocked in Atomics.wait, knows to read it.
import { workerData, type MessagePort } from 'node:worker_threads';
import { ripsWorkerHandler, type RipsWorkerMessage } from '../lib/tda/ripsCohomology';

export interface RipsWorkerData {
  port: MessagePort;
  /** Answers posted, one counter per worker. */
  done: Int32Array;
  index: number;
}

const data = workerData as RipsWorkerData | null;
if (data) {
  const { port, done, index } = data;
  const handle = ripsWorkerHandler();
  port.on('message', (message: RipsWorkerMessage) => {
    try {
      const { reply, transfer } = handle(message);
      port.postMessage(reply, transfer);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      port.postMessage({ error: error.message, name: error.name });
    }
    Atomics.add(done, index, 1);
    Atomics.notify(done, index);
  });
}
