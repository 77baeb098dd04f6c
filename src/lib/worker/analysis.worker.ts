// The Web Worker that runs the analysis off the main thread. It holds no state between calls: the page sends
// filters and options, gets a result document back, and progress arrives through a Comlink-proxied callback.
import * as Comlink from 'comlink';
import { analyzeFilters } from '../analysis/pipeline';
import { bottleneck } from '../tda/diagramDistance';
import type { ResultDocument } from '../result/schema';
import type { AnalysisRequest, ConfidenceCallback, DocumentBars, ProgressCallback } from './protocol';
import { toDiagram } from './protocol';
import { browserTaskPool, browserThreads } from './taskPoolClient';
import type { ThreadTaskPool } from '../threads/taskPool';
import { canShareMemory, startRipsWorkers, type RipsWorkers } from './ripsWorkers';
// Inlined, as the pool worker is (taskPoolClient.ts): a nested worker's own file would not be precached.
import RipsWorker from './rips.worker.ts?worker&inline';

// The k-NN search and the confidence resamples run on a pool of workers beside this one (same document as
// without); one core has nothing to share.
let pool: ThreadTaskPool | undefined;
const taskPool = () => (browserThreads() > 1 ? (pool ??= browserTaskPool()) : undefined);

// The persistence of the full data runs on this worker and nested ones, one per spare core, where memory can be
// shared (a cross-origin isolated page). They work only in the ph and circular stages, while the pool's workers
// are idle (the pool takes the k-NN before and the resamples after), so the two never compete for the cores.
// Started once, before the first analysis that uses them; if they cannot start, persistence stays on this thread.
let rips: Promise<RipsWorkers | undefined> | undefined;
function persistenceRunner(): Promise<RipsWorkers | undefined> {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 1 : 1;
  if (cores < 2 || !canShareMemory()) return Promise.resolve(undefined);
  return (rips ??= startRipsWorkers(Math.min(cores, 8) - 1, () => new RipsWorker()).catch(() => undefined));
}

const api = {
  async analyze(
    request: AnalysisRequest,
    onProgress?: ProgressCallback,
    onConfidence?: ConfidenceCallback,
  ): Promise<ResultDocument> {
    const threads = taskPool();
    const runner = await persistenceRunner();
    try {
      return await analyzeFilters(request.filters, request.source, request.options, {
        ...(threads ? { pool: threads } : {}),
        ...(runner ? { runner } : {}),
        onProgress: onProgress ? (stage: string, fraction: number) => void onProgress(stage, fraction) : undefined,
        // The verdict so far, after each resample, so a view can show it firming up before the document is done.
        onConfidence: onConfidence ? (c, persistence) => void onConfidence(c, persistence) : undefined,
      });
    } finally {
      runner?.release();
    }
  },

  /** The persistence workers' count and the answers they have sent (0 and 0 where persistence is serial). */
  async persistenceThreads(): Promise<{ workers: number; answers: number }> {
    const runner = await rips;
    return { workers: runner?.workers ?? 0, answers: runner?.answers ?? 0 };
  },

  /** Bottleneck distance of each pair of diagrams (document bars): the timeline's curve, step to step. */
  bottleneckPairs(pairs: Array<[DocumentBars, DocumentBars]>): number[] {
    return pairs.map(([a, b]) => bottleneck(toDiagram(a), toDiagram(b)));
  },
};

export type AnalysisWorkerApi = typeof api;

Comlink.expose(api);
