/**
 * The pooled experiments' contract: what `/api/experiments` takes and answers, the byte layout of a kernel upload,
 * and the rules both sides must agree on (which runs are replicated, how replicas are compared). The routes
 * (functions/routes/experiments.ts), the store (functions/storage/experiments.ts), the CLI's contribute and pool,
 * and the lab all import this module, so a change here is a change on both sides of the wire. No tfjs here.
 */
import { z } from 'zod';
import { mnistPaper, parameterSpecs, type Architecture } from '../nn/architectures';
import { mix } from '../nn/random';

/** What an experiment trains: a named network on a named dataset (the only settings a contributor cannot choose). */
export interface Preset {
  dataset: 'mnist';
  architecture: Architecture;
}

export const PRESETS: Record<string, Preset> = {
  'mnist-paper': { dataset: 'mnist', architecture: mnistPaper },
};
export const PRESET_NAMES = Object.keys(PRESETS) as [string, ...string[]];

/**
 * Run r's seed, as training.ts's runSeed computes it (tests/unit/experiments.test.ts holds them equal): the
 * server states it in each lease without importing tfjs.
 */
export const runSeedOf = (seed: number, run: number) => mix(seed, run, 0x7a11);

/** Caps on an experiment's definition: a public endpoint must not accept a million-run, million-step request. */
export const LIMITS = {
  runs: 1000,
  snapshotSteps: 32,
  lastStep: 100_000,
  batch: 1024,
  title: 200,
} as const;

const int = z.number().int();

export const createExperimentSchema = z
  .object({
    title: z.string().trim().min(1).max(LIMITS.title),
    preset: z.enum(PRESET_NAMES),
    runs: int.min(1).max(LIMITS.runs),
    /** Snapshot steps, strictly ascending; the last one is the length of every run. */
    steps: z
      .array(int.min(0).max(LIMITS.lastStep))
      .min(1)
      .max(LIMITS.snapshotSteps)
      .refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]!), 'steps must be strictly ascending')
      .refine((s) => s.at(-1)! > 0, 'the last step must be after step 0'),
    batch: int.min(1).max(LIMITS.batch).default(64),
    seed: int
      .min(0)
      .max(2 ** 32 - 1)
      .default(0),
    init: z.enum(['glorot', 'pytorch']).default('glorot'),
    learningRate: z.number().positive().max(1).default(1e-3),
    /** Share of runs trained twice, by two contributors, and compared (default 10%). */
    replication: z.number().min(0).max(1).default(0.1),
  })
  .strict()
  // train() records a step-0 snapshot only for weights it initialised itself (glorot).
  .refine((e) => e.init === 'glorot' || e.steps[0] !== 0, {
    message: 'step 0 is not recorded with init pytorch; start the steps at 1',
    path: ['steps'],
  });

export type CreateExperiment = z.input<typeof createExperimentSchema>;
export type ExperimentSettings = z.output<typeof createExperimentSchema>;

export interface ExperimentDefinition extends ExperimentSettings {
  id: string;
  createdAt: string;
  closedAt: string | null;
}

/** Runs, not copies: a replicated run is done when both copies agree. `rejected` counts excluded copies. */
export interface ExperimentProgress {
  runs: { total: number; done: number; leased: number; open: number; rejected: number };
  /** Contributors flagged for a replica mismatch (their results were excluded and reissued). */
  flaggedContributors: number;
  /** Replicated runs in the pool, by how their copies were checked (REPLICA_RULE). */
  replicas: Record<ReplicaCheck, number>;
}

export interface ExperimentView {
  experiment: ExperimentDefinition;
  progress: ExperimentProgress;
  url: string;
  /** Seconds a lease lasts on this server (EXPERIMENT_LEASE_SECONDS). */
  leaseSeconds: number;
}

export interface CreatedExperiment {
  id: string;
  url: string;
  /** The owner's secret, shown once (only its hash is kept); it closes the experiment. */
  token: string;
}

export const leaseRequestSchema = z
  .object({
    /** The tfjs backend the contributor trains on; replicas are compared exactly only on the same one. */
    backend: z.string().regex(/^[a-z0-9-]{1,20}$/),
  })
  .strict();
export type LeaseRequest = z.infer<typeof leaseRequestSchema>;

/**
 * A stable, random contributor name a client may send with every lease (header `X-Kleinscope-Contributor`), so
 * the server can keep a replica's two copies apart and flag a contributor; only its hash is stored.
 */
