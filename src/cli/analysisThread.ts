// A worker thread of the CLI's task pool (threadPool.ts): runs the analysis's tasks (k-NN slices, confidence
// resamples) on the data the main thread sends.
import { parentPort } from 'node:worker_threads';
import { serveTasks, type TaskRequest } from '../lib/analysis/poolTasks';

const port = parentPort;
if (port) {
  const serve = serveTasks((reply, transfer) => port.postMessage(reply, transfer));
  port.on('message', (request: TaskRequest) => serve(request));
}
