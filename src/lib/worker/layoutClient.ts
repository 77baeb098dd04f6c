import * as Comlink from 'comlink';
import type { MapperGraph } from '../result/schema';
import { forceLayout, type GraphLayout, type LayoutOptions } from '../plot/forceLayout';
import type { LayoutWorkerApi } from './layout.worker';

class WorkerFailed extends Error {}

interface LayoutWorker {
  remote: Comlink.Remote<LayoutWorkerApi>;
  /** Rejects if the worker cannot load or dies: Comlink's calls would otherwise wait forever. */
  failed: Promise<never>;
}

// One worker serves every graph on the page (the timeline draws dozens); it starts at the first layout.
let worker: LayoutWorker | null = null;

function start(): LayoutWorker {
  const w = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
  const failed = new Promise<never>((_, reject) =>
    w.addEventListener('error', (e) => reject(new WorkerFailed(e.message || 'the layout worker failed')), {
      once: true,
    }),
  );
  failed.catch(() => undefined);
  return { remote: Comlink.wrap<LayoutWorkerApi>(w), failed };
}

/**
 * forceLayout in the layout worker; the simulation is deterministic, so the picture is the one the main thread
 * would draw. Where no worker can run, the layout runs here instead. The graph must be plain data (a Svelte
 * state proxy cannot be posted: pass $state.snapshot of it).
 */
export async function layoutOffThread(graph: MapperGraph, options: LayoutOptions): Promise<GraphLayout> {
  if (typeof Worker === 'undefined') return forceLayout(graph, options);
  worker ??= start();
  try {
    return await Promise.race([worker.remote.forceLayout(graph, options), worker.failed]);
  } catch (e) {
    if (!(e instanceof WorkerFailed)) throw e;
    worker = null;
    return forceLayout(graph, options);
  }
}