export const CONTRIBUTOR_HEADER = 'x-kleinscope-contributor';
export const CONTRIBUTOR_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export type LeaseAnswer =
  | {
      status: 'leased';
      run: number;
      copy: number;
      /** The run's own seed (training.ts's runSeed(experiment.seed, run)). */
      seed: number;
      leaseToken: string;
      expiresAt: string;
      leaseSeconds: number;
      experiment: ExperimentDefinition;
    }
  /** Nothing open now, but runs are leased to others: their leases may expire, so ask again later. */
  | { status: 'wait'; retryAfterSeconds: number; progress: ExperimentProgress }
  /** Every run is done (or none is left that this contributor may take). */
  | { status: 'finished'; progress: ExperimentProgress };

export interface UploadAnswer {
  run: number;
  step: number;
  /** Steps of this lease received so far, and how many the run needs. */
  received: number;
  of: number;
  /** True once every step is in: the run counts as done (or waits for its replica). */
  runComplete: boolean;
}

/** Headers of an upload besides the lease token: the snapshot's test accuracy and training loss. */
export const ACCURACY_HEADER = 'x-kleinscope-accuracy';
export const LOSS_HEADER = 'x-kleinscope-loss';

export interface PoolRun {
  run: number;
  seed: number;
  backend: string;
  /** For a replicated run, how its two copies were compared; null for a run trained once. */
  replica: ReplicaOutcome | null;
  snapshots: Array<{ step: number; loss: number | null; accuracy: number }>;
}

/** The accepted runs, each with every snapshot step (a partial run is never in the pool). */
export interface PoolAnswer {
  experiment: ExperimentDefinition;
  runs: PoolRun[];
}

/** One conv layer's kernel in an upload, TF layout [3, 3, cin, cout]. */
export interface KernelSlot {
  layer: number;
  shape: [number, number, number, number];
  floats: number;
}

/** The conv kernels an upload carries, in layer order: the body is them one after another, float32 little-endian. */
export function uploadLayout(preset: string): KernelSlot[] {
  const p = PRESETS[preset];
  if (!p) throw new Error(`unknown preset '${preset}'`);
  return parameterSpecs(p.architecture)
    .filter((s) => s.kind === 'conv-kernel')
    .map((s) => {
      const shape = s.shape as [number, number, number, number];
      return { layer: s.convLayer!, shape, floats: shape.reduce((a, b) => a * b, 1) };
    });
}

export const uploadBytes = (preset: string) => uploadLayout(preset).reduce((a, s) => a + s.floats * 4, 0);

/** The upload body of one snapshot: every conv kernel (layer order, TF layout) as little-endian float32. */
export function encodeKernels(preset: string, kernels: Array<{ layer: number; data: Float32Array }>): Uint8Array {
  const layout = uploadLayout(preset);
  const out = new Uint8Array(uploadBytes(preset));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const slot of layout) {
    const k = kernels.find((q) => q.layer === slot.layer);
    if (!k || k.data.length !== slot.floats) {
      throw new Error(`conv${slot.layer}: expected ${slot.floats} floats, got ${k?.data.length ?? 'none'}`);
    }
    for (let i = 0; i < k.data.length; i++, at += 4) view.setFloat32(at, k.data[i]!, true);
  }
  return out;
}

