import * as Comlink from 'comlink';
import type { TrainingWorkerApi } from './training.worker';
import type {
  BackendRequest,
  DataSource,
  DatasetInfo,
  TrainingEvents,
  TrainingJob,
  TrainResult,
  WorkerBackend,
  WorkerMemory,
} from './trainingProtocol';

/** The worker died (an uncaught error, or its script could not load); what it had reported is all there is. */
export class TrainingWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingWorkerError';
  }
}

export interface TrainingClientOptions {
  /** Which backend the worker should try first, and the wasm options; see BackendRequest. */
  backend?: BackendRequest;
  /** Starts the worker; the default is the app's bundled training worker (the bench brings its own). */
  spawn?: () => Worker;
}

interface Live {
  worker: Worker;
  remote: Comlink.Remote<TrainingWorkerApi>;
  /** Rejects when the worker dies: Comlink's calls would otherwise wait forever. */
  crashed: Promise<never>;
  backend: Promise<WorkerBackend> | null;
}

interface Running {
  live: Live;
  stop: (result: TrainResult) => void;
  started: number;
  /** The step each run started this call from, and the last one it reported (for a forced stop's result). */
  from: Map<number, number>;
  reached: Map<number, number>;
}

const defaultSpawn = () => new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module' });

/**
 * The page's handle on the training worker: one job at a time, with progress, snapshots and checkpoints
 * delivered to the callbacks (each awaited by the worker before it trains on, so what a callback stored is safe
 * whatever happens to the worker next). The worker starts on first use and again after cancel() or a crash.
 */
export class TrainingClient {
  #options: TrainingClientOptions;
  #live: Live | null = null;
  #running: Running | null = null;

  constructor(options: TrainingClientOptions = {}) {
    this.#options = options;
  }

  #start(): Live {
    if (this.#live) return this.#live;
    const worker = (this.#options.spawn ?? defaultSpawn)();
    let fail!: (e: Error) => void;
    const crashed = new Promise<never>((_, reject) => (fail = reject));
    crashed.catch(() => undefined);
    const live: Live = { worker, remote: Comlink.wrap<TrainingWorkerApi>(worker), crashed, backend: null };
    const died = (message: string) => {
      fail(new TrainingWorkerError(message));
      this.#drop(live);
    };
    worker.addEventListener('error', (e) => died(`The training worker stopped: ${e.message || 'it could not start'}`));
    worker.addEventListener('messageerror', () => died('The training worker sent a message that could not be read'));
    this.#live = live;
    return live;
  }

  #drop(live: Live) {
    live.worker.terminate();
    if (this.#live === live) this.#live = null;
  }

  #guard<T>(live: Live, call: Promise<T>): Promise<T> {
    return Promise.race([call, live.crashed]);
  }

  /** The backend the worker got, and why (it falls back there, never on the page). */
  backend(): Promise<WorkerBackend> {
    const live = this.#start();
    live.backend ??= this.#guard(live, live.remote.backend(this.#options.backend ?? {}));
    return live.backend;
  }

  /** tfjs's memory in the worker now (tensors alive, bytes; on the GPU for webgpu and webgl). */
  memory(): Promise<WorkerMemory> {
    const live = this.#start();
    return this.#guard(live, live.remote.memory());
  }

  /** Loads a dataset in the worker (kept for the next train); a bad file rejects here, before anything is stored. */
  async dataset(source: DataSource): Promise<DatasetInfo> {
    const live = this.#start();
    return this.#guard(live, live.remote.dataset(source));
  }

  /**
   * Trains one job. Resolves with the worker's result, or with completed: false after cancel(); rejects with
   * TrainingWorkerError if the worker dies, or with the worker's own error.
   */
  async train(job: TrainingJob, events: Partial<TrainingEvents> = {}): Promise<TrainResult> {
    if (this.#running) throw new Error('a training is already running');
    const live = this.#start();
    // Sent before the job: the worker answers in order, so the job trains on the backend asked for here.
    void this.backend().catch(() => undefined);
    let stop!: (result: TrainResult) => void;
    const stopped = new Promise<TrainResult>((resolve) => (stop = resolve));
    const from = new Map<number, number>();
    for (const cp of job.resume ?? []) from.set(cp.run, Math.max(from.get(cp.run) ?? 0, cp.step));
    const running: Running = { live, stop, started: performance.now(), from, reached: new Map() };
    this.#running = running;
    const callbacks = Comlink.proxy<TrainingEvents>({
      onStep: (run, step, loss, memory) => {
        running.reached.set(run, step);
        return events.onStep?.(run, step, loss, memory);
      },
      onSnapshot: (snapshot) => events.onSnapshot?.(snapshot),
      onCheckpoint: (checkpoint) => events.onCheckpoint?.(checkpoint),
      onPaused: () => events.onPaused?.(),
    });
    try {
      return await Promise.race([this.#guard(live, live.remote.train(job, callbacks)), stopped]);
    } finally {
      if (this.#running === running) this.#running = null;
    }
  }

  /** Training stops at the next step boundary (onPaused says when) and waits for resume() or cancel(). */
  pause(): void {
    if (this.#running) void this.#running.live.remote.pause().catch(() => undefined);
  }

  resume(): void {
    if (this.#running) void this.#running.live.remote.resume().catch(() => undefined);
  }

  /**
   * Stops the training now: the worker is terminated (a cpu step can take seconds, and a message would wait for
   * it), so the CPU is free at once and train() resolves with completed: false. What the callbacks already
   * stored stays; the next call starts a fresh worker.
   */
  cancel(): void {
    const running = this.#running;
    if (!running) return;
    this.#running = null;
    this.#drop(running.live);
    let runSteps = 0;
    for (const [run, step] of running.reached) runSteps += step - (running.from.get(run) ?? 0);
    running.stop({ completed: false, runSteps, elapsedMs: performance.now() - running.started });
  }

  /** Ends the worker for good (the page is going away). */
  dispose(): void {
    this.cancel();
    if (this.#live) this.#drop(this.#live);
  }
}
