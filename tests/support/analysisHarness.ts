// Runs in the browser (bundled by tests/support/analysisWorker.ts): the app's built analysis worker driven through
// Comlink, as the lab's AnalysisClient drives it, reporting what the tests compare and time.
import * as Comlink from 'comlink';
import type { AnalysisWorkerApi } from '../../src/lib/worker/analysis.worker';
import type { ResultDocument } from '../../src/lib/result/schema';
import type { AnalysisOptions } from '../../src/lib/analysis/options';

export interface HarnessAnalysis {
  doc: ResultDocument;
  /** The persistence workers the analysis worker started and the answers it decoded from them. */
  threads: { workers: number; answers: number };
  isolated: boolean;
  cores: number;
  /** Wall time of the analyze call, the worker's start excluded. */
  ms: number;
}

/** One analysis of `filters` in a fresh copy of the worker at `workerUrl` (then stopped). */
export async function analyze(
  workerUrl: string,
  filters: number[],
  options: AnalysisOptions,
): Promise<HarnessAnalysis> {
  const worker = new Worker(workerUrl, { type: 'module' });
  const api = Comlink.wrap<AnalysisWorkerApi>(worker);
  try {
    // A first call, so that the worker has loaded before the clock starts.
    await api.persistenceThreads();
    const started = performance.now();
    const doc = await api.analyze({
      filters: Float64Array.from(filters),
      source: { kind: 'synthetic', dataset: 'klein bottle patches' },
      options,
    });
    const ms = performance.now() - started;
    return {
      doc,
      ms,
      threads: await api.persistenceThreads(),
      isolated: crossOriginIsolated,
      cores: navigator.hardwareConcurrency,
    };
  } finally {
    worker.terminate();
  }
}
