/**
 * Pooled experiments: D1 holds the definition, one row per copy of a run with its lease, and one row per kernel
 * upload; R2 holds the kernels (write-once objects). Every state change that must be all-or-nothing is one SQL
 * statement or one D1 batch (a transaction):
 *  - a lease is one conditional UPDATE ... RETURNING on the first open (or expired) copy, so two contributors
 *    racing for the last run cannot both get it;
 *  - an upload is counted by an INSERT that runs only while the uploader's lease is live, in the same batch as the
 *    UPDATE that marks the copy done once every step is in; uploads are keyed by the lease, so a lease that
 *    expired and was handed to someone else leaves its steps behind, never mixed into the new holder's run.
 */
import type { Env } from '../env';
import { ApiError } from '../lib/http';
import { D1GalleryIndex } from './galleryIndex';
import type { GalleryItem } from '../../src/lib/api/gallery';
import { hashToken, newId, newToken, constantTimeEqual } from './token';
import {
  PRESETS,
  compareReplicas,
  decodeKernels,
  isReplicated,
  runSeedOf,
  uploadBytes,
  type ExperimentDefinition,
  type ExperimentProgress,
  type ExperimentSettings,
  type LeaseAnswer,
  type PoolRun,
  type ReplicaCheck,
  type ReplicaOutcome,
  type UploadAnswer,
} from '../../src/lib/api/experiments';

/** How long a lease lasts unless EXPERIMENT_LEASE_SECONDS says otherwise. */
export const DEFAULT_LEASE_SECONDS = 600;

export function leaseSeconds(env: Pick<Env, 'EXPERIMENT_LEASE_SECONDS'>): number {
  const v = Number(env.EXPERIMENT_LEASE_SECONDS);
  return Number.isInteger(v) && v >= 1 && v <= 86_400 ? v : DEFAULT_LEASE_SECONDS;
}

/**
 * Kernels whose L2 norm is this many robust standard deviations (1.4826 MAD) from the pool's median at the same
 * step and layer are refused, once the pool has OUTLIER_MIN_RUNS runs there to estimate the spread from.
 */
export const OUTLIER_SIGMAS = 8;
export const OUTLIER_MIN_RUNS = 8;

interface ExperimentRow {
  id: string;
  title: string;
  preset: string;
  runs: number;
  steps: string;
  batch: number;
  seed: number;
  init: 'glorot' | 'pytorch';
  learning_rate: number;
  replication: number;
  token_hash: string;
  created_at: string;
  closed_at: string | null;
}

interface CopyRow {
  run: number;
  copy: number;
  state: 'open' | 'leased' | 'done' | 'rejected';
  lease_id: string | null;
  lease_expires_ms: number | null;
  contributor: string | null;
  backend: string | null;
  /** JSON ReplicaOutcome, set on both copies of a replicated run once they agree. */
  replica: string | null;
}

function definitionOf(r: ExperimentRow): ExperimentDefinition {
  return {
    id: r.id,
    title: r.title,
    preset: r.preset,
    runs: r.runs,
    steps: JSON.parse(r.steps) as number[],
    batch: r.batch,
    seed: r.seed,
    init: r.init,
    learningRate: r.learning_rate,
    replication: r.replication,
    createdAt: r.created_at,
    closedAt: r.closed_at,
  };
}

const notFound = (id: string) => new ApiError(404, 'not_found', `no experiment '${id.slice(0, 40)}'`);
const closed = (id: string, at: string) =>
  new ApiError(409, 'closed', `experiment '${id}' was closed by its owner at ${at}; it takes no more work`);

