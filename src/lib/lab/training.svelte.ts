// Training in the lab: N runs with a snapshot schedule, trained in the training worker (src/lib/worker) on the
// backend it got there (on a CPU backend, the runs are shared among one worker per spare core: trainingWorkers.ts);
// the page only shows progress. A snapshot step becomes analysable once every run has passed it; its conv layers
// are then pooled over runs and queued for analysis. Every snapshot, the runs' latest checkpoints and the analyses
// go to IndexedDB as they arrive (each worker waits for each write), so a reload, a cancel or a crashed worker
// keeps the timeline, and an interrupted MNIST session can resume where it stopped.
// This is the reactive runner: the store calls are `SessionRepository`'s, the distance cache `TimelineDistances`'s,
// and the lab's phase `Lab`'s.
import { getArchitecture } from '../nn/architectures';
import type { BackendName, GpuAdapter } from '../nn/backends';
import type { Checkpoint, Snapshot } from '../nn/training';
import { spatialFilters } from '../nn/kernels';
import { startCheckpoint } from '../nn/initialisation';
import { PAPER_TRAINING } from '../nn/paperPreset';
import { TrainingClient, TrainingWorkerError } from '../worker/trainingClient';
import type {
  DataSource,
  DatasetInfo,
  TrainingEvents,
  TrainingJob,
  TrainResult,
  WorkerMemory,
} from '../worker/trainingProtocol';
import { shareRuns, trainingWorkerCount, wasmThreadsFor } from './trainingWorkers';
import type { Session, SessionConfig } from '../store';
import type { AnalysisCache, Subject } from './analyses.svelte';
import { createEta, trainingDetail } from './eta';
import type { Lab } from './lab.svelte';
import { mapOf } from './maps';
import { SessionRepository } from './sessionRepository';
import { TimelineDistances } from './timelineDistances';
import { validateRunSettings, wantedBackend } from './settings';
import type { ResultDocument } from '../result/schema';

export interface TrainingProgress {
  done: number;
  total: number;
  etaSeconds: number | null;
  detail: string;
}

const SEED = 1;
const LEARNING_RATE = 1e-3;

/** The logical cores the browser reports (undefined where it does not). */
const cores = () => (typeof navigator === 'undefined' ? undefined : navigator.hardwareConcurrency);
/** The lab's backend request: one core per wasm worker where runs are shared among workers (trainingWorkers.ts). */
const request = (wanted: BackendName | null = null) => {
  const threads = wasmThreadsFor(cores());
  return { wanted, ...(threads === undefined ? {} : { threads }) };
};

export class Training {
  /** Snapshot steps that every run has reached, in order. */
  steps = $state.raw<number[]>([]);
  layers = $state.raw<number[]>([]);
  /** Index into steps of the step on screen. */
  selected = $state(0);
  progress = $state<TrainingProgress | null>(null);
  /** The training worker's tfjs memory at the latest step reported (shown by the backend badge). */
  memory = $state.raw<WorkerMemory | null>(null);
  /** webgpu and webgl: the adapter the worker got (a software one only when asked for with `?backend=`). */
  adapter = $state.raw<GpuAdapter | null>(null);
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
  #sessions = new SessionRepository();
  #client: TrainingClient | null = null;
  /** The other workers of a training shared among several (CPU backends), for the length of one run. */
  #helpers: TrainingClient[] = [];
  #statusWrites: Promise<void> = Promise.resolve();
  /** Cancel was pressed while the training was still starting (before the worker had the job). */
  #cancelRequested = false;
  /** Snapshots of steps that not every run has reached yet; not state, nothing renders them. */
  #pending: Record<number, Snapshot[]> = {};
  #distances: TimelineDistances;

  constructor(lab: Lab) {
    this.#lab = lab;
    this.#distances = new TimelineDistances((pairs) => lab.analyses.client.bottleneckPairs(pairs));
    lab.register(this);
  }

  /** Analyses of this session's steps are kept in IndexedDB with it. */
  cacheOf(subject: Subject): AnalysisCache | undefined {
    return subject.step !== undefined && this.session ? this.#sessions.analysisCache(this.session.id) : undefined;
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

  /**
   * Starts the training worker, which picks its backend (the badge shows which, and why). `?backend=cpu` (or
   * wasm, webgl, webgpu) in the address asks for that one first, to compare speeds or to get round a GPU driver
   * that misbehaves; a GPU backend asked for is used even on a software adapter (slow, for testing).
   */
  selectBackend(wanted: string | null = wantedBackend()) {
    this.#client?.dispose();
    this.#client = new TrainingClient({ backend: request(wanted as BackendName | null) });
    void this.#backend().catch((e: unknown) => this.#lab.fail(e));
  }

  #clientOnce(): TrainingClient {
    this.#client ??= new TrainingClient({ backend: request() });
    return this.#client;
  }

