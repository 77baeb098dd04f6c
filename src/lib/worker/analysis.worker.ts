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

// The k-NN search and the confidence resamples run on a pool of workers beside this one (same document as
// without); one core has nothing to share.
let pool: ThreadTaskPool | undefined;
const taskPool = () => (browserThreads() > 1 ? (pool ??= browserTaskPool()) : undefined);

const api = {
  async analyze(
    request: AnalysisRequest,
    onProgress?: ProgressCallback,
    onConfidence?: ConfidenceCallback,
  ): Promise<ResultDocument> {
    const threads = taskPool();
    return analyzeFilters(request.filters, request.source, request.options, {
      ...(threads ? { pool: threads } : {}),
      onProgress: onProgress ? (stage: string, fraction: number) => void onProgress(stage, fraction) : undefined,
      // The verdict so far, after each resample, so a view can show it firming up before the document is done.
      onConfidence: onConfidence ? (c, persistence) => void onConfidence(c, persistence) : undefined,
    });
  },

  /** Bottleneck distance of each pair of diagrams (document bars): the timeline's curve, step to step. */
  bottleneckPairs(pairs: Array<[DocumentBars, DocumentBars]>): number[] {
    return pairs.map(([a, b]) => bottleneck(toDiagram(a), toDiagram(b)));
  },
};

export type AnalysisWorkerApi = typeof api;

Comlink.expose(api);
