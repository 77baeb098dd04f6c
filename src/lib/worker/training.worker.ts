// The Web Worker that trains: tfjs, its backend and the training loop all live here, so a long step (the cpu
// backend takes seconds) never blocks the page. The page sends a job and gets progress, snapshots and checkpoints
// back through Comlink-proxied callbacks; it stores them itself, so whatever reached it survives this worker.
// WebGPU and WebGL (on an OffscreenCanvas) work in a worker too, and when one cannot start here selectBackend
// falls through to the next one here, never on the page.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { backendOrder, DEFAULT_ORDER, parseBackendName, selectBackend, setWasmUrlPrefix } from '../nn/backends';
import { train } from '../nn/training';
import { fetchMnist } from '../nn/datasets/mnist';
import { cifar10Dataset } from '../nn/datasets/cifar10';
import type { Dataset } from '../nn/datasets/dataset';
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

/** Progress crosses to the page at most this often: the page redraws the bar, nothing more is needed. */
const PROGRESS_INTERVAL_MS = 100;

let backend: Promise<WorkerBackend> | null = null;
let loaded: { key: string; dataset: Promise<Dataset> } | null = null;
let handedOver = 0;
/** The training in progress: its abort switch and pause gate. */
let current: { abort: AbortController; pauseRequested: boolean; release: (() => void) | null } | null = null;

async function startBackend(request: BackendRequest): Promise<WorkerBackend> {
  const wanted = parseBackendName(request.wanted);
  const order = backendOrder(wanted, DEFAULT_ORDER);
  if (request.wasmPrefix) setWasmUrlPrefix(request.wasmPrefix);
  // tfjs's wasm build caps XNNPACK at half the logical cores (it assumes two per physical core), so below 4 it
  // runs one thread anyway, and the threaded binary's one thread was no faster than the plain SIMD one (README).
  const threads = request.threads ?? (navigator.hardwareConcurrency >= 4 ? undefined : false);
  if (threads !== undefined && order.includes('wasm')) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The flag exists once the package is loaded; false makes it pick the single-threaded SIMD binary.
    if (threads === false) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    else {
      wasm.setThreadsCount(threads);
      // Its cap is half of what navigator reports; a count asked for explicitly is meant, so the worker (whose
      // navigator only this wasm module reads) reports enough cores for it.
      const cores = Math.max(navigator.hardwareConcurrency, 2 * threads);
      Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => cores });
    }
  }
  // Asked for by name, a GPU backend is used even on a software adapter (the badge says so).
  const choice = await selectBackend(order, { asked: wanted });
  if (choice.name !== 'wasm') return choice;
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  const running = getThreadsCount();
  const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const note =
    running > 1
      ? `${running} threads`
      : !self.crossOriginIsolated
        ? 'one thread: the page is not cross-origin isolated'
        : threads === false
          ? `one thread: ${request.threads === false ? 'as asked' : 'threads need 4 or more logical cores'}`
          : threaded
            ? 'one thread'
            : 'one thread: no WebAssembly threads here';
  return { ...choice, reason: `${choice.reason}; ${note}`, threads: running };
}

/** tfjs's bookkeeping now: tensors alive, and their bytes (on the GPU for webgpu and webgl). */
function memory(): WorkerMemory {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return {
    numTensors: m.numTensors,
    numBytes: m.numBytes,
    ...(typeof m.numBytesInGPU === 'number' ? { numBytesInGPU: m.numBytesInGPU } : {}),
  };
}

/** The same data gives the same key, so a second training on it skips the fetch and the decoding. */
function sourceKey(source: DataSource): string {
  if (source.kind === 'mnist') return `mnist:${source.url ?? ''}`;
  // A picked file keeps its name, size and modification time; bytes handed over directly are never reused.
  const ids = source.files.map((f) =>
    f.data instanceof File ? `${f.name}:${f.data.size}:${f.data.lastModified}` : `bytes#${++handedOver}`,
  );
  return `cifar10:${ids.join(',')}`;
}

