// Training in the lab: N runs with a snapshot schedule, trained in the training worker (src/lib/worker) on the
// backend it got there; the page only shows progress. A snapshot step becomes analysable once every run has passed
// it; its conv layers are then pooled over runs and queued for analysis. Every snapshot, the runs' latest
// checkpoints and the analyses go to IndexedDB as they arrive (the worker waits for each write), so a reload, a
// cancel or a crashed worker keeps the timeline, and an interrupted MNIST session can resume where it stopped.
import { getArchitecture } from '../nn/architectures';
import type { BackendName } from '../nn/backends';
import type { Checkpoint, Snapshot } from '../nn/training';
import { spatialFilters } from '../nn/kernels';
import { startCheckpoint } from '../nn/initialisation';
import { TrainingClient, TrainingWorkerError } from '../worker/trainingClient';
import type { DataSource } from '../worker/trainingProtocol';
import { openLabStore, type LabStore, type Session, type SessionConfig } from '../store';
import { validateResult } from '../result/validate';
import type { AnalysisCache, Subject } from './analyses.svelte';
import { createEta, trainingDetail } from './eta';
import type { Lab } from './lab.svelte';
import { mapOf } from './maps';
import { validateRunSettings, wantedBackend } from './settings';
import type { ResultDocument } from '../result/schema';

export interface TrainingProgress {
  done: number;
  total: number;
  etaSeconds: number | null;
  detail: string;
}

/** What an exported training session's file name ends with. */
export const SESSION_EXTENSION = '.kleinscope-session';

/** A file name stem a file system takes: the session's name, or its dataset, architecture and date. */
export function sessionFileStem(session: Session): string {
  const raw = session.name || `${session.config.dataset}-${session.config.arch.name}-${session.createdAt.slice(0, 10)}`;
  const stem = raw
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80);
  return stem || 'training';
}

const SEED = 1;
const LEARNING_RATE = 1e-3;

export class Training {
  /** Snapshot steps that every run has reached, in order. */
  steps = $state.raw<number[]>([]);
  layers = $state.raw<number[]>([]);
  /** Index into steps of the step on screen. */
  selected = $state(0);
  progress = $state<TrainingProgress | null>(null);
  /** Per layer, H1 bottleneck distances between consecutive steps (null until both sides are analysed). */
  distances = $state.raw<ReadonlyMap<number, Array<number | null>>>(mapOf());
  /** The session on screen, as stored. */
  session = $state.raw<Session | null>(null);
  /** Every stored session, newest first, so that any of them can be opened again (not only the latest). */
  stored = $state.raw<Session[]>([]);
  /** Each run's latest checkpoint step in the stored session on screen: where a resume starts. */
  checkpointSteps = $state.raw<number[]>([]);
  /** The session on screen was still training when the page went away (a reload or a closed tab). */
  interrupted = $state(false);

  #lab: Lab;
  #store: Promise<LabStore> | null = null;
  #client: TrainingClient | null = null;
  #statusWrites: Promise<void> = Promise.resolve();
  /** Cancel was pressed while the training was still starting (before the worker had the job). */
  #cancelRequested = false;
  /** Snapshots of steps that not every run has reached yet; not state, nothing renders them. */
  #pending: Record<number, Snapshot[]> = {};
  #distanceCache = new WeakMap<ResultDocument, WeakMap<ResultDocument, number>>();
  #distanceBusy = false;

  constructor(lab: Lab) {
    this.#lab = lab;
    lab.register(this);
    lab.analyses.cacheOf = (subject) =>
      subject.step !== undefined && this.session ? this.#cache(this.session.id) : undefined;
  }

  key(step: number, layer: number): string {
    return `${step}:${layer}`;
  }

  /** Whether the stored session can continue (it stopped before its last step, and its data can be had again). */
  get resumable(): boolean {
    const s = this.session;
    return (
      !!s &&
      (s.status === 'paused' || s.status === 'cancelled' || s.status === 'training') &&
      s.config.dataset === 'mnist'
    );
  }

  /** Another source took over the lab: the timeline goes (IndexedDB keeps the session until the next training). */
  forget() {
    this.checkpointSteps = [];
    this.interrupted = false;
    this.steps = [];
    this.layers = [];
    this.selected = 0;
    this.distances = mapOf();
    this.session = null;
  }

