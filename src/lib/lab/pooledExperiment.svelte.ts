/**
 * The state of one pooled experiment's page (/x/<id>): its progress, the pooled analysis of every snapshot step
 * (recomputed in the analysis worker when new runs arrive), and this tab's contribution (leased runs trained in
 * the training worker, snapshots uploaded as they come). One owner: the page creates it and disposes it.
 */
import { ApiError } from '../api/client';
import { PRESETS, decodeKernels, encodeKernels, type ExperimentView, type PoolAnswer } from '../api/experiments';
import { createExperimentsClient, newContributorName } from '../api/experimentsClient';
import { emergenceRows, type EmergenceRow } from '../analysis/emergence';
import { experimentJob } from '../nn/experimentJob';
import { writeSpatialFilters } from '../nn/kernels';
import type { ResultDocument } from '../result/schema';
import { AnalysisClient } from '../worker/client';
import { TrainingClient } from '../worker/trainingClient';
import { LAB_RESAMPLES } from './options';

/** How often the page asks for progress while it is open. */
const POLL_MS = 4000;
/** The layer the pooled analysis shows (the paper's layer 1, where the circle forms first). */
export const POOLED_LAYER = 1;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export class PooledExperiment {
  view = $state.raw<ExperimentView | null>(null);
  error = $state<string | null>(null);
  /** step -> the pooled analysis of that step's layer-1 filters over the runs then in the pool. */
  docs = $state.raw<Readonly<Record<number, ResultDocument>>>({});
  /** step -> how many runs that analysis pooled. */
  pooledRuns = $state.raw<Readonly<Record<number, number>>>({});
  analysing = $state<number | null>(null);

  joined = $state(false);
  status = $state('');
  backend = $state<string | null>(null);
  /** Runs this tab finished (every step accepted). */
  contributed = $state(0);

  readonly #api = createExperimentsClient();
  readonly #stop = new AbortController();
  #analysis: AnalysisClient | null = null;
  #trainer: TrainingClient | null = null;
  #leaving: AbortController | null = null;
  /** run:step -> kernels, fetched once (accepted runs never change; excluded ones drop out of the pool list). */
  readonly #kernels: Record<string, Uint8Array> = {};
  /** step -> the runs its analysis pooled, so a changed set (a run excluded, another accepted) is re-analysed. */
  readonly #analysed: Record<number, string> = {};

  constructor(readonly id: string) {}

  get rows(): EmergenceRow[] {
    return emergenceRows(Object.values(this.docs));
  }

  get latest(): ResultDocument | null {
    const steps = Object.keys(this.docs)
      .map(Number)
      .sort((a, b) => a - b);
    return steps.length ? this.docs[steps.at(-1)!]! : null;
  }

  /** Polls progress and the pool until dispose(), re-analysing a step whenever its set of runs changed. */
  async watch(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      try {
        this.view = await this.#api.get(this.id);
        const pool = await this.#api.pool(this.id);
        this.error = null;
        await this.#analysePool(pool);
      } catch (e) {
        this.error = e instanceof ApiError ? e.detail : String(e);
        if (e instanceof ApiError && e.status === 404) return;
      }
      await sleep(POLL_MS, this.#stop.signal);
    }
  }

  async #analysePool(pool: PoolAnswer): Promise<void> {
    const def = pool.experiment;
    const preset = PRESETS[def.preset];
    if (!preset) return;
    // Latest step first: it is the one the Mapper graph shows.
    for (const step of [...def.steps].reverse()) {
      const runs = pool.runs.filter((r) => r.snapshots.some((s) => s.step === step));
      const key = runs.map((r) => r.run).join(',');
      if (runs.length === 0 || key === this.#analysed[step]) continue;
      if (this.#stop.signal.aborted) return;
      const kernels = await Promise.all(
        runs.map(async (r) => {
          const at = `${r.run}:${step}`;
          let bytes = this.#kernels[at];
          if (!bytes) {
            bytes = await this.#api.kernels(this.id, r.run, step);
            this.#kernels[at] = bytes;
          }
          const k = decodeKernels(def.preset, bytes)?.find((q) => q.layer === POOLED_LAYER);
          if (!k) throw new Error(`run ${r.run} step ${step}: the server sent ${bytes.length} bytes`);
          return k;
        }),
      );
      const n = kernels.reduce((a, k) => a + k.shape[2] * k.shape[3], 0);
      const filters = new Float32Array(n * 9);
      let at = 0;
      for (const k of kernels) at = writeSpatialFilters(k, filters, at);
      this.analysing = step;
      this.#analysis ??= new AnalysisClient();
      const doc = await this.#analysis.analyze({
        filters,
        source: {
          kind: 'training',
          dataset: preset.dataset,
          architecture: preset.architecture.name,
          runs: runs.length,
          step,
          layer: POOLED_LAYER,
          kernelShape: kernels[0]!.shape,
        },
        // Resampled by runs, as every pooled verdict is: the pool's runs are its independent units.
        options: {
          title: `${def.title}: layer ${POOLED_LAYER} at step ${step}, ${runs.length} runs`,
          resamples: LAB_RESAMPLES,
        },
      });
      this.analysing = null;
      this.docs = { ...this.docs, [step]: doc };
      this.pooledRuns = { ...this.pooledRuns, [step]: runs.length };
      this.#analysed[step] = key;
    }
  }

  /** Leases runs and trains them in the worker until there is no work, leave() or dispose(). */
  async join(): Promise<void> {
    if (this.joined) return;
    this.joined = true;
    const leaving = new AbortController();
    this.#leaving = leaving;
    const signal = AbortSignal.any([leaving.signal, this.#stop.signal]);
    const name = newContributorName();
    this.#trainer ??= new TrainingClient();
    try {
      this.status = 'starting the training worker';
      const backend = await this.#trainer.backend();
      this.backend = backend.name;
      while (!signal.aborted) {
        const a = await this.#api.lease(this.id, backend.name, name);
        if (a.status === 'finished') {
          this.status = 'no work left in this experiment';
          return;
        }
        if (a.status === 'wait') {
          this.status = `every open run is leased; asking again in ${a.retryAfterSeconds} s`;
          await sleep(a.retryAfterSeconds * 1000, signal);
          continue;
        }
        const def = a.experiment;
        const job = experimentJob(def, a.run);
        const last = job.config.steps;
        this.status = `training run ${a.run}`;
        let complete = false;
        const trainer = this.#trainer;
        const result = await trainer.train(
          { ...job.config, data: { kind: 'mnist' }, resume: job.resume, only: job.only },
          {
            onStep: (_run, step) => {
              this.status = `training run ${a.run}: step ${step} of ${last}`;
            },
            onSnapshot: async (s) => {
              try {
                const r = await this.#api.upload(
                  this.id,
                  a.run,
                  s.step,
                  a.leaseToken,
                  encodeKernels(def.preset, s.kernels),
                  {
                    accuracy: s.accuracy,
                    loss: Number.isFinite(s.loss) ? s.loss : null,
                  },
                );
                complete = r.runComplete;
              } catch (e) {
                if (e instanceof ApiError && e.code === 'duplicate') return;
                // The lease expired or the experiment closed: this run is dropped, nothing of it counts.
                this.status = `run ${a.run} dropped: ${e instanceof ApiError ? e.detail : String(e)}`;
                trainer.cancel();
              }
            },
          },
        );
        if (result.completed && complete) this.contributed += 1;
      }
    } catch (e) {
      this.status = `stopped: ${e instanceof ApiError ? e.detail : e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.joined = false;
      if (this.#leaving === leaving) this.#leaving = null;
    }
  }

  /** Stops training now; the run's lease expires on the server and the run returns to the pool. */
  leave(): void {
    this.#leaving?.abort();
    this.#trainer?.cancel();
    this.status = 'left the experiment';
  }

  dispose(): void {
    this.#stop.abort();
    this.#trainer?.dispose();
    this.#analysis?.dispose();
  }
}
