import type { ResultDocument } from '../../src/lib/result/schema';
import { summarize, type EmergencePoint, type ResultSummary, type VersionEntry } from '../../src/lib/result/summary';
import { emergencePoint } from '../../src/lib/analysis/emergence';
import { ApiError } from '../lib/http';
import { hashToken, newId, newToken, ownsResult } from './token';

/**
 * The R2 layout, one object per idea:
 *   results/<id>/meta.json   the result's metadata: owner token hash, version list, withdrawal (updated by CAS)
 *   results/<id>/v/<n>.json  version n, written once with a create-only put and never again
 *   gallery/<key>            a small summary per public result, keyed so that listing order is newest first
 * Writers never overwrite each other: versions are claimed with `etagDoesNotMatch: '*'` (create only) and
 * metadata changes are compare-and-swap on the etag, retried on conflict.
 */

export interface Meta {
  id: string;
  tokenHash: string;
  createdAt: string;
  updatedAt: string;
  latest: number;
  withdrawnAt: string | null;
  galleryKey: string;
  versions: VersionEntry[];
}

export type GalleryItem = ResultSummary & { id: string; version: number; publishedAt: string };

const metaKey = (id: string) => `results/${id}/meta.json`;
const versionKey = (id: string, n: number) => `results/${id}/v/${n}.json`;
const GALLERY = 'gallery/';
const MAX_CAS_ATTEMPTS = 200;

/** Newest first in R2's ascending key order: the key starts with the time remaining until the year 2286. */
function galleryKey(now: number, id: string): string {
  return `${GALLERY}${String(9_999_999_999_999 - now).padStart(13, '0')}-${id}`;
}

/** Bytes of the stored UTF-8 text, which is what R2 holds and a client downloads (not UTF-16 code units). */
const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

function entryFor(version: number, createdAt: string, doc: ResultDocument, bytes: number): VersionEntry {
  const e: VersionEntry = { version, createdAt, dataset: doc.source.dataset, bytes };
  if (doc.title !== undefined) e.title = doc.title;
  if (doc.source.architecture !== undefined) e.architecture = doc.source.architecture;
  if (doc.source.layer !== undefined) e.layer = doc.source.layer;
  e.emergence = emergencePoint(doc);
  return e;
}

/** Lets other writers run between conflicting attempts, with jitter so they do not collide in lockstep. */
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 + attempt * 2)));

/**
 * A version object older than this that the metadata does not list was left by a writer that died between its
 * two puts; the next writer to meet it records it, so the version list never keeps a hole.
 */
const ORPHAN_AGE_MS = 60_000;

