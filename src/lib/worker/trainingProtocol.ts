// What the page and the training worker exchange. Plain data only: everything crosses postMessage, and the
// page never needs tfjs (types only from src/lib/nn).
import type { BackendName, GpuAdapter } from '../nn/backends';
import type { Checkpoint, Snapshot, TrainConfig, TrainResult } from '../nn/training';

/**
 * Where the worker gets its training data. It fetches MNIST itself (through the service worker, so offline
 * too); CIFAR-10 batch files are handed over as Blobs (a File is one), which cross postMessage without a copy
 * of their bytes on the page.
 */
export type DataSource =
  { kind: 'mnist'; url?: string } | { kind: 'cifar10'; files: Array<{ name: string; data: Blob | Uint8Array }> };

/** A dataset as the worker decoded it, for labels and checks on the page. */
export interface DatasetInfo {
  name: string;
  inputShape: [number, number, number];
  classes: number;
  train: number;
  test: number;
}

/** TrainConfig with a data source in place of the decoded dataset, and the checkpoints to continue from. */
export type TrainingJob = Omit<TrainConfig, 'dataset'> & {
  data: DataSource;
  resume?: Checkpoint[];
  /** Train only these runs of the numbering (a pooled experiment's leased run); default all. */
  only?: number[];
};

export interface BackendRequest {
  /**
   * The backend asked for first (`?backend=webgpu`); the rest of the usual order follows it. A GPU backend asked
   * for is used even on a software adapter (SwiftShader), which the automatic order passes over.
   */
  wanted?: BackendName | null;
  /** Where the wasm binaries are served (default: the app's own WASM_URL_PREFIX). */
  wasmPrefix?: string;
  /**
   * wasm threads where the page is cross-origin isolated: a number asks XNNPACK for that many (tfjs caps it at
   * half the logical cores), false keeps to the single-threaded SIMD build. Default: threads from 4 logical
   * cores up, the single-threaded build below.
   */
  threads?: number | false;
}

export interface WorkerBackend {
  name: BackendName;
  /** A sentence for the badge: what it is, and why the faster ones were passed over. */
  reason: string;
  /** wasm only: XNNPACK's threads (1 when the page is not cross-origin isolated). */
  threads?: number;
  /** webgpu and webgl: the adapter, and whether it is a software one (used only when asked for by name). */
  adapter?: GpuAdapter;
}

/** tf.memory() in the worker: tensors alive and their bytes; numBytesInGPU on webgpu and webgl. */
export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  numBytesInGPU?: number;
}

/** Progress and results, called from the worker; a returned promise holds training until it settles. */
export interface TrainingEvents {
  /**
   * At most about ten times a second, and at every snapshot and the last step; `memory` is the worker's tfjs
   * memory at that point of the step (flat from step to step unless something leaks).
   */
  onStep(run: number, step: number, loss: number, memory?: WorkerMemory): void | Promise<void>;
  /** Stored before training goes on, so that a crash after it keeps it. */
  onSnapshot(snapshot: Snapshot): void | Promise<void>;
  onCheckpoint(checkpoint: Checkpoint): void | Promise<void>;
  /** Training has stopped at a step boundary after pause(). */
  onPaused(): void | Promise<void>;
}

export type { BackendName, Checkpoint, Snapshot, TrainResult };
