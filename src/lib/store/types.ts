import type { Architecture } from '../nn/architectures';

/** What a session trains: enough to restart it, and to label its results. */
export interface SessionConfig {
  arch: Architecture;
  /** 'mnist', 'cifar10', ... (the dataset's name; CIFAR-10 files themselves are not stored). */
  dataset: string;
  runs: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  snapshots: number[];
  seed: number;
  ensemble?: number;
  /** How the weights started (src/lib/nn/initialisation.ts); absent means glorot, train()'s own. */
  init?: 'glorot' | 'pytorch';
  /** Adam's epsilon, where it enters the step, and how batches are drawn (src/lib/nn/training.ts); absent means
   * what every session before these options trained with: 1e-7, 'keras', 'without-replacement'. */
  adamEpsilon?: number;
  adamForm?: 'keras' | 'pytorch';
  sampling?: 'without-replacement' | 'with-replacement';
}

export type SessionStatus = 'training' | 'paused' | 'complete' | 'cancelled';

export interface Session {
  id: string;
  name?: string;
  createdAt: string;
  updatedAt: string;
  status: SessionStatus;
  /** The tfjs backend it trained on. */
  backend?: string;
  config: SessionConfig;
}

/** A cached analysis result of one layer at one step of a session. */
export interface StoredAnalysis {
  key: string;
  sessionId: string;
  layer: number;
  step: number;
  /** The analysis parameters, as a stable string (e.g. JSON with sorted keys), part of the cache key. */
  params: string;
  createdAt: string;
  document: unknown;
}