  /** The worker's backend, shown on the badge; asked again after a cancel or a crash started a fresh worker. */
  async #backend(): Promise<BackendName> {
    const choice = await this.#clientOnce().backend();
    this.#lab.backend = choice.name;
    this.#lab.backendReason = choice.reason;
    this.adapter = choice.adapter ?? null;
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
      lab.startTraining();
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
        // ... and trains as it did: PyTorch's Adam epsilon and batches drawn with replacement (paperPreset.ts).
        ...(lab.source === 'paper'
          ? {
              init: PAPER_TRAINING.init,
              adamEpsilon: PAPER_TRAINING.adamEpsilon,
              adamForm: PAPER_TRAINING.adamForm,
              sampling: PAPER_TRAINING.sampling,
            }
          : {}),
      };
      const session = await this.#sessions.create(config, backend);
      this.#show(session);
      await this.#run(session, source, backend, [], dataset);
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
      lab.startTraining();
      const backend = await this.#backend();
      const source = this.#source(session.config.dataset);
      const dataset = await this.#clientOnce().dataset(source);
      // Steps that some runs reached before the interruption complete when the others get there.
      for (const { step, snapshots } of await this.#sessions.unfinishedSteps(session)) this.#pending[step] = snapshots;
      await this.#run(session, source, backend, await this.#sessions.checkpoints(session.id), dataset);
    } catch (e) {
      lab.fail(e);
    } finally {
      this.#stopped();
    }
  }

  #stopped() {
    this.#cancelRequested = false;
    this.#lab.trainingStopped();
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

  async #run(session: Session, source: DataSource, backend: BackendName, resume: Checkpoint[], dataset: DatasetInfo) {
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
    this.session = await this.#sessions.setStatus(session.id, 'training');
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
    const [h, w, ch] = dataset.inputShape;
    const workers = trainingWorkerCount({
      backend,
      cores: cores(),
      runs: c.runs,
      datasetBytes: (dataset.train + dataset.test) * h * w * ch * 4,
    });
    const shares = shareRuns(c.runs, workers);
    this.#helpers = shares.slice(1).map(() => new TrainingClient({ backend: { wanted: backend, threads: false } }));
    const clients = [this.#clientOnce(), ...this.#helpers];
    let result: TrainResult;
    try {
      // Every worker gets the whole job and trains its share of the runs (`only`); they share the callbacks, so
      // every snapshot and checkpoint is stored as it arrives, whichever worker sent it.
      const job: TrainingJob = {
        arch: c.arch,
        data: source,
        runs: c.runs,
        steps: c.steps,
        batchSize: c.batchSize,
        snapshots: c.snapshots,
        seed: c.seed,
        learningRate: c.learningRate,
        adamEpsilon: c.adamEpsilon,
        adamForm: c.adamForm,
        sampling: c.sampling,
        ensemble: c.ensemble,
        evalSize: 500,
        // Reading the loss back stalls a GPU; on the CPU it is free, and pause then takes effect at the next step.
        progressEvery: gpu ? Math.max(1, Math.min(10, Math.floor(c.steps / 20))) : 1,
        resume,
      };
      const events: Partial<TrainingEvents> = {
        onStep: (run, step, loss, memory) => {
          reached[run] = step;
          if (memory) this.memory = memory;
          const done = reached.reduce((a, b) => a + b, 0);
          eta.update(done, performance.now());
          // Paused on screen at the click: the step the worker was in still ends, but the bar stands still. A
          // report that arrives after a cancel (posted before the worker was ended) must not draw the bar again.
          if (this.#lab.phase !== 'training') return;
          this.progress = {
            done,
            total,
            etaSeconds: eta.secondsLeft(),
            detail: trainingDetail(reached, run, step, loss),
          };
        },
        onSnapshot: async (snapshot) => {
          // Stored before it is shown: what the timeline shows survives a reload.
          await this.#sessions.putSnapshot(session.id, snapshot);
          this.#addSnapshot(snapshot, c.runs);
        },
        onCheckpoint: async (checkpoint) => {
          await this.#sessions.putCheckpoint(session.id, checkpoint);
          const steps = [...this.checkpointSteps];
          steps[checkpoint.run] = checkpoint.step;
          this.checkpointSteps = Array.from({ length: c.runs }, (_, r) => steps[r] ?? 0);
        },
      };
      const results = await Promise.all(
        clients.map((client, i) =>
          client.train(shares.length > 1 ? { ...job, only: shares[i] } : job, events).catch((e: unknown) => {
            // One worker failed: the others stop too (what they stored stays), and the session is paused.
            for (const other of clients) if (other !== client) other.cancel();
            throw e;
          }),
        ),
      );
      result = { ...results[0]!, completed: results.every((r) => r.completed) };
    } catch (e) {
      // Whatever the worker had handed over is stored; the session can go on from its runs' last checkpoints.
      await this.#status('paused');
      if (e instanceof TrainingWorkerError) {
        throw new Error(
          `${e.message}. The snapshots and checkpoints so far are kept; resume the stored training to go on.`,
        );
      }
      throw e;
    } finally {
      for (const helper of this.#helpers) helper.dispose();
      this.#helpers = [];
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
        const updated = await this.#sessions.setStatus(id, status);
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
      this.stored = await this.#sessions.list();
    } catch (e) {
      this.#lab.fail(e);
    }
  }

  /** Puts a stored session on screen, as after a reload; nothing happens while something is running. */
  async open(id: string) {
    if (this.#lab.phase !== 'idle') return;
    try {
      const session = await this.#sessions.get(id);
      if (session) await this.#showStored(session);
      else await this.refreshStored();
    } catch (e) {
      this.#lab.fail(e);
    }
  }

  /** Brings back the most recent session after a reload: its complete steps, and the analyses cached for them. */
  async restore() {
    const sourceAtStart = this.#lab.source;
    try {
      this.stored = await this.#sessions.list();
      const [session] = this.stored;
      // Whatever the page shows by now (a document handed over, a training just started, a source the person
      // picked while the store was read) wins over the past.
      const busy = () =>
        this.session ||
        this.#lab.phase !== 'idle' ||
        this.#lab.opened ||
        this.#lab.analyses.subjects.length ||
        this.#lab.source !== sourceAtStart;
      if (!session || busy()) return;
      // A tab closed mid-training left 'training' behind; it is paused now.
      const s = await this.#sessions.settle(session);
      await this.#showStored(s, busy);
      if (this.session?.id === s.id) this.interrupted = session.status === 'training';
    } catch (e) {
      this.#lab.fail(e);
    }
  }

  /** Puts a stored session on screen: its complete steps, whose analyses come from the cache when it has them. */
  async #showStored(s: Session, busy: () => unknown = () => false) {
    const complete = await this.#sessions.completeSteps(s);
    const checkpoints = await this.#sessions.checkpoints(s.id);
    if (busy()) return;
    this.#show(s);
    this.checkpointSteps = Array.from(
      { length: s.config.runs },
      (_, run) => checkpoints.find((cp) => cp.run === run)?.step ?? 0,
    );
    const subjects = complete.flatMap(({ step, snapshots }) => this.#subjects(step, snapshots));
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
      return await this.#sessions.exportFile(session);
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
    await lab.importing(async () => {
      const session = await this.#sessions.importFile(new Uint8Array(await file.arrayBuffer()), file.name);
      lab.error = null;
      await this.#showStored(session);
      await this.refreshStored();
    });
  }

  /** Deletes the session on screen from IndexedDB. */
  async clear() {
    const session = this.session;
    if (!session) return;
    try {
      await this.#sessions.delete(session.id);
      this.#lab.show([], null, this);
      this.forget();
      await this.refreshStored();
    } catch (e) {
      this.#lab.fail(e);
    }
  }

  /** The button answers at once; the worker stops at the end of the step it is in. */
  pause() {
    if (!this.#lab.pauseTraining()) return;
    for (const client of [this.#clientOnce(), ...this.#helpers]) client.pause();
    void this.#status('paused');
  }

  continue() {
    if (!this.#lab.continueTraining()) return;
    void this.#status('training');
    for (const client of [this.#clientOnce(), ...this.#helpers]) client.resume();
  }

  /** Stops at once (the worker is ended); what it had handed over is stored already. */
  cancel() {
    if (this.#lab.trainingUnderWay) this.#cancelRequested = true;
    this.#client?.cancel();
    for (const helper of this.#helpers) helper.cancel();
  }

  /** Recomputes the timeline's distances from the analyses at hand (each pair is measured once). */
  async updateDistances(results: ReadonlyMap<string, ResultDocument>) {
    const view = (results: ReadonlyMap<string, ResultDocument>) => ({
      steps: this.steps,
      layers: this.layers,
      results,
      key: (step: number, layer: number) => this.key(step, layer),
    });
    await this.#distances.update(
      view(results),
      (distances) => (this.distances = distances),
      () => view(this.#lab.analyses.results),
    );
  }

  dispose() {
    this.#client?.dispose();
    for (const helper of this.#helpers) helper.dispose();
  }
}
