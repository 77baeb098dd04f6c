// A Web Worker of the analysis worker's task pool (taskPoolClient.ts): runs the analysis's tasks (k-NN slices,
// confidence resamples) on the data the analysis worker sends, beside it on another core.
import { serveTasks, type TaskRequest } from '../analysis/poolTasks';

const scope = self as unknown as {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<TaskRequest>) => void) | null;
};
const serve = serveTasks((reply, transfer) => scope.postMessage(reply, transfer));
scope.onmessage = (event) => serve(event.data);