async function decode(source: DataSource): Promise<Dataset> {
  if (source.kind === 'mnist') return source.url ? fetchMnist(source.url) : fetchMnist();
  if (source.files.length === 0) throw new Error('Choose the CIFAR-10 batch files (data_batch_1.bin, …) first.');
  const files = await Promise.all(
    source.files.map(async (f) => ({
      name: f.name,
      bytes: f.data instanceof Blob ? new Uint8Array(await f.data.arrayBuffer()) : f.data,
    })),
  );
  return cifar10Dataset(files);
}

function load(source: DataSource): Promise<Dataset> {
  const key = sourceKey(source);
  if (loaded && loaded.key === key) return loaded.dataset;
  const dataset = decode(source);
  loaded = { key, dataset };
  dataset.catch(() => {
    if (loaded?.dataset === dataset) loaded = null;
  });
  return dataset;
}

const api = {
  /** Picks the backend once for this worker (later calls return the first answer). */
  backend(request: BackendRequest = {}): Promise<WorkerBackend> {
    backend ??= startBackend(request);
    return backend;
  },

  /** Fetches or decodes a dataset and keeps it for train(); throws (a DatasetError) on a bad file. */
  async dataset(source: DataSource): Promise<DatasetInfo> {
    const d = await load(source);
    return {
      name: d.name,
      inputShape: [...d.inputShape],
      classes: d.classes,
      train: d.train.count,
      test: d.test.count,
    };
  },

  /**
   * Trains a job on this worker's backend (call backend() first, or the usual order is used). One job at a time;
   * resolves with completed: false after cancel().
   */
  async train(job: TrainingJob, events: TrainingEvents): Promise<TrainResult> {
    if (current) throw new Error('this worker is already training');
    // Set before the first await, so that a pause or cancel during the start-up is not lost.
    const control = { abort: new AbortController(), pauseRequested: false, release: null as (() => void) | null };
    current = control;
    const { data, resume, only, ...config } = job;
    const snapshotSteps = new Set(config.snapshots);
    let decidedStep = -1;
    let forward = false;
    let lastSent = 0;
    try {
      await api.backend();
      const dataset = await load(data);
      return await train(
        { ...config, dataset },
        {
          signal: control.abort.signal,
          resume,
          only,
          onStep: async (run, step, loss) => {
            // Every run of an ensemble reports the same step: decide once per step, so all or none go.
            if (step !== decidedStep) {
              decidedStep = step;
              const now = performance.now();
              forward = now - lastSent >= PROGRESS_INTERVAL_MS || step === config.steps || snapshotSteps.has(step);
              if (forward) lastSent = now;
            }
            // Measured at the same point of every step (the step's loss still held), so a leak shows as growth.
            if (forward) await events.onStep(run, step, loss, memory());
            if (control.pauseRequested && !control.abort.signal.aborted) {
              const gate = new Promise<void>((resolve) => (control.release = resolve));
              await events.onPaused();
              await gate;
            }
          },
          onSnapshot: (snapshot) => events.onSnapshot(snapshot),
          onCheckpoint: (checkpoint) => events.onCheckpoint(checkpoint),
        },
      );
    } finally {
      current = null;
    }
  },

  /** tfjs's memory in this worker now (between trainings: what a finished one left behind). */
  memory(): WorkerMemory {
    return memory();
  },

  /** Stops at the next step boundary (reported through onPaused) until resume() or cancel(). */
  pause(): void {
    if (current) current.pauseRequested = true;
  },

  resume(): void {
    if (!current) return;
    current.pauseRequested = false;
    current.release?.();
    current.release = null;
  },

  /** Stops after the current step; train() resolves with completed: false. */
  cancel(): void {
    if (!current) return;
    current.abort.abort();
    current.release?.();
    current.release = null;
  },
};

export type TrainingWorkerApi = typeof api;

Comlink.expose(api);
