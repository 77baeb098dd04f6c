import { kindOfSchema, type GalleryItem } from '../../src/lib/api/gallery';
import type { AnyDocument } from '../../src/lib/result/validate';
import { summarize, verdictSummary, type EmergencePoint, type VersionEntry } from '../../src/lib/result/summary';
import { emergencePoint } from '../../src/lib/analysis/emergence';
import type { Env } from '../env';
import { ApiError } from '../lib/http';
import { D1GalleryIndex, type GalleryIndex, type IndexRow } from './galleryIndex';
import { hashToken, newId, newToken, ownsResult } from './token';

/**
 * The R2 layout, one object per idea (R2 is the store of record; the gallery's index in D1 is derived from it):
 *   results/<id>/meta.json   the result's metadata: owner token hash, version list, withdrawal (updated by CAS)
 *   results/<id>/v/<n>.json  version n, written once with a create-only put and never again
 * Writers never overwrite each other: versions are claimed with `etagDoesNotMatch: '*'` (create only) and
 * metadata changes are compare-and-swap on the etag, retried on conflict.
 *
 * Write order (each step is visible only once the one before it is stored, so a failure anywhere leaves either
 * nothing visible or a complete, owned result):
 *   publish:  version 1 -> metadata with the owner hash, marked `listed: false` -> index row -> `listed: true`.
 *             A result is readable once it is listed, or once its index row exists (the last put may fail);
 *             a publish that fails before the index row answers an error and leaves nothing readable.
 *   version:  version n -> metadata (CAS) -> index row (never moved back to an older version).
 *   withdraw: metadata (CAS) -> index row marked withdrawn.
 * A row that is missing or stale after a failed last step is rebuilt from R2 by `repair`, which every later
 * write of the result and every read of its version list runs.
 */

export interface Meta {
  id: string;
  tokenHash: string;
  createdAt: string;
  updatedAt: string;
  /** The highest version recorded (claims start above it); readers see `listedVersions` instead. */
  latest: number;
  withdrawnAt: string | null;
  /** false from the metadata's first put until the index row exists; absent in metadata written before D1. */
  listed?: boolean;
  /** The R2 gallery's card key of results published before the D1 index; no longer written. */
  galleryKey?: string;
  versions: VersionEntry[];
}

/** The storage calls the store makes: R2 in production, a wrapper that fails on purpose in tests. */
export interface Blobs {
  get(key: string): Promise<R2ObjectBody | null>;
  head(key: string): Promise<R2Object | null>;
  put(key: string, value: string, options?: R2PutOptions): Promise<R2Object | null>;
  delete(key: string): Promise<void>;
}

const metaKey = (id: string) => `results/${id}/meta.json`;
const versionKey = (id: string, n: number) => `results/${id}/v/${n}.json`;
const MAX_CAS_ATTEMPTS = 200;

/** Bytes of the stored UTF-8 text, which is what R2 holds and a client downloads (not UTF-16 code units). */
const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

function entryFor(version: number, createdAt: string, doc: AnyDocument, bytes: number): VersionEntry {
  const e: VersionEntry = { version, createdAt, dataset: doc.source.dataset, bytes };
  if (doc.title !== undefined) e.title = doc.title;
  if (doc.source.architecture !== undefined) e.architecture = doc.source.architecture;
  if (doc.source.layer !== undefined) e.layer = doc.source.layer;
  e.emergence = 'persistence' in doc ? emergencePoint(doc) : null;
  return e;
}

/** Lets other writers run between conflicting attempts, with jitter so they do not collide in lockstep. */
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 + attempt * 2)));

/**
 * A version object older than this that the metadata does not list was left by a writer that died between its
 * two puts; the next writer (or reader of the list) to meet it records it, so the version list never keeps a hole.
 */
const ORPHAN_AGE_MS = 60_000;

/**
 * What readers are shown: versions 1..k where every one of them is recorded. A version above a hole (its writer
 * recorded it while a lower number's writer was still between its two puts) is held back until the hole fills,
 * so the list never shows a gap that reads as lost data.
 */
