/**
 * The state of one pooled experiment's page (/x/<id>): its progress, the pooled analysis of every snapshot step
 * and conv layer (recomputed in the analysis worker when new runs arrive), this tab's contribution (leased runs
 * trained in the training worker, snapshots uploaded as they come), and the owner's close. One owner: the page
 * creates it and disposes it.
 */
import { ApiError } from '../api/client';
import {
  PRESETS,
  decodeKernels,
  encodeKernels,
  uploadLayout,
  type ExperimentView,
  type PoolAnswer,
} from '../api/experiments';
import { createExperimentsClient, newContributorName } from '../api/experimentsClient';
import { emergenceRows, type EmergenceRow } from '../analysis/emergence';
import type { BackendName } from '../nn/backends';
import { experimentJob } from '../nn/experimentJob';
import { writeSpatialFilters } from '../nn/kernels';
import type { ResultDocument } from '../result/schema';
import { AnalysisClient } from '../worker/client';
import { TrainingClient } from '../worker/trainingClient';
import { LAB_RESAMPLES } from './options';
import { wantedBackend } from './settings';

/** How often the page asks for progress while it is open. */
export const POLL_MS = 4000;
/** Waits before asking again when the server cannot be reached while contributing (then the run is dropped). */
const OFFLINE_RETRY_MS = [2000, 5000, 10_000];

