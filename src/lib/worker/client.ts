import * as Comlink from 'comlink';
import type { ResultDocument } from '../result/schema';
import type { AnalysisWorkerApi } from './analysis.worker';
import type { AnalysisRequest, ConfidenceCallback, DocumentBars, ProgressCallback } from './protocol';

export class CancelledError extends Error {
  constructor() {
    super('analysis cancelled');
    this.name = 'CancelledError';
  }
}

/**
 * The page's handle on the analysis worker.
 *
 * Cancelling terminates the worker and starts a fresh one. A message cannot stop it: the analysis is one
 * synchronous computation, so the worker's event loop never runs (and never sees a cancel message or an
 * AbortSignal) until it is done. Terminating is the only way to get the CPU back at once.
 */
export class AnalysisClient {
  #worker!: Worker;
  #remote!: Comlink.Remote<AnalysisWorkerApi>;
  #pending = new Set<(err: Error) => void>();

  constructor() {
    this.#spawn();
  }

  #spawn() {
    this.#worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module' });
    this.#remote = Comlink.wrap<AnalysisWorkerApi>(this.#worker);
  }

  /** Rejects with CancelledError if cancel() is called first. */
  analyze(
    request: AnalysisRequest,
    onProgress?: ProgressCallback,
    onConfidence?: ConfidenceCallback,
  ): Promise<ResultDocument> {
    const call = this.#remote.analyze(
      request,
      onProgress ? Comlink.proxy(onProgress) : undefined,
      onConfidence ? Comlink.proxy(onConfidence) : undefined,
    );
    return this.#track(call as Promise<ResultDocument>);
  }

  bottleneckPairs(pairs: Array<[DocumentBars, DocumentBars]>): Promise<number[]> {
    return this.#track(this.#remote.bottleneckPairs(pairs) as Promise<number[]>);
  }

  #track<T>(call: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.add(reject);
      call.then(
        (v) => {
          this.#pending.delete(reject);
          resolve(v);
        },
        (e: unknown) => {
          this.#pending.delete(reject);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  /** Stops whatever the worker is doing; pending calls reject with CancelledError. */
  cancel() {
    this.#worker.terminate();
    for (const reject of this.#pending) reject(new CancelledError());
    this.#pending.clear();
    this.#spawn();
  }

  dispose() {
    this.#worker.terminate();
    for (const reject of this.#pending) reject(new CancelledError());
    this.#pending.clear();
  }
}