export function listedVersions(meta: Meta): Meta {
  const sorted = [...meta.versions].sort((a, b) => a.version - b.version);
  let k = 0;
  while (k < sorted.length && sorted[k]!.version === k + 1) k++;
  if (k === meta.versions.length && k === meta.latest) return meta;
  return { ...meta, latest: k, versions: sorted.slice(0, k) };
}

const maxRecorded = (m: Meta) => m.versions.reduce((x, v) => Math.max(x, v.version), 0);

/** The gallery row of a result: its card from the given version's document, plus what the filters need. */
export function indexRow(meta: Meta, doc: AnyDocument, version: number, bytes: number): IndexRow {
  const kind = kindOfSchema(doc.schema);
  if (!kind) throw new ApiError(422, 'invalid_document', `schema '${doc.schema}' is not a result kind`);
  const card: GalleryItem = {
    id: meta.id,
    version,
    publishedAt: meta.createdAt,
    kind,
    ...verdictSummary(doc),
    ...summarize(doc),
  };
  return {
    card,
    description: doc.description ?? '',
    bytes,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    withdrawnAt: meta.withdrawnAt,
  };
}

/** An index failure after the documents are safe is reported as the service being unavailable, not a crash. */
function indexDown(what: string, e: unknown): ApiError {
  console.error(e);
  return new ApiError(503, 'index_unavailable', what);
}

/** The store of a request's environment: R2 for documents, D1 for the gallery's index. */
export function storeFor(env: Pick<Env, 'RESULTS' | 'GALLERY'>): ResultStore {
  return new ResultStore(env.RESULTS, new D1GalleryIndex(env.GALLERY));
}

export class ResultStore {
  constructor(
    private readonly bucket: Blobs,
    private readonly index: GalleryIndex,
    private readonly orphanAgeMs = ORPHAN_AGE_MS,
  ) {}

  /** The stored metadata and its etag, published or not (writers and repair use this). */
  async meta(id: string): Promise<{ meta: Meta; etag: string } | null> {
    const obj = await this.bucket.get(metaKey(id));
    if (!obj) return null;
    return { meta: (await obj.json()) as Meta, etag: obj.etag };
  }

  /**
   * Is this result readable? Yes once listed; a metadata still marked unlisted is readable only if its index row
   * exists (the publish stopped after indexing), which is then recorded so later reads skip the index.
   */
  private async published(stored: { meta: Meta; etag: string }): Promise<boolean> {
    if (stored.meta.listed !== false) return true;
    if (!(await this.index.state(stored.meta.id))) return false;
    stored.meta.listed = true;
    try {
      await this.bucket.put(metaKey(stored.meta.id), JSON.stringify(stored.meta), {
        onlyIf: { etagMatches: stored.etag },
      });
    } catch {
      // The mark only saves later reads an index lookup; the result is readable without it.
    }
    return true;
  }

  private async requirePublished(id: string): Promise<{ meta: Meta; etag: string }> {
    const m = await this.meta(id);
    if (!m || !(await this.published(m))) throw new ApiError(404, 'not_found', `no result '${id}'`);
    return m;
  }

  /** The metadata as readers see it: 404 unless published, versions shown up to the first hole. */
  async requireMeta(id: string): Promise<Meta> {
    return listedVersions((await this.requirePublished(id)).meta);
  }

  /** The stored JSON text of one version and its etag, or null. */
  async version(id: string, n: number): Promise<{ body: string; etag: string; uploaded: Date } | null> {
    const obj = await this.bucket.get(versionKey(id, n));
    if (!obj) return null;
    return { body: await obj.text(), etag: obj.etag, uploaded: obj.uploaded };
  }

  async document(id: string, n: number): Promise<AnyDocument> {
    const v = await this.version(id, n);
    if (!v) throw new ApiError(404, 'not_found', `result '${id}' has no version ${n}`);
    return JSON.parse(v.body) as AnyDocument;
  }