/** What the page says when a call failed; the page keeps what it had and asks again. */
export function failure(e: unknown, doing: string): string {
  if (e instanceof ApiError) {
    if (e.offline) return `You are offline or the server cannot be reached: ${doing} needs it (${e.detail}).`;
    return `${doing} failed: ${e.detail} (${e.code}, HTTP ${e.status})`;
  }
  return `${doing} failed: ${e instanceof Error ? e.message : String(e)}`;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export class PooledExperiment {
  view = $state.raw<ExperimentView | null>(null);
  error = $state<string | null>(null);
  /** layer -> step -> the pooled analysis of that layer's filters at that step over the runs then in the pool. */
  docs = $state.raw<Readonly<Record<number, Readonly<Record<number, ResultDocument>>>>>({});
  /** step -> how many runs its analyses pooled. */
  pooledRuns = $state.raw<Readonly<Record<number, number>>>({});
  analysing = $state<{ layer: number; step: number } | null>(null);
  /** When the pool was last read (the page says how fresh it is when the network fails). */
  updatedAt = $state<number | null>(null);

  closing = $state(false);
  closeError = $state<string | null>(null);

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
  /** layer:step -> the runs its analysis pooled, so a changed set (a run excluded, another accepted) is re-analysed. */
  readonly #analysed: Record<string, string> = {};

  constructor(readonly id: string) {}

  /** The conv layers the pooled analysis covers: every layer of the preset (the paper's figure has layers 1 and 2). */
  get layers(): number[] {
    const preset = this.view?.experiment.preset;
    return preset && PRESETS[preset] ? uploadLayout(preset).map((s) => s.layer) : [];
  }

  get rows(): EmergenceRow[] {
    return emergenceRows(Object.values(this.docs).flatMap((byStep) => Object.values(byStep)));
  }

  /** A layer's analysis at the latest step analysed so far. */
  latest(layer: number): ResultDocument | null {
    const byStep = this.docs[layer] ?? {};
    const steps = Object.keys(byStep)
      .map(Number)
      .sort((a, b) => a - b);
    return steps.length ? byStep[steps.at(-1)!]! : null;
  }

  /** Polls progress and the pool until dispose(), re-analysing a step whenever its set of runs changed. */
  async watch(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      try {
        this.view = await this.#api.get(this.id);
        const pool = await this.#api.pool(this.id);
        this.updatedAt = Date.now();
        this.error = null;
        await this.#analysePool(pool);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          this.error = `No such experiment: ${e.detail}`;
          return;
        }
        // What is on screen stays; the next poll tries again.
        this.error = `${failure(e, 'following the experiment')} Asking again every ${POLL_MS / 1000} s.`;
      }
      await sleep(POLL_MS, this.#stop.signal);
    }
  }

  async #analysePool(pool: PoolAnswer): Promise<void> {
    const def = pool.experiment;
    const preset = PRESETS[def.preset];
    if (!preset) return;
    const layers = uploadLayout(def.preset).map((s) => s.layer);
    // Latest step first: it is the one the Mapper graph shows; layer 1 before layer 2 (8 times the filters).
    for (const step of [...def.steps].reverse()) {
      for (const layer of layers) await this.#analyseStep(pool, step, layer);
    }
  }

  async #analyseStep(pool: PoolAnswer, step: number, layer: number): Promise<void> {
    const def = pool.experiment;
    const preset = PRESETS[def.preset]!;
    const runs = pool.runs.filter((r) => r.snapshots.some((s) => s.step === step));
    const key = runs.map((r) => r.run).join(',');
    if (runs.length === 0 || key === this.#analysed[`${layer}:${step}`]) return;
    if (this.#stop.signal.aborted) return;
    const kernels = await Promise.all(
      runs.map(async (r) => {
        const at = `${r.run}:${step}`;
        let bytes = this.#kernels[at];
        if (!bytes) {
          bytes = await this.#api.kernels(this.id, r.run, step);
          this.#kernels[at] = bytes;
        }
        const k = decodeKernels(def.preset, bytes)?.find((q) => q.layer === layer);
        if (!k) throw new Error(`run ${r.run} step ${step}: the server sent ${bytes.length} bytes`);
        return k;
      }),
    );
    const n = kernels.reduce((a, k) => a + k.shape[2] * k.shape[3], 0);
    const filters = new Float32Array(n * 9);
    let at = 0;
    for (const k of kernels) at = writeSpatialFilters(k, filters, at);
    this.analysing = { layer, step };
    this.#analysis ??= new AnalysisClient();
    const doc = await this.#analysis
      .analyze({
        filters,
        source: {
          kind: 'training',
          dataset: preset.dataset,
          architecture: preset.architecture.name,
          runs: runs.length,
          step,
          layer,
          kernelShape: kernels[0]!.shape,
        },
        // Resampled by runs, as every pooled verdict is: the pool's runs are its independent units.
        options: {
          title: `${def.title}: layer ${layer} at step ${step}, ${runs.length} runs`,
          resamples: LAB_RESAMPLES,
        },
      })
      .finally(() => (this.analysing = null));
    this.docs = { ...this.docs, [layer]: { ...this.docs[layer], [step]: doc } };
    this.pooledRuns = { ...this.pooledRuns, [step]: runs.length };
    this.#analysed[`${layer}:${step}`] = key;
  }

  /**
   * Closes the experiment with the owner's token (POST /close): no more leases or uploads. A wrong token is
   * the server's 403, said as such; the page then shows the experiment as closed.
   */
  async close(token: string): Promise<boolean> {
    const t = token.trim();
    if (!t) {
      this.closeError = 'Paste the owner token that was shown when the experiment was created.';
      return false;
    }
    this.closing = true;
    this.closeError = null;
    try {
      await this.#api.close(this.id, t);
      this.view = await this.#api.get(this.id);
      return true;
    } catch (e) {
      this.closeError =
        e instanceof ApiError && e.status === 403
          ? `This token does not own the experiment: nothing was closed (${e.detail}).`
          : e instanceof ApiError && e.status === 401
            ? 'That is not an owner token (letters, digits, - and _ only): nothing was closed.'
            : `${failure(e, 'closing the experiment')} Nothing was closed.`;
      return false;
    } finally {
      this.closing = false;
    }
  }

  /** A call that needs the network, tried again a few times while the server cannot be reached. */
  async #patient<T>(call: () => Promise<T>, signal: AbortSignal, waiting: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        const wait = OFFLINE_RETRY_MS[attempt];
        if (!(e instanceof ApiError && e.offline) || wait === undefined || signal.aborted) throw e;
        this.status = `offline: ${waiting}; trying again in ${wait / 1000} s`;
        await sleep(wait, signal);
      }
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
    // `?backend=wasm` (as in the lab) asks for one backend first: a replica on wasm or cpu is compared bit for bit.
    // The worker checks the name (parseBackendName) and falls back to its usual order on anything else.
    this.#trainer ??= new TrainingClient({ backend: { wanted: wantedBackend() as BackendName | null } });
    try {
      this.status = 'starting the training worker';
      const backend = await this.#trainer.backend();
      this.backend = backend.name;
      while (!signal.aborted) {
        const a = await this.#patient(() => this.#api.lease(this.id, backend.name, name), signal, 'asking for a run');
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
                const body = encodeKernels(def.preset, s.kernels);
                const scores = { accuracy: s.accuracy, loss: Number.isFinite(s.loss) ? s.loss : null };
                const r = await this.#patient(
                  () => this.#api.upload(this.id, a.run, s.step, a.leaseToken, body, scores),
                  signal,
                  `uploading step ${s.step} of run ${a.run}`,
                );
                complete = r.runComplete;
              } catch (e) {
                if (e instanceof ApiError && e.code === 'duplicate') return;
                // The lease expired or the experiment closed: this run is dropped, nothing of it counts.
                this.status = `run ${a.run} dropped: ${failure(e, 'uploading')}`;
                trainer.cancel();
              }
            },
          },
        );
        if (result.completed && complete) this.contributed += 1;
        // Left, or an upload was refused: give the lease back so the run is open again now, not when it expires
        // (this tab, asking again, would otherwise wait for its own lease). Offline, it just expires. Not when
        // the tab closes: a request sent while the page unloads may or may not arrive, and expiry covers it.
        else if (!this.#stop.signal.aborted) {
          void this.#api.release(this.id, a.run, a.leaseToken).catch(() => undefined);
        }
      }
    } catch (e) {
      this.status = `stopped: ${failure(e, 'contributing')}`;
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
