import * as Comlink from 'comlink';
import type { MapperGraph } from '../result/schema';
import { layOut, layoutGraph, type GraphLayout, type LayoutGraph, type LayoutOptions } from '../plot/forceLayout';
import type { LayoutWorkerApi } from './layout.worker';

class WorkerFailed extends Error {}

interface LayoutWorker {
  worker: Worker;
  remote: Comlink.Remote<LayoutWorkerApi>;
  /** Rejects if the worker cannot load or dies: Comlink's calls would otherwise wait forever. */
  failed: Promise<never>;
}

interface Job {
  /** The graph as given, to lay out here if the worker fails (the posted arrays are transferred away). */
  source: MapperGraph;
  graph: LayoutGraph;
  options: LayoutOptions;
  signal?: AbortSignal;
  resolve: (layout: GraphLayout) => void;
  reject: (reason: unknown) => void;
}

/**
 * Wall-clock cap on one layout in the worker. The tick budget already bounds the work by the graph's size; this
 * bounds it on a slow or busy machine too, so the largest graph still shows a picture within a few seconds.
 */
const TIME_BUDGET_MS = 1000;

// One worker serves every graph on the page (the timeline draws dozens), one layout at a time, in request order.
// A job whose view went away is dropped from the queue, and if it is the one running, the worker is terminated:
// a simulation cannot be interrupted from outside, and the next view must not wait behind an abandoned layout.
let current: LayoutWorker | null = null;
let running: Job | null = null;
const queue: Job[] = [];

function start(): LayoutWorker {
  const worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
  const failed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (e) => reject(new WorkerFailed(e.message || 'the layout worker failed')), {
      once: true,
    }),
  );
  failed.catch(() => undefined);
  return { worker, remote: Comlink.wrap<LayoutWorkerApi>(worker), failed };
}

function aborted(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('the layout was cancelled', 'AbortError');
}

async function runNext(): Promise<void> {
  if (running) return;
  const job = queue.shift();
  if (!job) return;
  running = job;
  const w = (current ??= start());
  const options = { timeBudgetMs: TIME_BUDGET_MS, ...job.options };
  try {
    const { size, lens, edges } = job.graph;
    const call = w.remote.layOut(Comlink.transfer(job.graph, [size.buffer, lens.buffer, edges.buffer]), options);
    job.resolve(await Promise.race([call, w.failed]));
  } catch (e) {
    if (running !== job) return; // cancelled: the abort handler settled the job and moved on
    if (e instanceof WorkerFailed) {
      current = null;
      job.resolve(layOut(layoutGraph(job.source), options));
    } else job.reject(e);
  }
  if (running === job) {
    running = null;
    void runNext();
  }
}

function cancel(job: Job): void {
  job.reject(aborted(job.signal!));
  const queued = queue.indexOf(job);
  if (queued >= 0) {
    queue.splice(queued, 1);
    return;
  }
  if (running !== job) return;
  current?.worker.terminate();
  current = null;
  running = null;
  void runNext();
}

/**
 * forceLayout in the layout worker; the simulation is deterministic, so the picture is the one the main thread
 * would draw (unless the time cap cut it short). Where no worker can run, the layout runs here instead. The graph
 * may be a Svelte state proxy: only its layout form (typed arrays) is posted. Aborting `signal`
 * rejects with its reason and frees the worker for the next layout at once.
 */
export function layoutOffThread(
  graph: MapperGraph,
  options: LayoutOptions,
  signal?: AbortSignal,
): Promise<GraphLayout> {
  if (signal?.aborted) return Promise.reject(aborted(signal));
  const input = layoutGraph(graph);
  if (typeof Worker === 'undefined')
    return Promise.resolve(layOut(input, { timeBudgetMs: TIME_BUDGET_MS, ...options }));
  return new Promise<GraphLayout>((resolve, reject) => {
    const job: Job = { source: graph, graph: input, options, signal, resolve, reject };
    signal?.addEventListener('abort', () => cancel(job), { once: true });
    queue.push(job);
    void runNext();
  });
}