  /** Publishes a new result as version 1 and returns its id and the owner token (shown once). */
  async create(doc: AnyDocument): Promise<{ id: string; version: 1; token: string }> {
    const token = newToken();
    const tokenHash = await hashToken(token);
    const body = JSON.stringify(doc);
    const bytes = utf8Bytes(body);
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = newId();
      const createdAt = new Date().toISOString();
      const meta: Meta = {
        id,
        tokenHash,
        createdAt,
        updatedAt: createdAt,
        latest: 1,
        withdrawnAt: null,
        listed: false,
        versions: [entryFor(1, createdAt, doc, bytes)],
      };
      // The card is computed before anything is written, so a document it cannot summarise stores nothing.
      const row = indexRow(meta, doc, 1, bytes);
      const put = await this.bucket.put(versionKey(id, 1), body, {
        onlyIf: { etagDoesNotMatch: '*' },
        httpMetadata: { contentType: 'application/json' },
      });
      if (!put) continue; // 80-bit id collision: astronomically rare, but never overwrite
      const metaPut = await this.bucket.put(metaKey(id), JSON.stringify(meta), { onlyIf: { etagDoesNotMatch: '*' } });
      if (!metaPut) continue;
      try {
        await this.index.put(row);
      } catch (e) {
        // Unlisted and unindexed, the result is not readable and its token was never handed out: remove what
        // was stored (best effort; what stays behind is invisible either way).
        await Promise.allSettled([this.bucket.delete(metaKey(id)), this.bucket.delete(versionKey(id, 1))]);
        throw indexDown('the gallery index is unavailable; nothing was published, try again', e);
      }
      try {
        await this.bucket.put(metaKey(id), JSON.stringify({ ...meta, listed: true }), {
          onlyIf: { etagMatches: metaPut.etag },
        });
      } catch {
        // The index row already makes the result readable and owned; the mark is recorded by the first read.
      }
      return { id, version: 1, token };
    }
    throw new ApiError(503, 'busy', 'could not allocate a result id; try again');
  }

  /** Checks the bearer token against the stored hash; 401 without one, 403 for the wrong one. */
  async authorize(id: string, token: string | null): Promise<Meta> {
    const { meta } = await this.requirePublished(id);
    if (!token) {
      throw new ApiError(401, 'unauthorized', 'this needs the owner token: Authorization: Bearer <token>', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    if (!(await ownsResult(token, meta.tokenHash))) {
      throw new ApiError(403, 'forbidden', `the token does not own result '${id}'`);
    }
    return meta;
  }

  /** Like authorize, and refuses a withdrawn result: a withdrawal is final, so nothing may be added after it. */
  async authorizeVersion(id: string, token: string | null): Promise<Meta> {
    const meta = await this.authorize(id, token);
    if (meta.withdrawnAt) throw withdrawn(id, meta.withdrawnAt);
    return meta;
  }

  /**
   * Adds the next version. Each writer claims numbers upward from the latest one it saw with create-only puts,
   * so every number is taken by exactly one writer; then it records its version in the metadata by
   * compare-and-swap. A withdrawal freezes the highest recorded number: a claim below it is still recorded (it
   * fills a hole that readers would otherwise wait on), a claim above it is refused and its object removed.
   */
  async addVersion(id: string, token: string | null, doc: AnyDocument): Promise<{ id: string; version: number }> {
    const meta = await this.authorizeVersion(id, token);
    const body = JSON.stringify(doc);
    let n = meta.latest + 1;
    for (;;) {
      const put = await this.bucket.put(versionKey(id, n), body, {
        onlyIf: { etagDoesNotMatch: '*' },
        httpMetadata: { contentType: 'application/json' },
      });
      if (put) break;
      if (!meta.versions.some((v) => v.version === n)) await this.adoptIfOrphan(id, n);
      n++;
      if (n > meta.latest + 10_000) throw new ApiError(503, 'busy', 'too many concurrent versions; try again');
    }
    const createdAt = new Date().toISOString();
    const entry = entryFor(n, createdAt, doc, utf8Bytes(body));
    let updated: Meta;
    try {
      updated = await this.update(id, (m) => {
        if (m.withdrawnAt && n > maxRecorded(m)) throw withdrawn(id, m.withdrawnAt);
        m.versions = [...m.versions.filter((v) => v.version !== n), entry].sort((a, b) => a.version - b.version);
        m.latest = Math.max(m.latest, n);
        if (!m.withdrawnAt) m.updatedAt = createdAt;
      });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'withdrawn') await this.bucket.delete(versionKey(id, n));
      throw e;
    }
    try {
      await this.index.put(indexRow(updated, doc, n, entry.bytes));
    } catch (e) {
      // The version is stored and listed; only its card is stale, and `repair` brings it up to date. Saying
      // "failed" here would make the owner publish the same version twice.
      console.error(e);
    }
    return { id, version: n };
  }

  /** Records version n in the metadata if it exists, is old enough to be abandoned, and is not listed yet. */
  private async adoptIfOrphan(id: string, n: number): Promise<void> {
    const head = await this.bucket.head(versionKey(id, n));
    if (!head || Date.now() - head.uploaded.getTime() < this.orphanAgeMs) return;
    const current = await this.meta(id);
    if (!current || current.meta.versions.some((v) => v.version === n)) return;
    const stored = await this.version(id, n);
    if (!stored) return;
    const entry = entryFor(
      n,
      head.uploaded.toISOString(),
      JSON.parse(stored.body) as AnyDocument,
      utf8Bytes(stored.body),
    );
    await this.update(id, (m) => {
      if (m.versions.some((v) => v.version === n)) return;
      m.versions = [...m.versions, entry].sort((a, b) => a.version - b.version);
      m.latest = Math.max(m.latest, n);
    });
  }

  /** Records emergence points derived later for versions written before the version list carried them. */
  async recordEmergence(id: string, points: ReadonlyMap<number, EmergencePoint | null>): Promise<Meta> {
    return this.update(id, (m) => {
      m.versions = m.versions.map((v) =>
        v.emergence === undefined && points.has(v.version) ? { ...v, emergence: points.get(v.version)! } : v,
      );
    });
  }

  /** Withdraws a result from the gallery; its links keep working and say it was withdrawn. Idempotent. */
  async withdraw(id: string, token: string | null): Promise<Meta> {
    await this.authorize(id, token);
    const now = new Date().toISOString();
    const meta = await this.update(id, (m) => {
      m.withdrawnAt ??= now;
      m.updatedAt = now;
    });
    try {
      await this.index.withdraw(id, meta.withdrawnAt!);
    } catch (e) {
      throw indexDown('the withdrawal is recorded, but the gallery still shows the result; send it again', e);
    }
    return listedVersions(meta);
  }

  /**
   * Brings the index row of a result in line with R2: adopts abandoned versions below the list's first hole,
   * then writes the row if it is missing, older than the listed latest version, or not yet withdrawn. Returns
   * whether it wrote. Unpublished results (a publish that failed before indexing) are left alone: nothing of
   * them is visible, and their owner never received a token.
   */
  async repair(id: string): Promise<boolean> {
    let stored = await this.meta(id);
    if (!stored || !(await this.published(stored))) return false;
    let view = listedVersions(stored.meta);
    if (view.latest < maxRecorded(stored.meta)) {
      await this.adoptIfOrphan(id, view.latest + 1);
      stored = (await this.meta(id)) ?? stored;
      view = listedVersions(stored.meta);
    }
    const state = await this.index.state(id);
    if (state && state.version >= view.latest && (state.withdrawnAt !== null || view.withdrawnAt === null)) {
      return false;
    }
    const v = await this.version(id, view.latest);
    if (!v) return false;
    await this.index.put(indexRow(view, JSON.parse(v.body) as AnyDocument, view.latest, utf8Bytes(v.body)));
    if (view.withdrawnAt) await this.index.withdraw(id, view.withdrawnAt);
    return true;
  }

  /** Read-modify-write of the metadata with an etag condition, retried until it lands. */
  private async update(id: string, change: (m: Meta) => void): Promise<Meta> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.meta(id);
      if (!current) throw new ApiError(404, 'not_found', `no result '${id}'`);
      change(current.meta);
      const put = await this.bucket.put(metaKey(id), JSON.stringify(current.meta), {
        onlyIf: { etagMatches: current.etag },
      });
      if (put) return current.meta;
      await backoff(attempt);
    }
    throw new ApiError(503, 'busy', `result '${id}' is being changed by many writers at once; try again`);
  }
}

function withdrawn(id: string, at: string): ApiError {
  return new ApiError(410, 'withdrawn', `result '${id}' was withdrawn at ${at}; it takes no new versions`);
}
