// The lab's analyses: one per subject (a layer's filters at a training step, or a layer of an imported model),
// computed one at a time in the worker, the one on screen first. Changing a parameter drops every result and
// cancels the computation under way, so the page never waits for an analysis nobody will look at.
import type { ResultDocument, Source } from '../result/schema';
import { verdictOf, type Verdict } from '../analysis/verdict';
import type { AnalysisFilters, AnalysisOptions } from '../worker/protocol';
import { AnalysisClient, CancelledError } from '../worker/client';
import { createEta, type Eta } from './eta';
import { mapOf, withEntry } from './maps';

export interface Subject {
  /** Unique within the lab: `step:layer` for training snapshots, `model:layer` for imported models. */
  key: string;
  label: string;
  layer: number;
  step?: number;
  filters: AnalysisFilters;
  source: Source;
}

/** Somewhere analyses outlive the page (IndexedDB), keyed by the subject and the options. */
export interface AnalysisCache {
  get(subject: Subject, options: string): Promise<ResultDocument | undefined>;
  put(subject: Subject, options: string, doc: ResultDocument): Promise<void>;
}

/** Options as a stable string (sorted keys), so equal settings give equal cache keys. */
export function optionsKey(options: AnalysisOptions): string {
  const o = options as Record<string, unknown>;
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    ),
  );
}

export interface AnalysisProgress {
  label: string;
  stage: string;
  fraction: number;
  etaSeconds: number | null;
  queued: number;
}

/**
 * The verdict of the analysis under way, from the resamples done so far (the worker reports each one): the page
 * states it as it firms up, then the document's own verdict replaces it.
 */
export interface ProvisionalVerdict {
  key: string;
  label: string;
  /** Resamples done, and how many the analysis runs. */
  done: number;
  total: number;
  verdict: Verdict;
}

export class Analyses {
  subjects = $state.raw<Subject[]>([]);
  results = $state.raw<ReadonlyMap<string, ResultDocument>>(mapOf());
  errors = $state.raw<ReadonlyMap<string, string>>(mapOf());
  progress = $state<AnalysisProgress | null>(null);
  /** The verdict so far of the subject being analysed; null between resamples' first report and its document. */
  provisional = $state.raw<ProvisionalVerdict | null>(null);
  /** The last failure to cache an analysis, shown in the page. */
  storeError = $state<string | null>(null);
  /** The subject shown in the main view; analysed before any other. */
  focus = $state<string | null>(null);

  /** Where cached analyses of a subject live, if anywhere (training sessions have one; imports do not). */
  cacheOf: (subject: Subject) => AnalysisCache | undefined;

  #client: AnalysisClient | null = null;
  #options: AnalysisOptions | null = null;
  #running: string | null = null;
  #generation = 0;

  constructor(cacheOf: (subject: Subject) => AnalysisCache | undefined = () => undefined) {
    this.cacheOf = cacheOf;
  }

  /** Options as the pipeline takes them; setting new ones restarts everything. */
  setOptions(options: AnalysisOptions) {
    this.#options = options;
    this.#restart();
  }

  setSubjects(subjects: Subject[]) {
    this.subjects = subjects;
    this.#restart();
  }

  addSubjects(more: Subject[]) {
    this.subjects = [...this.subjects, ...more];
    void this.#pump();
  }

  setFocus(key: string | null) {
    this.focus = key;
    void this.#pump();
  }

  clear() {
    this.subjects = [];
    this.focus = null;
    this.#restart();
  }

  /** Stops the computation under way; what is already analysed stays. */
  cancel() {
    this.#generation++;
    if (this.#running) this.#client?.cancel();
    this.#running = null;
    this.progress = null;
    this.provisional = null;
    // Nothing is queued any more: the remaining subjects wait for the next parameter change or focus.
    this.#paused = true;
  }

  dispose() {
    this.#generation++;
    this.#client?.dispose();
    this.#client = null;
  }

  #paused = false;

  #restart() {
    this.#generation++;
    if (this.#running) this.#client?.cancel();
    this.#running = null;
    this.results = mapOf();
    this.errors = mapOf();
    this.progress = null;
    this.provisional = null;
    this.#paused = false;
    void this.#pump();
  }

  #next(): Subject | undefined {
    const pending = this.subjects.filter((s) => !this.results.has(s.key) && !this.errors.has(s.key));
    return pending.find((s) => s.key === this.focus) ?? pending[0];
  }

  /** Starts the worker before it is needed: its script is then fetched (and cached for offline use) at once. */
  warm() {
    void this.client;
  }

  get client(): AnalysisClient {
    this.#client ??= new AnalysisClient();
    return this.#client;
  }

  async #pump() {
    if (this.#running || !this.#options) return;
    if (this.#paused && !(this.focus && !this.results.has(this.focus))) return;
    const subject = this.#next();
    if (!subject) {
      this.progress = null;
      return;
    }
    const generation = this.#generation;
    this.#running = subject.key;
    const eta: Eta = createEta(1);
    const started = performance.now();
    eta.update(0, started);
    const queued = this.subjects.filter((s) => !this.results.has(s.key) && !this.errors.has(s.key)).length - 1;
    this.progress = { label: subject.label, stage: 'starting', fraction: 0, etaSeconds: null, queued };
    const options = this.#options;
    const cache = this.cacheOf(subject);
    try {
      const cached = await cache?.get(subject, optionsKey(options)).catch(() => undefined);
      if (generation !== this.#generation) return;
      const doc =
        cached ??
        (await this.client.analyze(
          { filters: subject.filters, source: subject.source, options },
          (stage, fraction) => {
            if (generation !== this.#generation) return;
            eta.update(fraction, performance.now());
            this.progress = { label: subject.label, stage, fraction, etaSeconds: eta.secondsLeft(), queued };
          },
          (confidence, persistence) => {
            if (generation !== this.#generation) return;
            this.provisional = {
              key: subject.key,
              label: subject.label,
              done: confidence.resamples,
              total: Math.max(confidence.resamples, options.resamples ?? confidence.resamples),
              verdict: verdictOf({ persistence }),
            };
          },
        ));
      if (generation !== this.#generation) return;
      this.provisional = null;
      this.results = withEntry(this.results, subject.key, doc);
      // A cache that cannot store (a full quota) costs a recomputation later, not this result; the page says so.
      if (!cached) {
        await cache?.put(subject, optionsKey(options), doc).catch((e: unknown) => {
          this.storeError = e instanceof Error ? e.message : String(e);
        });
      }
    } catch (e) {
      if (e instanceof CancelledError || generation !== this.#generation) return;
      this.provisional = null;
      this.errors = withEntry(this.errors, subject.key, e instanceof Error ? e.message : String(e));
    } finally {
      if (generation === this.#generation) this.#running = null;
    }
    if (generation === this.#generation) void this.#pump();
  }
}