export class ResultStore {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly orphanAgeMs = ORPHAN_AGE_MS,
  ) {}

  async meta(id: string): Promise<{ meta: Meta; etag: string } | null> {
    const obj = await this.bucket.get(metaKey(id));
    if (!obj) return null;
    return { meta: (await obj.json()) as Meta, etag: obj.etag };
  }

  async requireMeta(id: string): Promise<Meta> {
    const m = await this.meta(id);
    if (!m) throw new ApiError(404, 'not_found', `no result '${id}'`);
    return m.meta;
  }

  /** The stored JSON text of one version and its etag, or null. */
  async version(id: string, n: number): Promise<{ body: string; etag: string; uploaded: Date } | null> {
    const obj = await this.bucket.get(versionKey(id, n));
    if (!obj) return null;
    return { body: await obj.text(), etag: obj.etag, uploaded: obj.uploaded };
  }

  async document(id: string, n: number): Promise<ResultDocument> {
    const v = await this.version(id, n);
    if (!v) throw new ApiError(404, 'not_found', `result '${id}' has no version ${n}`);
    return JSON.parse(v.body) as ResultDocument;
  }

  /** Publishes a new result as version 1 and returns its id and the owner token (shown once). */
  async create(doc: ResultDocument): Promise<{ id: string; version: 1; token: string }> {
    const token = newToken();
    const tokenHash = await hashToken(token);
    const body = JSON.stringify(doc);
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = newId();
      const now = new Date();
      const createdAt = now.toISOString();
      // Version first, then metadata: a reader who finds the metadata always finds the version.
      const put = await this.bucket.put(versionKey(id, 1), body, {
        onlyIf: { etagDoesNotMatch: '*' },
        httpMetadata: { contentType: 'application/json' },
      });
      if (!put) continue; // 80-bit id collision: astronomically rare, but never overwrite
      const meta: Meta = {
        id,
        tokenHash,
        createdAt,
        updatedAt: createdAt,
        latest: 1,
        withdrawnAt: null,
        galleryKey: galleryKey(now.getTime(), id),
        versions: [entryFor(1, createdAt, doc, utf8Bytes(body))],
      };
      const metaPut = await this.bucket.put(metaKey(id), JSON.stringify(meta), { onlyIf: { etagDoesNotMatch: '*' } });
      if (!metaPut) continue;
      await this.writeGallery(meta, doc, 1, true);
      return { id, version: 1, token };
    }
    throw new ApiError(503, 'busy', 'could not allocate a result id; try again');
  }

  /** Checks the bearer token against the stored hash; 401 without one, 403 for the wrong one. */
  async authorize(id: string, token: string | null): Promise<Meta> {
    const meta = await this.requireMeta(id);
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
   * so every number is taken by exactly one writer and none is skipped; then it records its version in the
   * metadata by compare-and-swap.
   */
  async addVersion(id: string, token: string | null, doc: ResultDocument): Promise<{ id: string; version: number }> {
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
        // Withdrawn while this version was being written: it must not be listed, and its object goes.
        if (m.withdrawnAt) throw withdrawn(id, m.withdrawnAt);
        m.versions = [...m.versions.filter((v) => v.version !== n), entry].sort((a, b) => a.version - b.version);
        m.latest = Math.max(m.latest, n);
        m.updatedAt = createdAt;
      });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'withdrawn') await this.bucket.delete(versionKey(id, n));
      throw e;
    }
    if (!updated.withdrawnAt) await this.writeGallery(updated, doc, n, false);
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
      JSON.parse(stored.body) as ResultDocument,
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
    await this.bucket.delete(meta.galleryKey);
    return meta;
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

  /**
   * Writes the gallery card. The first version creates it; later ones replace it only while it exists (so a
   * withdrawal is never undone) and only with a newer version (so a slow writer never puts an older one back).
   */
  private async writeGallery(meta: Meta, doc: ResultDocument, version: number, create: boolean): Promise<void> {
    const item: GalleryItem = { id: meta.id, version, publishedAt: meta.createdAt, ...summarize(doc) };
    const customMetadata: Record<string, string> = {
      version: String(version),
      dataset: doc.source.dataset,
      arch: doc.source.architecture ?? '',
      layer: doc.source.layer === undefined ? '' : String(doc.source.layer),
    };
    const body = JSON.stringify(item);
    if (create) {
      await this.bucket.put(meta.galleryKey, body, { onlyIf: { etagDoesNotMatch: '*' }, customMetadata });
      return;
    }
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const head = await this.bucket.head(meta.galleryKey);
      if (!head) return;
      if (Number(head.customMetadata?.version ?? 0) >= version) return;
      const put = await this.bucket.put(meta.galleryKey, body, { onlyIf: { etagMatches: head.etag }, customMetadata });
      if (put) return;
      await backoff(attempt);
    }
  }

  /**
   * One page of the gallery, newest first. The cursor is the last key handed out, so pages never repeat or
   * skip an item even while new results arrive at the top.
   */
  async gallery(query: {
    after: string | null;
    limit: number;
    dataset?: string;
    arch?: string;
    layer?: string;
  }): Promise<{ items: GalleryItem[]; lastKey: string | null; more: boolean }> {
    const keys: string[] = [];
    let startAfter = query.after ?? undefined;
    let more = false;
    let r2cursor: string | undefined;
    let lastExamined: string | null = null;
    let capped = false;
    // Dataset and architecture names are matched whatever their case: "MNIST" finds "mnist".
    const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
    const matches = (m: Record<string, string> | undefined) =>
      (!query.dataset || same(m?.dataset, query.dataset)) &&
      (!query.arch || same(m?.arch, query.arch)) &&
      (!query.layer || m?.layer === query.layer);
    outer: for (let page = 0; page < 50; page++) {
      // `include` is honoured by the runtime but missing from these workers-types.
      const options: R2ListOptions & { include: Array<'customMetadata'> } = {
        prefix: GALLERY,
        limit: 1000,
        include: ['customMetadata'],
        ...(r2cursor ? { cursor: r2cursor } : startAfter ? { startAfter } : {}),
      };
      const list = await this.bucket.list(options);
      for (let i = 0; i < list.objects.length; i++) {
        const obj = list.objects[i]!;
        lastExamined = obj.key;
        if (!matches(obj.customMetadata)) continue;
        if (keys.length === query.limit) {
          more = true;
          break outer;
        }
        keys.push(obj.key);
      }
      if (!list.truncated) break;
      r2cursor = list.cursor;
      startAfter = undefined;
      if (page === 49) capped = more = true; // a sparse filter: let the client ask for the next stretch
    }
    const bodies = await Promise.all(keys.map((k) => this.bucket.get(k)));
    const items: GalleryItem[] = [];
    for (const b of bodies) if (b) items.push((await b.json()) as GalleryItem); // withdrawn meanwhile: skip
    return { items, lastKey: capped ? lastExamined : (keys.at(-1) ?? null), more };
  }
}

function withdrawn(id: string, at: string): ApiError {
  return new ApiError(410, 'withdrawn', `result '${id}' was withdrawn at ${at}; it takes no new versions`);
}

/** Gallery cursors are opaque to clients: base64url of the last key they were given. */
export function encodeCursor(key: string): string {
  return btoa(key).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor(cursor: string): string {
  let key: string;
  try {
    key = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    throw new ApiError(400, 'bad_request', 'cursor is not one this server handed out');
  }
  if (!/^gallery\/[0-9]{13}-[a-z2-7]{16}$/.test(key)) {
    throw new ApiError(400, 'bad_request', 'cursor is not one this server handed out');
  }
  return key;
}