  #storeOnce(): Promise<LabStore> {
    this.#store ??= openLabStore();
    return this.#store;
  }

  #cache(sessionId: string): AnalysisCache {
    return {
      get: async (subject, options) => {
        const stored = await (await this.#storeOnce()).getAnalysis(sessionId, subject.layer, subject.step!, options);
        const v = stored && validateResult(stored.document);
        return v && v.ok ? v.value : undefined;
      },
      put: async (subject, options, doc) => {
        await (
          await this.#storeOnce()
        ).putAnalysis({ sessionId, layer: subject.layer, step: subject.step!, params: options, document: doc });
      },
    };
  }

  /**
   * Starts the training worker, which picks its backend (the badge shows which, and why). `?backend=cpu` (or
   * wasm, webgl) in the address asks for that one first, to compare speeds or to get round a GPU driver that
   * misbehaves.
   */
  selectBackend(wanted: string | null = wantedBackend()) {
    this.#client?.dispose();
    this.#client = new TrainingClient({ backend: { wanted: wanted as BackendName | null } });
    void this.#backend().catch((e: unknown) => this.#lab.fail(e));
  }

  #clientOnce(): TrainingClient {
    this.#client ??= new TrainingClient();
    return this.#client;
  }

  /** The worker's backend, shown on the badge; asked again after a cancel or a crash started a fresh worker. */
  async #backend(): Promise<BackendName> {
    const choice = await this.#clientOnce().backend();
    this.#lab.backend = choice.name;
    this.#lab.backendReason = choice.reason;
    return choice.name;
  }

  /** The main view follows the timeline's step and the chosen layer. */
  focus() {
    const step = this.steps[this.selected];
    if (step !== undefined) this.#lab.analyses.setFocus(this.key(step, this.#lab.layer));
  }

  /** The worker fetches MNIST itself; CIFAR-10 files go to it as they are (File is a Blob, nothing is copied). */
  #source(name: string): DataSource {
    if (name === 'mnist') return { kind: 'mnist' };
    const files = this.#lab.files;
    if (files.length === 0) throw new Error('Choose the CIFAR-10 batch files (data_batch_1.bin, …) first.');
    return { kind: 'cifar10', files: files.map((f) => ({ name: f.name, data: f })) };
  }

  /** Starts a new session from the form. */
  async start() {
    const lab = this.#lab;
    try {
      const settings = validateRunSettings(lab.settings);
      const arch = getArchitecture(settings.architecture);
      lab.phase = 'training';
      lab.error = null;
      const backend = await this.#backend();
      const source = this.#source(lab.source === 'cifar' ? 'cifar10' : 'mnist');
      // Decoded (and checked) in the worker before anything is stored: a bad file leaves no session behind.
      const dataset = await this.#clientOnce().dataset(source);
      const config: SessionConfig = {
        arch,
        dataset: dataset.name,
        runs: settings.runs,
        steps: settings.steps,
        batchSize: settings.batchSize,
        learningRate: LEARNING_RATE,
        snapshots: settings.snapshotSteps,
        seed: SEED,
        // Several runs in one graph keep a GPU (or XNNPACK's matMul) busy; on plain cpu im2col only costs time.
        ensemble: backend === 'cpu' ? 1 : Math.min(settings.runs, 8),
        // The paper's experiment starts as the reference reproduction does (see initialisation.ts).
        ...(lab.source === 'paper' ? { init: 'pytorch' as const } : {}),
      };
      const store = await this.#storeOnce();
      const session = await store.createSession(config, { backend });
      this.#show(session);
      await this.#run(store, session, source, backend, []);
    } catch (e) {
      lab.fail(e);
    } finally {
      this.#stopped();
    }
  }

  /** Continues the stored session from its runs' latest checkpoints. */
  async resume() {
    const lab = this.#lab;
    const session = this.session;
    if (!session) return;
    this.interrupted = false;
    try {
      lab.phase = 'training';
      lab.error = null;
      const backend = await this.#backend();
      const store = await this.#storeOnce();
      const source = this.#source(session.config.dataset);
      await this.#clientOnce().dataset(source);
      // Steps that some runs reached before the interruption complete when the others get there.
      for (const { step, runs } of await store.snapshotSteps(session.id)) {
        if (runs < session.config.runs) this.#pending[step] = await store.snapshots(session.id, step);
      }
      await this.#run(store, session, source, backend, await store.checkpoints(session.id));
    } catch (e) {
      lab.fail(e);
    } finally {
      this.#stopped();
    }
  }

  #stopped() {
    this.#cancelRequested = false;
    this.#lab.phase = 'idle';
    void this.refreshStored();
    this.progress = null;
  }

  /** Puts a session on screen: its layers, and a fresh queue of analyses. */
  #show(session: Session) {
    this.#lab.show([], null, this);
    this.forget();
    this.session = session;
    this.#pending = {};
    this.layers = session.config.arch.conv.map((_, i) => i + 1);
    this.#lab.layer = 1;
  }

  async #run(store: LabStore, session: Session, source: DataSource, backend: BackendName, resume: Checkpoint[]) {
    const c = session.config;
    const total = c.runs * c.steps;
    const reached = new Array<number>(c.runs).fill(0);
    for (const cp of resume) reached[cp.run] = Math.max(reached[cp.run], cp.step);
    const eta = createEta(total);
    eta.update(
      reached.reduce((a, b) => a + b, 0),
      performance.now(),
    );
    this.progress = { done: 0, total, etaSeconds: null, detail: `${c.arch.name} on ${c.dataset}` };
    this.session = await store.updateSession(session.id, { status: 'training' });
    const gpu = backend === 'webgpu' || backend === 'webgl';
    // A start other than train()'s own is each fresh run's step-0 checkpoint, on a first start and on resume alike.
    if (c.init && c.init !== 'glorot') {
      for (let r = 0; r < c.runs; r++) {
        if (!resume.some((cp) => cp.run === r)) resume = [...resume, startCheckpoint(c.arch, c.seed, r, c.init)];
      }
    }
    // Cancel pressed while the training was still starting: it stops here, as a cancelled session.
    if (this.#cancelRequested) {
      await this.#status('cancelled');
      this.#lab.error = 'Training cancelled; the snapshots taken so far are kept.';
      return;
    }
    let result;
    try {
      result = await this.#clientOnce().train(
        {
          arch: c.arch,
          data: source,
          runs: c.runs,
          steps: c.steps,
          batchSize: c.batchSize,
          snapshots: c.snapshots,
          seed: c.seed,
          learningRate: c.learningRate,
          ensemble: c.ensemble,
          evalSize: 500,
          // Reading the loss back stalls a GPU; on the CPU it is free, and pause then takes effect at the next step.
          progressEvery: gpu ? Math.max(1, Math.min(10, Math.floor(c.steps / 20))) : 1,
          resume,
        },
        {
          onStep: (run, step, loss) => {
            reached[run] = step;
            const done = reached.reduce((a, b) => a + b, 0);
            eta.update(done, performance.now());
            // Paused on screen at the click: the step the worker was in still ends, but the bar stands still.
            if (this.#lab.phase === 'paused') return;
            this.progress = {
              done,
              total,
              etaSeconds: eta.secondsLeft(),
              detail: trainingDetail(reached, run, step, loss),
            };
          },
          onSnapshot: async (snapshot) => {
            // Stored before it is shown: what the timeline shows survives a reload.
            await store.putSnapshot(session.id, snapshot);
            this.#addSnapshot(snapshot, c.runs);
          },
          onCheckpoint: async (checkpoint) => {
            await store.putCheckpoint(session.id, checkpoint);
            const steps = [...this.checkpointSteps];
            steps[checkpoint.run] = checkpoint.step;
            this.checkpointSteps = Array.from({ length: c.runs }, (_, r) => steps[r] ?? 0);
          },
        },
      );
    } catch (e) {
      // Whatever the worker had handed over is stored; the session can go on from its runs' last checkpoints.
      await this.#status('paused');
      if (e instanceof TrainingWorkerError) {
        throw new Error(
          `${e.message}. The snapshots and checkpoints so far are kept; resume the stored training to go on.`,
        );
      }
      throw e;
    }
    await this.#status(result.completed ? 'complete' : 'cancelled');
    if (!result.completed) this.#lab.error = 'Training cancelled; the snapshots taken so far are kept.';
  }

  /** Status writes, one after the other in the order asked for (pause and resume can follow each other fast). */
  #status(status: Session['status']): Promise<void> {
    const id = this.session?.id;
    if (!id) return this.#statusWrites;
    this.#statusWrites = this.#statusWrites
      .then(async () => {
        const updated = await (await this.#storeOnce()).updateSession(id, { status });
        if (this.session?.id === id) this.session = updated;
      })
      .catch((e: unknown) => this.#lab.fail(e));
    return this.#statusWrites;
  }

  #addSnapshot(snapshot: Snapshot, runs: number) {
    const list = (this.#pending[snapshot.step] ??= []);
    list.push(snapshot);
    if (list.length === runs) {
      delete this.#pending[snapshot.step];
      this.#stepComplete(snapshot.step, list);
    }
  }

  #subjects(step: number, runs: Snapshot[]): Subject[] {
    const session = this.session!;
    const accuracy = runs.reduce((a, s) => a + s.accuracy, 0) / runs.length;
    const acc = Number.isFinite(accuracy) ? `, test accuracy ${(100 * accuracy).toFixed(0)}%` : '';
    return this.layers.map((layer) => {
      const shape = runs[0].kernels.find((k) => k.layer === layer)?.shape;
      return {
        key: this.key(step, layer),
        label: `layer ${layer} at step ${step}${acc}`,
        layer,
        step,
        filters: spatialFilters(runs, layer),
        source: {
          kind: 'training',
          dataset: session.config.dataset,
          architecture: session.config.arch.name,
          runs: runs.length,
          step,
          layer,
          kernelShape: shape ? [...shape] : undefined,
        },
      };
    });
  }

  #stepComplete(step: number, runs: Snapshot[]) {
    if (this.steps.includes(step)) return;
    this.steps = [...this.steps, step].sort((a, b) => a - b);
    const follow = this.selected === this.steps.length - 2 || this.steps.length === 1;
    this.#lab.analyses.addSubjects(this.#subjects(step, runs));
    // Follow the newest step unless the person has scrubbed back to look at an older one.
    if (follow) {
      this.selected = this.steps.length - 1;
      this.focus();
    }
  }

  /** Re-reads the list of stored sessions. */
  async refreshStored() {
    try {
      this.stored = await (await this.#storeOnce()).listSessions();
    } catch (e) {
      this.#lab.fail(e);
    }
  }

  /** Puts a stored session on screen, as after a reload; nothing happens while something is running. */
  async open(id: string) {
    if (this.#lab.phase !== 'idle') return;
    try {
      const store = await this.#storeOnce();
      const session = await store.getSession(id);
      if (session) await this.#showStored(store, session);
      else await this.refreshStored();
    } catch (e) {
      this.#lab.fail(e);
    }
  }

  /** Brings back the most recent session after a reload: its complete steps, and the analyses cached for them. */
  async restore() {
    try {
      const store = await this.#storeOnce();
      this.stored = await store.listSessions();
      const [session] = this.stored;
      // Whatever the page shows by now (a document handed over, a training just started) wins over the past.
      const busy = () =>
        this.session || this.#lab.phase !== 'idle' || this.#lab.opened || this.#lab.analyses.subjects.length;
      if (!session || busy()) return;
      // A tab closed mid-training left 'training' behind; it is paused now.
      const s = session.status === 'training' ? await store.updateSession(session.id, { status: 'paused' }) : session;
      await this.#showStored(store, s, busy);
      if (this.session?.id === s.id) this.interrupted = session.status === 'training';
    } catch (e) {
      this.#lab.fail(e);
    }
  }

  /** Puts a stored session on screen: its complete steps, whose analyses come from the cache when it has them. */
  async #showStored(store: LabStore, s: Session, busy: () => unknown = () => false) {
    const complete = (await store.snapshotSteps(s.id)).filter((x) => x.runs === s.config.runs);
    const snapshots = await Promise.all(complete.map(({ step }) => store.snapshots(s.id, step)));
    const checkpoints = await store.checkpoints(s.id);
    if (busy()) return;
    this.#show(s);
    this.checkpointSteps = Array.from(
      { length: s.config.runs },
      (_, run) => checkpoints.find((cp) => cp.run === run)?.step ?? 0,
    );
    const subjects = complete.flatMap(({ step }, i) => this.#subjects(step, snapshots[i]));
    this.steps = complete.map((x) => x.step);
    this.selected = Math.max(0, this.steps.length - 1);
    this.#lab.analyses.addSubjects(subjects);
    this.focus();
  }

  /** The session on screen as one `.kleinscope-session` file: its snapshots and its runs' latest checkpoints. */
  async exportFile(): Promise<{ name: string; bytes: Uint8Array } | null> {
    const session = this.session;
    if (!session) return null;
    try {
      const bytes = await (await this.#storeOnce()).exportSession(session.id);
      return { name: `${sessionFileStem(session)}${SESSION_EXTENSION}`, bytes };
    } catch (e) {
      this.#lab.fail(e);
      return null;
    }
  }

  /**
   * Stores an exported session and shows it as a restored one. The store decodes and checks the whole file before
   * it writes anything, in one transaction, so a bad file is reported and leaves the stored sessions as they were.
   */
  async importFile(file: File) {
    const lab = this.#lab;
    lab.phase = 'importing';
    try {
      const store = await this.#storeOnce();
      const session = await store.importSession(new Uint8Array(await file.arrayBuffer()), file.name);
      lab.error = null;
      await this.#showStored(store, session);
      await this.refreshStored();
    } catch (e) {
      lab.fail(e);
    } finally {
      lab.phase = 'idle';
    }
  }

  /** Deletes the session on screen from IndexedDB. */
  async clear() {
    const session = this.session;
    if (!session) return;
    try {
      await (await this.#storeOnce()).deleteSession(session.id);
      this.#lab.show([], null, this);
      this.forget();
      await this.refreshStored();
    } catch (e) {
      this.#lab.fail(e);
    }
  }

  /** The button answers at once; the worker stops at the end of the step it is in. */
  pause() {
    if (this.#lab.phase !== 'training') return;
    this.#lab.phase = 'paused';
    this.#clientOnce().pause();
    void this.#status('paused');
  }

  continue() {
    if (this.#lab.phase !== 'paused') return;
    this.#lab.phase = 'training';
    void this.#status('training');
    this.#clientOnce().resume();
  }

  /** Stops at once (the worker is ended); what it had handed over is stored already. */
  cancel() {
    if (this.#lab.phase === 'training' || this.#lab.phase === 'paused') this.#cancelRequested = true;
    this.#client?.cancel();
  }

  /**
   * Recomputes the timeline's distances from the analyses at hand; pairs already measured come from a cache
   * keyed by the two documents, so each pair goes to the worker once per parameter setting.
   */
  async updateDistances(results: ReadonlyMap<string, ResultDocument>) {
    if (this.#distanceBusy) return;
    const steps = this.steps;
    const todo: Array<{ a: ResultDocument; b: ResultDocument }> = [];
    const next: Array<[number, Array<number | null>]> = [];
    for (const layer of this.layers) {
      const values = steps.slice(1).map((step, i) => {
        const a = results.get(this.key(steps[i], layer));
        const b = results.get(this.key(step, layer));
        if (!a || !b) return null;
        const d = this.#distanceCache.get(a)?.get(b);
        if (d === undefined) todo.push({ a, b });
        return d ?? null;
      });
      next.push([layer, values]);
    }
    this.distances = mapOf(next);
    if (todo.length === 0) return;
    this.#distanceBusy = true;
    try {
      const h1 = (doc: ResultDocument) => doc.persistence.diagrams[1] ?? [];
      const values = await this.#lab.analyses.client.bottleneckPairs(todo.map(({ a, b }) => [h1(a), h1(b)]));
      todo.forEach(({ a, b }, i) => {
        const inner = this.#distanceCache.get(a) ?? new WeakMap<ResultDocument, number>();
        inner.set(b, values[i]);
        this.#distanceCache.set(a, inner);
      });
    } catch {
      // Cancelled along with the analysis it was queued behind; the next update asks again.
      return;
    } finally {
      this.#distanceBusy = false;
    }
    await this.updateDistances(this.#lab.analyses.results);
  }

  dispose() {
    this.#client?.dispose();
  }
}