/** Splits an upload body into its kernels; null when the length is not the preset's. */
export function decodeKernels(
  preset: string,
  bytes: Uint8Array,
): Array<{ layer: number; shape: [number, number, number, number]; data: Float32Array }> | null {
  const layout = uploadLayout(preset);
  if (bytes.byteLength !== uploadBytes(preset)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  return layout.map((slot) => {
    const data = new Float32Array(slot.floats);
    for (let i = 0; i < slot.floats; i++, at += 4) data[i] = view.getFloat32(at, true);
    return { layer: slot.layer, shape: slot.shape, data };
  });
}

/**
 * Whether run `run` is handed to two contributors. Spread evenly: run r is replicated when floor((r+1)f) passes an
 * integer, so any prefix of n runs holds floor(nf) replicated ones, and both sides compute it from the definition.
 */
export function isReplicated(run: number, fraction: number): boolean {
  return Math.floor((run + 1) * fraction) > Math.floor(run * fraction);
}

/**
 * Backends whose float32 arithmetic does not depend on the machine: the same operations in the same order on any
 * CPU (tfjs's JavaScript kernels, and WebAssembly, whose float operations IEEE 754 fixes). Two copies of a run on
 * one of these are the same bytes. WebGL and WebGPU run on whatever GPU and driver the contributor has, so two
 * copies on "webgl" may round differently, as two backends do.
 */
export const EXACT_BACKENDS: readonly string[] = ['wasm', 'cpu'];

/**
 * How two copies of a replicated run are compared (the largest relative L2 distance of any conv kernel,
 * ||a - b|| / ||a||). Float rounding amplified by training is chaotic, not tampering, so a bound that honest copies
 * on two backends keep at every step does not exist; measured wasm against cpu (one run of mnist-paper, batch 64,
 * learning rate 1e-3, README "Pooled experiments"): 1.8e-7 at step 25, 1.2e-6 at 50, 5.9e-4 at 100, 3.9% at 200.
 *  - exact: both on the same exact backend: every snapshot step bit for bit (a tolerance of 0).
 *  - early: any other pair: only the snapshot steps up to the early horizon (earlyHorizon), where honest copies
 *    are still far inside `earlyBound`; later steps are not compared. A copy trained with another seed or other
 *    settings is far outside it.
 *  - unverified: any other pair with no snapshot step after 0 and within the horizon (step 0 alone is the seeded
 *    start, which anyone computes without training): accepted, labelled "not replicated on the same backend".
 */
export const REPLICA_RULE = { exact: 0, earlyTravel: 0.025, earlyBound: 1e-2 } as const;

/**
 * The last step compared across backends. Adam moves each weight by about the learning rate per step, so the
 * horizon is a distance travelled, learning rate x steps <= earlyTravel: 25 steps at the default 1e-3, where the
 * largest distance measured was 7.7e-5 (README), 130 times inside the bound. Only 1e-3 was measured.
 */
export const earlyHorizon = (learningRate: number) => Math.floor(REPLICA_RULE.earlyTravel / learningRate + 1e-9);

export type ReplicaCheck = 'exact' | 'early' | 'unverified';

/** What a replicated run's two copies were checked against, and what they showed. */
export interface ReplicaOutcome {
  check: ReplicaCheck;
  /** The two copies' backends. */
  backends: [string, string];
  /** The snapshot steps compared (none for unverified), and the largest distance over them. */
  steps: number[];
  distance: number;
  bound: number;
  agree: boolean;
}

/** The plan for comparing two copies: which check applies to this pair of backends, and at which steps. */
export function replicaPlan(backendA: string, backendB: string, steps: readonly number[], learningRate: number) {
  if (backendA === backendB && EXACT_BACKENDS.includes(backendA)) {
    return { check: 'exact' as const, steps: [...steps], bound: REPLICA_RULE.exact };
  }
  const horizon = earlyHorizon(learningRate);
  const early = steps.filter((s) => s <= horizon);
  return early.some((s) => s > 0)
    ? { check: 'early' as const, steps: early, bound: REPLICA_RULE.earlyBound }
    : { check: 'unverified' as const, steps: [] as number[], bound: REPLICA_RULE.earlyBound };
}

/**
 * Compares two copies of a run trained at `learningRate`, given each copy's kernels at each snapshot step (same
 * layout on both sides).
 */
export function compareReplicas(
  a: { backend: string; steps: ReadonlyArray<{ step: number; kernels: Float32Array[] }> },
  b: { backend: string; steps: ReadonlyArray<{ step: number; kernels: Float32Array[] }> },
  learningRate: number,
): ReplicaOutcome {
  const plan = replicaPlan(
    a.backend,
    b.backend,
    a.steps.map((s) => s.step),
    learningRate,
  );
  let distance = 0;
  for (const step of plan.steps) {
    const ka = a.steps.find((s) => s.step === step);
    const kb = b.steps.find((s) => s.step === step);
    // A copy without a step the other has cannot be shown to agree.
    const d = ka && kb ? replicaDistance(ka.kernels, kb.kernels) : Infinity;
    distance = Math.max(distance, d);
  }
  return {
    check: plan.check,
    backends: [a.backend, b.backend],
    steps: plan.steps,
    distance,
    bound: plan.bound,
    agree: distance <= plan.bound,
  };
}

/** The largest relative L2 distance between two uploads' kernels (both decoded with the same layout). */
export function replicaDistance(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, k) => {
    const y = b[k]!;
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < x.length; i++) {
      const d = x[i]! - y[i]!;
      diff += d * d;
      norm += x[i]! * x[i]!;
    }
    const rel = diff === 0 ? 0 : norm === 0 ? Infinity : Math.sqrt(diff / norm);
    worst = Math.max(worst, rel);
  });
  return worst;
}