function norms(kernels: Float32Array[]): number[] {
  return kernels.map((k) => {
    let s = 0;
    for (let i = 0; i < k.length; i++) s += k[i]! * k[i]!;
    return Math.sqrt(s);
  });
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export class ExperimentStore {
  constructor(
    private readonly db: D1Database,
    private readonly bucket: R2Bucket,
    private readonly leaseMs: number,
  ) {}

  async create(settings: ExperimentSettings): Promise<{ id: string; token: string }> {
    const token = newToken();
    const tokenHash = await hashToken(token);
    const now = new Date();
    const replicated = Array.from({ length: settings.runs }, (_, r) => r).filter((r) =>
      isReplicated(r, settings.replication),
    );
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = newId();
      try {
        // One transaction: an experiment is never visible without its runs.
        await this.db.batch([
          this.db
            .prepare(
              `INSERT INTO experiments (id, title, preset, runs, steps, batch, seed, init, learning_rate, replication,
                 token_hash, created_at, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)`,
            )
            .bind(
              id,
              settings.title,
              settings.preset,
              settings.runs,
              JSON.stringify(settings.steps),
              settings.batch,
              settings.seed,
              settings.init,
              settings.learningRate,
              settings.replication,
              tokenHash,
              now.toISOString(),
              now.getTime(),
            ),
          this.db
            .prepare(
              `INSERT INTO experiment_copies (experiment_id, run, copy, state)
               WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i + 1 < ?2)
               SELECT ?1, i, 0, 'open' FROM r`,
            )
            .bind(id, settings.runs),
          this.db
            .prepare(
              `INSERT INTO experiment_copies (experiment_id, run, copy, state)
               SELECT ?1, value, 1, 'open' FROM json_each(?2)`,
            )
            .bind(id, JSON.stringify(replicated)),
        ]);
        await this.listInGallery(id).catch((e: unknown) => console.error(e));
        return { id, token };
      } catch (e) {
        if (!/UNIQUE|constraint/i.test(String(e))) throw e;
      }
    }
    throw new ApiError(503, 'busy', 'could not allocate an experiment id; try again');
  }

  /**
   * The experiment's gallery card (kind "experiment"): the index row is the only listing, and its progress is
   * rewritten as runs complete. Best effort: an experiment works without its card, and the next completed run
   * writes it again.
   */
  async listInGallery(id: string): Promise<void> {
    const def = await this.definition(id);
    const preset = PRESETS[def.preset];
    const progress = await this.progress(id, def);
    const card: GalleryItem = {
      id,
      version: 1,
      publishedAt: def.createdAt,
      kind: 'experiment',
      verdict: 'undecided',
      ratio: null,
      h1Bars: 0,
      title: def.title,
      createdAt: def.createdAt,
      source: {
        kind: 'training',
        dataset: preset?.dataset ?? def.preset,
        architecture: preset?.architecture.name ?? def.preset,
        layer: 1,
        runs: def.runs,
      },
      sizes: { filters: 0, kept: 0, core: 0, bars: [], nodes: 0, edges: 0, components: 0, cycles: 0 },
      topBars: [],
      strip: [],
      progress: progress.runs,
    };
    await new D1GalleryIndex(this.db).put({
      card,
      description: `pooled experiment: ${def.runs} runs of ${def.preset}, snapshots at ${def.steps.join(', ')}`,
      bytes: 0,
      createdAt: def.createdAt,
      updatedAt: new Date().toISOString(),
      withdrawnAt: null,
    });
  }

  private async row(id: string): Promise<ExperimentRow> {
    const r = await this.db.prepare('SELECT * FROM experiments WHERE id = ?1').bind(id).first<ExperimentRow>();
    if (!r) throw notFound(id);
    return r;
  }

  async definition(id: string): Promise<ExperimentDefinition> {
    return definitionOf(await this.row(id));
  }

  private async copies(id: string): Promise<CopyRow[]> {
    const { results } = await this.db
      .prepare(
        `SELECT run, copy, state, lease_id, lease_expires_ms, contributor, backend, replica FROM experiment_copies
         WHERE experiment_id = ?1 ORDER BY run, copy`,
      )
      .bind(id)
      .all<CopyRow>();
    return results;
  }

  /**
   * Run by run: done when the copies it needs (two for a replicated run) are done and were not rejected; leased
   * while a live lease holds one of its copies; open otherwise. Rejected counts excluded copies.
   */
  async progress(id: string, def?: ExperimentDefinition): Promise<ExperimentProgress> {
    const d = def ?? (await this.definition(id));
    const now = Date.now();
    const byRun = new Map<number, CopyRow[]>();
    let rejected = 0;
    for (const c of await this.copies(id)) {
      if (c.state === 'rejected') rejected++;
      else byRun.set(c.run, [...(byRun.get(c.run) ?? []), c]);
    }
    let done = 0;
    let leased = 0;
    const replicas: Record<ReplicaCheck, number> = { exact: 0, early: 0, unverified: 0 };
    for (let r = 0; r < d.runs; r++) {
      const cs = byRun.get(r) ?? [];
      const finished = cs.filter((c) => c.state === 'done');
      if (isAccepted(d, r, finished)) {
        done++;
        const check = replicaOf(finished[0]!)?.check;
        if (check) replicas[check]++;
      } else if (cs.some((c) => c.state === 'leased' && (c.lease_expires_ms ?? 0) >= now)) leased++;
    }
    const flagged = await this.db
      .prepare('SELECT COUNT(*) AS n FROM experiment_contributors WHERE experiment_id = ?1 AND flagged_ms IS NOT NULL')
      .bind(id)
      .first<{ n: number }>();
    return {
      runs: { total: d.runs, done, leased, open: d.runs - done - leased, rejected },
      flaggedContributors: flagged?.n ?? 0,
      replicas,
    };
  }

  async close(id: string, token: string): Promise<ExperimentDefinition> {
    const row = await this.row(id);
    if (!constantTimeEqual(await hashToken(token), row.token_hash)) {
      throw new ApiError(403, 'forbidden', `the token does not own experiment '${id}'`);
    }
    if (!row.closed_at) {
      await this.db
        .prepare('UPDATE experiments SET closed_at = ?2 WHERE id = ?1 AND closed_at IS NULL')
        .bind(id, new Date().toISOString())
        .run();
    }
    return this.definition(id);
  }

  /** Hands out the first open copy (an expired lease is open again), never both copies of a run to one contributor. */
  async lease(id: string, contributorName: string | null, backend: string): Promise<LeaseAnswer> {
    const def = definitionOf(await this.row(id));
    if (def.closedAt) throw closed(id, def.closedAt);
    // Without a name of its own, each lease counts as a contributor of its own (no flag carries over).
    const contributor = await hashToken(contributorName ?? newToken());
    const flagged = await this.db
      .prepare('SELECT flagged_ms FROM experiment_contributors WHERE experiment_id = ?1 AND contributor = ?2')
      .bind(id, contributor)
      .first<{ flagged_ms: number | null }>();
    if (flagged?.flagged_ms) {
      throw new ApiError(
        403,
        'flagged',
        'this contributor sent kernels that disagreed with a replica; it gets no more runs',
      );
    }
    const token = newToken();
    const leaseId = newId();
    const now = Date.now();
    const expires = now + this.leaseMs;
    const [, taken] = await this.db.batch<{ run: number; copy: number }>([
      this.db
        .prepare(
          'INSERT INTO experiment_contributors (experiment_id, contributor) VALUES (?1, ?2) ON CONFLICT DO NOTHING',
        )
        .bind(id, contributor),
      this.db
        .prepare(
          `UPDATE experiment_copies
           SET state = 'leased', lease_id = ?2, lease_hash = ?3, lease_expires_ms = ?4, contributor = ?5, backend = ?6
           WHERE rowid = (
             SELECT c.rowid FROM experiment_copies c
             WHERE c.experiment_id = ?1
               AND (c.state = 'open' OR (c.state = 'leased' AND c.lease_expires_ms < ?7))
               AND NOT EXISTS (
                 SELECT 1 FROM experiment_copies o
                 WHERE o.experiment_id = c.experiment_id AND o.run = c.run AND o.copy <> c.copy
                   AND o.contributor = ?5 AND o.state IN ('leased', 'done'))
               AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = ?1 AND e.closed_at IS NULL)
             -- A replica's second copy goes preferably to a contributor on its first copy's backend, where the
             -- copies can be compared bit for bit: first such copies, then fresh runs, then second copies whose
             -- first runs on another backend (compared at early steps only; experiments.ts REPLICA_RULE).
             ORDER BY (
               SELECT CASE WHEN COUNT(*) = 0 THEN 1 WHEN SUM(o.backend = ?6) > 0 THEN 0 ELSE 2 END
               FROM experiment_copies o
               WHERE o.experiment_id = c.experiment_id AND o.run = c.run AND o.copy <> c.copy
                 AND (o.state = 'done' OR (o.state = 'leased' AND o.lease_expires_ms >= ?7))
             ), c.run, c.copy LIMIT 1)
           RETURNING run, copy`,
        )
        .bind(id, leaseId, await hashToken(token), expires, contributor, backend, now),
    ]);
    const got = taken!.results[0];
    if (got) {
      return {
        status: 'leased',
        run: got.run,
        copy: got.copy,
        seed: runSeedOf(def.seed, got.run),
        leaseToken: token,
        expiresAt: new Date(expires).toISOString(),
        leaseSeconds: this.leaseMs / 1000,
        experiment: def,
      };
    }
    const live = (await this.copies(id)).filter((c) => c.state === 'leased' && (c.lease_expires_ms ?? 0) >= now);
    const progress = await this.progress(id, def);
    // Open copies left only for someone else (the second copy of a run this contributor trained) are not work for
    // it: with no live lease to wait for, it is finished here.
    if (live.length === 0) return { status: 'finished', progress };
    const soonest = Math.min(...live.map((c) => c.lease_expires_ms!));
    const retryAfterSeconds = Math.max(1, Math.min(60, Math.ceil((soonest - now) / 1000)));
    return { status: 'wait', retryAfterSeconds, progress };
  }

  /**
   * Stores one snapshot step of a leased run. Checks, in order: the experiment is open, the step is one of its
   * steps, the token holds a live lease on this run, the body is the preset's kernels with finite values and
   * norms inside the pool's; then stores the kernels write-once in R2 and counts them in D1 in one batch that
   * also marks the copy done when this was its last step.
   */
  async upload(
    id: string,
    run: number,
    step: number,
    token: string,
    body: Uint8Array,
    meta: { accuracy: number; loss: number | null },
  ): Promise<UploadAnswer> {
    const def = definitionOf(await this.row(id));
    if (def.closedAt) throw closed(id, def.closedAt);
    if (!Number.isInteger(run) || run < 0 || run >= def.runs) {
      throw new ApiError(404, 'not_found', `experiment '${id}' has runs 0 to ${def.runs - 1}, not ${run}`);
    }
    if (!def.steps.includes(step)) {
      throw new ApiError(422, 'bad_step', `step ${step} is not a snapshot step of this experiment (${def.steps})`);
    }
    const lease = await this.leaseOf(id, run, token);
    if (await this.hasUpload(id, lease.lease_id, step)) throw duplicate(run, step);
    const expected = uploadBytes(def.preset);
    if (body.byteLength !== expected) {
      throw new ApiError(
        422,
        'bad_shape',
        `the body has ${body.byteLength} bytes; ${def.preset} needs ${expected} (every conv kernel as float32)`,
      );
    }
    const kernels = decodeKernels(def.preset, body)!;
    for (const k of kernels) {
      const bad = k.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new ApiError(422, 'not_finite', `conv${k.layer} value ${bad} is ${k.data[bad]}; kernels must be finite`);
      }
    }
    const ns = norms(kernels.map((k) => k.data));
    await this.checkOutlier(id, step, ns);

    const key = `experiments/${id}/kernels/run-${run}/copy-${lease.copy}/${lease.lease_id}/step-${step}-${newId()}.f32`;
    const put = await this.bucket.put(key, body, {
      onlyIf: { etagDoesNotMatch: '*' },
      httpMetadata: { contentType: 'application/octet-stream' },
    });
    if (!put) throw new ApiError(503, 'busy', 'could not store the kernels; try again');
    const now = Date.now();
    const tokenHash = await hashToken(token);
    const [inserted, marked] = await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO experiment_uploads (experiment_id, run, copy, lease_id, step, object_key, norms, loss, accuracy,
             uploaded_ms)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
           WHERE EXISTS (SELECT 1 FROM experiment_copies c
             WHERE c.experiment_id = ?1 AND c.run = ?2 AND c.copy = ?3 AND c.lease_hash = ?11
               AND c.state = 'leased' AND c.lease_expires_ms >= ?10)
           ON CONFLICT DO NOTHING`,
        )
        .bind(
          id,
          run,
          lease.copy,
          lease.lease_id,
          step,
          key,
          JSON.stringify(ns),
          meta.loss,
          meta.accuracy,
          now,
          tokenHash,
        ),
      this.db
        .prepare(
          `UPDATE experiment_copies SET state = 'done', done_ms = ?4
           WHERE experiment_id = ?1 AND run = ?2 AND copy = ?3 AND lease_hash = ?5 AND state = 'leased'
             AND (SELECT COUNT(*) FROM experiment_uploads u
                  WHERE u.experiment_id = ?1 AND u.run = ?2 AND u.copy = ?3 AND u.lease_id = ?6) = ?7`,
        )
        .bind(id, run, lease.copy, now, tokenHash, lease.lease_id, def.steps.length),
    ]);
    if (!inserted!.meta.changes) {
      await this.bucket.delete(key);
      // Lost between the check and the write: say which way, as the check would have.
      if (await this.hasUpload(id, lease.lease_id, step)) throw duplicate(run, step);
      throw new ApiError(410, 'lease_expired', `the lease on run ${run} expired; the run went back to the pool`);
    }
    const count = await this.db
      .prepare('SELECT COUNT(*) AS n FROM experiment_uploads WHERE experiment_id = ?1 AND lease_id = ?2')
      .bind(id, lease.lease_id)
      .first<{ n: number }>();
    const runComplete = (marked!.meta.changes ?? 0) > 0;
    if (runComplete && isReplicated(run, def.replication)) await this.compareReplicas(def, run);
    if (runComplete) await this.listInGallery(id).catch((e: unknown) => console.error(e));
    return { run, step, received: count?.n ?? 0, of: def.steps.length, runComplete };
  }

  private async hasUpload(id: string, leaseId: string, step: number): Promise<boolean> {
    const row = await this.db
      .prepare('SELECT 1 AS x FROM experiment_uploads WHERE experiment_id = ?1 AND lease_id = ?2 AND step = ?3')
      .bind(id, leaseId, step)
      .first();
    return row !== null;
  }

  /**
   * Gives a live lease back before it expires (a contributor that stopped, or lost an upload): its copy is open
   * again at once, and the steps uploaded under it never count (uploads are keyed by the lease).
   */
  async release(id: string, run: number, token: string): Promise<void> {
    await this.definition(id);
    await this.leaseOf(id, run, token);
    await this.db
      .prepare(
        `UPDATE experiment_copies
         SET state = 'open', lease_id = NULL, lease_hash = NULL, lease_expires_ms = NULL, contributor = NULL,
           backend = NULL
         WHERE experiment_id = ?1 AND run = ?2 AND lease_hash = ?3 AND state = 'leased'`,
      )
      .bind(id, run, await hashToken(token))
      .run();
  }

  /** The copy a lease token holds on `run`: 403 when it holds none, 410 when it expired, 409 when already done. */
  private async leaseOf(
    id: string,
    run: number,
    token: string,
  ): Promise<{ copy: number; lease_id: string; lease_expires_ms: number }> {
    const row = await this.db
      .prepare(
        `SELECT run, copy, state, lease_id, lease_expires_ms FROM experiment_copies
         WHERE experiment_id = ?1 AND lease_hash = ?2`,
      )
      .bind(id, await hashToken(token))
      .first<CopyRow>();
    if (!row || row.run !== run) {
      throw new ApiError(403, 'not_leased', `run ${run} of experiment '${id}' is not leased to this token`);
    }
    if (row.state === 'done') throw new ApiError(409, 'run_complete', `run ${run} already has every step`);
    if (row.state !== 'leased') throw new ApiError(409, 'rejected', `this copy of run ${run} was excluded`);
    if (row.lease_expires_ms! < Date.now()) {
      throw new ApiError(410, 'lease_expired', `the lease on run ${run} expired; the run went back to the pool`);
    }
    return { copy: row.copy, lease_id: row.lease_id!, lease_expires_ms: row.lease_expires_ms! };
  }

  /** Refuses kernels whose norm is far from the accepted pool's at the same step (robust z-score on log norms). */
  private async checkOutlier(id: string, step: number, ns: number[]): Promise<void> {
    const { results } = await this.db
      .prepare(
        `SELECT u.norms FROM experiment_uploads u JOIN experiment_copies c
           ON c.experiment_id = u.experiment_id AND c.run = u.run AND c.copy = u.copy AND c.lease_id = u.lease_id
         WHERE u.experiment_id = ?1 AND u.step = ?2 AND c.state = 'done' LIMIT 2000`,
      )
      .bind(id, step)
      .all<{ norms: string }>();
    if (results.length < OUTLIER_MIN_RUNS) return;
    const pool = results.map((r) => JSON.parse(r.norms) as number[]);
    ns.forEach((n, layer) => {
      const logs = pool.map((p) => Math.log(p[layer]!));
      const m = median(logs);
      const spread = 1.4826 * median(logs.map((v) => Math.abs(v - m)));
      const z = Math.abs(Math.log(n) - m) / Math.max(spread, 1e-3);
      if (!(z <= OUTLIER_SIGMAS)) {
        throw new ApiError(
          422,
          'outlier',
          `conv${layer + 1}'s norm ${n.toPrecision(4)} is ${z.toFixed(1)} robust deviations from the pool's ` +
            `median ${Math.exp(m).toPrecision(4)} at step ${step} (limit ${OUTLIER_SIGMAS})`,
        );
      }
    });
  }

  /** The kernels of a done copy, step by step (decoded), for replica comparison and downloads. */
  private async copyKernels(id: string, def: ExperimentDefinition, run: number, copy: number) {
    const { results } = await this.db
      .prepare(
        `SELECT u.step, u.object_key FROM experiment_uploads u JOIN experiment_copies c
           ON c.experiment_id = u.experiment_id AND c.run = u.run AND c.copy = u.copy AND c.lease_id = u.lease_id
         WHERE u.experiment_id = ?1 AND u.run = ?2 AND u.copy = ?3 ORDER BY u.step`,
      )
      .bind(id, run, copy)
      .all<{ step: number; object_key: string }>();
    return Promise.all(
      results.map(async (r) => {
        const obj = await this.bucket.get(r.object_key);
        if (!obj) throw new Error(`missing kernels ${r.object_key}`);
        const k = decodeKernels(def.preset, new Uint8Array(await obj.arrayBuffer()));
        return { step: r.step, kernels: k!.map((q) => q.data) };
      }),
    );
  }

  /**
   * Both copies of a replicated run are done: compare them by the contract's rule (exact on one exact backend,
   * early steps otherwise). Agreement is written on both copies, which puts the run in the pool. A mismatch
   * rejects both, flags both contributors, rejects every other run they finished in this experiment, and puts
   * fresh copies of all those runs back in the pool.
   */
  private async compareReplicas(def: ExperimentDefinition, run: number): Promise<void> {
    const id = def.id;
    const done = (await this.copies(id)).filter((c) => c.run === run && c.state === 'done');
    if (done.length < 2) return;
    const [a, b] = done as [CopyRow, CopyRow];
    const [ka, kb] = await Promise.all([
      this.copyKernels(id, def, run, a.copy),
      this.copyKernels(id, def, run, b.copy),
    ]);
    const outcome = compareReplicas(
      { backend: a.backend ?? 'unknown', steps: ka },
      { backend: b.backend ?? 'unknown', steps: kb },
      def.learningRate,
    );
    if (outcome.agree) {
      await this.db
        .prepare(
          `UPDATE experiment_copies SET replica = ?4
           WHERE experiment_id = ?1 AND run = ?2 AND copy IN (?3, ?5) AND state = 'done'`,
        )
        .bind(id, run, a.copy, JSON.stringify(outcome), b.copy)
        .run();
      return;
    }
    const reason =
      `replica mismatch on run ${run} (${outcome.check}, ${outcome.backends.join(' and ')}, steps ` +
      `${outcome.steps.join(', ')}): relative distance ${outcome.distance.toPrecision(3)} > ${outcome.bound}`;
    const now = Date.now();
    const flaggedContributors = [a.contributor, b.contributor].filter((c): c is string => !!c);
    const statements: D1PreparedStatement[] = [];
    for (const c of flaggedContributors) {
      statements.push(
        this.db
          .prepare(
            `INSERT INTO experiment_contributors (experiment_id, contributor, flagged_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT DO UPDATE SET flagged_ms = COALESCE(flagged_ms, excluded.flagged_ms)`,
          )
          .bind(id, c, now),
      );
    }
    // Reissue: one fresh open copy for each copy about to be rejected (runs of flagged contributors, this run).
    statements.push(
      this.db
        .prepare(
          `INSERT INTO experiment_copies (experiment_id, run, copy, state)
           SELECT c.experiment_id, c.run,
             (SELECT MAX(copy) FROM experiment_copies m WHERE m.experiment_id = c.experiment_id AND m.run = c.run)
               + ROW_NUMBER() OVER (PARTITION BY c.run ORDER BY c.copy), 'open'
           FROM experiment_copies c
           WHERE c.experiment_id = ?1 AND c.state IN ('done', 'leased')
             AND (c.run = ?2 OR c.contributor IN (SELECT value FROM json_each(?3)))`,
        )
        .bind(id, run, JSON.stringify(flaggedContributors)),
      this.db
        .prepare(
          `UPDATE experiment_copies SET state = 'rejected', reason = ?4, lease_hash = NULL
           WHERE experiment_id = ?1 AND state IN ('done', 'leased')
             AND (run = ?2 OR contributor IN (SELECT value FROM json_each(?3)))`,
        )
        .bind(id, run, JSON.stringify(flaggedContributors), reason),
    );
    await this.db.batch(statements);
  }

  /** The accepted runs (done, not rejected; a replicated run once both copies agree), with each snapshot's scores. */
  async pool(id: string): Promise<{ experiment: ExperimentDefinition; runs: PoolRun[] }> {
    const def = await this.definition(id);
    // A replicated run whose copies are both in but not yet compared (the comparison after its last upload failed,
    // or it was accepted before replicas were recorded) is compared now, so it cannot stay out of the pool.
    const copies = await this.copies(def.id);
    const unchecked = new Set(
      copies.filter((c) => c.state === 'done' && !c.replica && isReplicated(c.run, def.replication)).map((c) => c.run),
    );
    for (const run of unchecked) {
      if (copies.filter((c) => c.run === run && c.state === 'done').length < 2) continue;
      // Best effort: a run whose kernels cannot be read now stays out of the pool until a later read.
      await this.compareReplicas(def, run).catch((e: unknown) => console.error(e));
    }
    const accepted = await this.acceptedCopies(def);
    const { results } = await this.db
      .prepare(
        `SELECT u.run, u.copy, u.step, u.loss, u.accuracy FROM experiment_uploads u JOIN experiment_copies c
           ON c.experiment_id = u.experiment_id AND c.run = u.run AND c.copy = u.copy AND c.lease_id = u.lease_id
         WHERE u.experiment_id = ?1 AND c.state = 'done' ORDER BY u.run, u.step`,
      )
      .bind(id)
      .all<{ run: number; copy: number; step: number; loss: number | null; accuracy: number }>();
    const runs: PoolRun[] = [];
    for (const [run, c] of accepted) {
      runs.push({
        run,
        seed: runSeedOf(def.seed, run),
        backend: c.backend ?? 'unknown',
        replica: replicaOf(c),
        snapshots: results
          .filter((u) => u.run === run && u.copy === c.copy)
          .map((u) => ({ step: u.step, loss: u.loss, accuracy: u.accuracy })),
      });
    }
    return { experiment: def, runs };
  }

  private async acceptedCopies(def: ExperimentDefinition): Promise<Map<number, CopyRow>> {
    const out = new Map<number, CopyRow>();
    const byRun = new Map<number, CopyRow[]>();
    for (const c of await this.copies(def.id)) {
      if (c.state === 'done') byRun.set(c.run, [...(byRun.get(c.run) ?? []), c]);
    }
    for (const [run, cs] of byRun) {
      if (isAccepted(def, run, cs)) out.set(run, cs[0]!);
    }
    return out;
  }

  /** One accepted run's kernels at one step, as uploaded (float32 little-endian, layer after layer). */
  async kernels(id: string, run: number, step: number): Promise<ReadableStream | ArrayBuffer> {
    const def = await this.definition(id);
    const c = (await this.acceptedCopies(def)).get(run);
    if (!c) throw new ApiError(404, 'not_found', `run ${run} of experiment '${id}' is not in the pool (yet)`);
    const row = await this.db
      .prepare(
        `SELECT object_key FROM experiment_uploads
         WHERE experiment_id = ?1 AND run = ?2 AND copy = ?3 AND lease_id = ?4 AND step = ?5`,
      )
      .bind(id, run, c.copy, c.lease_id, step)
      .first<{ object_key: string }>();
    if (!row) throw new ApiError(404, 'not_found', `run ${run} has no step ${step}; steps are ${def.steps}`);
    const obj = await this.bucket.get(row.object_key);
    if (!obj) throw new ApiError(503, 'unavailable', 'the kernels are missing from storage');
    return obj.body;
  }
}

/**
 * Whether a run is in the pool, given its done copies: one suffices for a run trained once; a replicated run needs
 * two whose comparison agreed (until then, or after a mismatch, it is not in the pool).
 */
function isAccepted(def: ExperimentDefinition, run: number, done: CopyRow[]): boolean {
  if (!isReplicated(run, def.replication)) return done.length >= 1;
  return done.length >= 2 && done.some((c) => c.replica !== null);
}

function replicaOf(c: CopyRow): ReplicaOutcome | null {
  return c.replica ? (JSON.parse(c.replica) as ReplicaOutcome) : null;
}

function duplicate(run: number, step: number): ApiError {
  return new ApiError(409, 'duplicate', `step ${step} of run ${run} was already uploaded under this lease`);
}

export function experimentsFor(env: Pick<Env, 'RESULTS' | 'GALLERY' | 'EXPERIMENT_LEASE_SECONDS'>): ExperimentStore {
  return new ExperimentStore(env.GALLERY, env.RESULTS, leaseSeconds(env) * 1000);
}
