// The timeline's distance plot: per layer, the H1 bottleneck distance between consecutive snapshot steps. Each
// pair of documents is measured once (in the analysis worker) and kept in a cache keyed by the two documents, so
// a new step costs one pair per layer and a parameter change (new documents) starts afresh. Not reactive: the
// runner (`Training`) shows what `update` hands it.
import type { ResultDocument } from '../result/schema';
import type { DocumentBars } from '../worker/protocol';
import { mapOf } from './maps';

/** What the timeline shows now: its steps, its layers and the analyses at hand, keyed by `key(step, layer)`. */
export interface TimelineView {
  steps: readonly number[];
  layers: readonly number[];
  results: ReadonlyMap<string, ResultDocument>;
  key(step: number, layer: number): string;
}

/** Per layer, values[i] is the distance between steps[i] and steps[i + 1]; null while not yet measured. */
export type LayerDistances = ReadonlyMap<number, Array<number | null>>;

export class TimelineDistances {
  #measure: (pairs: Array<[DocumentBars, DocumentBars]>) => Promise<number[]>;
  #cache = new WeakMap<ResultDocument, WeakMap<ResultDocument, number>>();
  #busy = false;

  /** measure: bottleneck distances of pairs of H1 diagrams (the analysis worker's bottleneckPairs). */
  constructor(measure: (pairs: Array<[DocumentBars, DocumentBars]>) => Promise<number[]>) {
    this.#measure = measure;
  }

  /**
   * Shows the distances known for `view` at once, measures the missing pairs, then goes again with `latest()` (the
   * timeline may have grown meanwhile) until nothing is missing. A call while a measurement runs is dropped: the
   * running one goes again with the latest view when it ends. A failed measurement (cancelled along with the
   * analysis it was queued behind) ends the round; the next update asks again.
   */
  async update(view: TimelineView, show: (distances: LayerDistances) => void, latest: () => TimelineView) {
    if (this.#busy) return;
    const { steps, results, key } = view;
    const todo: Array<{ a: ResultDocument; b: ResultDocument }> = [];
    const next: Array<[number, Array<number | null>]> = [];
    for (const layer of view.layers) {
      const values = steps.slice(1).map((step, i) => {
        const a = results.get(key(steps[i], layer));
        const b = results.get(key(step, layer));
        if (!a || !b) return null;
        const d = this.#cache.get(a)?.get(b);
        if (d === undefined) todo.push({ a, b });
        return d ?? null;
      });
      next.push([layer, values]);
    }
    show(mapOf(next));
    if (todo.length === 0) return;
    this.#busy = true;
    try {
      const h1 = (doc: ResultDocument) => doc.persistence.diagrams[1] ?? [];
      const values = await this.#measure(todo.map(({ a, b }) => [h1(a), h1(b)]));
      todo.forEach(({ a, b }, i) => {
        const inner = this.#cache.get(a) ?? new WeakMap<ResultDocument, number>();
        inner.set(b, values[i]);
        this.#cache.set(a, inner);
      });
    } catch {
      return;
    } finally {
      this.#busy = false;
    }
    await this.update(latest(), show, latest);
  }
}
