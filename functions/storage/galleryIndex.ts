import {
  DEFAULT_LIMIT,
  FILTERS,
  searchTerms,
  type FacetCount,
  type FacetName,
  type GalleryFacets,
  type GalleryItem,
  type GalleryPage,
  type GalleryQuery,
  type GallerySort,
} from '../../src/lib/api/gallery';
import { ApiError } from '../lib/http';

/**
 * The gallery's index in D1 (migrations/0001_gallery_index.sql): one row per published result, rebuilt from R2
 * whenever it is missing or stale (ResultStore.repair). Everything a gallery page or its counts need is answered
 * here with one query, never by listing R2.
 */
export interface IndexRow {
  card: GalleryItem;
  description: string;
  bytes: number;
  createdAt: string;
  updatedAt: string;
  withdrawnAt: string | null;
}

export interface IndexState {
  version: number;
  withdrawnAt: string | null;
}

/** What the result store needs of an index; tests wrap it to fail at chosen points. */
export interface GalleryIndex {
  /** Inserts or updates the row; never moves it back to an older version, and never un-withdraws it. */
  put(row: IndexRow): Promise<void>;
  withdraw(id: string, at: string): Promise<void>;
  state(id: string): Promise<IndexState | null>;
}

/** Filters compare names whatever their case ("MNIST" finds "mnist"), as the R2 gallery did. */
export const nameKey = (s: string) => s.toLowerCase();

/** A sort's order and the columns of its keyset (the cursor holds the last item's values of them). */
const ORDER: Record<GallerySort, { key: string; dir: 'ASC' | 'DESC' }> = {
  new: { key: 'created_ms', dir: 'DESC' },
  old: { key: 'created_ms', dir: 'ASC' },
  ratio: { key: 'ratio', dir: 'DESC' },
  title: { key: 'title_key', dir: 'ASC' },
};
const COLUMN: Record<FacetName, string> = {
  dataset: 'dataset_key',
  arch: 'arch_key',
  kind: 'kind',
  verdict: 'verdict',
};
const LABEL: Record<FacetName, string> = { dataset: 'dataset', arch: 'architecture', kind: 'kind', verdict: 'verdict' };
/** A single H1 bar has no next bar to divide by: it sorts above every finite ratio. */
const SINGLE_BAR_RATIO = 1e300;
const FACET_VALUES = 30;

function ratioKey(card: GalleryItem): number {
  if (card.ratio !== null) return card.ratio;
  return card.h1Bars === 1 ? SINGLE_BAR_RATIO : -1;
}

/** `"word"*` phrases joined by AND: each typed word, as a prefix, with FTS5's syntax quoted away. */
export function ftsQuery(q: string): string {
  return searchTerms(q)
    .map((parts) => `"${parts.join(' ')}"*`)
    .join(' AND ');
}

type Cursor = [GallerySort, number | string, string];

export function encodeCursor(c: Cursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify(c));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A cursor is the last item's sort value and id; anything else (edited, from another sort) is a 400. */
export function decodeCursor(raw: string, sort: GallerySort): Cursor {
  const bad = (why: string) => new ApiError(400, 'bad_request', `cursor is not one this server handed out (${why})`);
  if (raw.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw bad('not base64url');
  let value: unknown;
  try {
    const bin = atob(raw.replace(/-/g, '+').replace(/_/g, '/'));
    value = JSON.parse(
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
        Uint8Array.from(bin, (ch) => ch.charCodeAt(0)),
      ),
    );
  } catch {
    throw bad('not readable');
  }
  if (!Array.isArray(value) || value.length !== 3) throw bad('wrong shape');
  const [s, key, id] = value as unknown[];
  if (s !== sort) throw bad(`made for sort '${String(s).slice(0, 10)}'`);
  if (typeof id !== 'string' || !/^[a-z2-7]{16}$/.test(id)) throw bad('wrong id');
  const numeric = sort !== 'title';
  if (numeric ? typeof key !== 'number' || !Number.isFinite(key) : typeof key !== 'string' || key.length > 400) {
    throw bad('wrong key');
  }
  return [sort, key as number | string, id];
}

export class D1GalleryIndex implements GalleryIndex {
  constructor(private readonly db: D1Database) {}

  async put(row: IndexRow): Promise<void> {
    const c = row.card;
    await this.db
      .prepare(
        `INSERT INTO results (id, version, kind, title, title_key, description, dataset, dataset_key, architecture,
           arch_key, layer, verdict, ratio, bytes, card, created_at, created_ms, updated_at, withdrawn_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
         ON CONFLICT (id) DO UPDATE SET
           version = excluded.version, kind = excluded.kind, title = excluded.title, title_key = excluded.title_key,
           description = excluded.description, dataset = excluded.dataset, dataset_key = excluded.dataset_key,
           architecture = excluded.architecture, arch_key = excluded.arch_key, layer = excluded.layer,
           verdict = excluded.verdict, ratio = excluded.ratio, bytes = excluded.bytes, card = excluded.card,
           updated_at = excluded.updated_at,
           withdrawn_at = coalesce(results.withdrawn_at, excluded.withdrawn_at)
         WHERE excluded.version >= results.version`,
      )
      .bind(
        c.id,
        c.version,
        c.kind,
        c.title,
        nameKey(c.title),
        row.description,
        c.source.dataset,
        nameKey(c.source.dataset),
        c.source.architecture ?? '',
        nameKey(c.source.architecture ?? ''),
        c.source.layer ?? null,
        // A whole network's profile has a verdict per layer, none of its own: it stays out of the verdict facet.
        c.kind === 'profile' ? '' : c.verdict,
        ratioKey(c),
        row.bytes,
        JSON.stringify(c),
        row.createdAt,
        Date.parse(row.createdAt),
        row.updatedAt,
        row.withdrawnAt,
      )
      .run();
  }

  async withdraw(id: string, at: string): Promise<void> {
    await this.db
      .prepare('UPDATE results SET withdrawn_at = coalesce(withdrawn_at, ?2), updated_at = ?2 WHERE id = ?1')
      .bind(id, at)
      .run();
  }

  async state(id: string): Promise<IndexState | null> {
    const r = await this.db
      .prepare('SELECT version, withdrawn_at FROM results WHERE id = ?')
      .bind(id)
      .first<{ version: number; withdrawn_at: string | null }>();
    return r ? { version: r.version, withdrawnAt: r.withdrawn_at } : null;
  }

  /** The WHERE clause of a query, leaving out one facet's own filter when counting that facet. */
  private where(query: GalleryQuery, except?: FacetName): { sql: string; args: unknown[] } {
    const parts = ['withdrawn_at IS NULL'];
    const args: unknown[] = [];
    if (query.q) {
      parts.push('rowid IN (SELECT rowid FROM results_fts WHERE results_fts MATCH ?)');
      args.push(ftsQuery(query.q));
    }
    const filters: Record<FacetName, string | undefined> = {
      dataset: query.dataset === undefined ? undefined : nameKey(query.dataset),
      arch: query.arch === undefined ? undefined : nameKey(query.arch),
      kind: query.kind,
      verdict: query.verdict,
    };
    for (const f of FILTERS) {
      if (f === except || filters[f] === undefined) continue;
      parts.push(`${COLUMN[f]} = ?`);
      args.push(filters[f]);
    }
    if (query.layer !== undefined) {
      parts.push('layer = ?');
      args.push(query.layer);
    }
    return { sql: parts.join(' AND '), args };
  }

  async page(query: GalleryQuery): Promise<GalleryPage> {
    const sort = query.sort ?? 'new';
    const limit = query.limit ?? DEFAULT_LIMIT;
    const { key, dir } = ORDER[sort];
    const w = this.where(query);
    if (query.cursor) {
      const [, value, id] = decodeCursor(query.cursor, sort);
      // Keyset: strictly after the last item handed out, in (key, id) order, so new rows never shift a page.
      w.sql += ` AND (${key}, id) ${dir === 'DESC' ? '<' : '>'} (?, ?)`;
      w.args.push(value, id);
    }
    const { results } = await this.db
      .prepare(`SELECT card, id, ${key} AS k FROM results WHERE ${w.sql} ORDER BY ${key} ${dir}, id ${dir} LIMIT ?`)
      .bind(...w.args, limit + 1)
      .all<{ card: string; id: string; k: number | string }>();
    const more = results.length > limit;
    const rows = results.slice(0, limit);
    const last = rows.at(-1);
    return {
      items: rows.map((r) => JSON.parse(r.card) as GalleryItem),
      nextCursor: more && last ? encodeCursor([sort, last.k, last.id]) : null,
    };
  }

  async facets(query: GalleryQuery): Promise<GalleryFacets> {
    const all = this.where(query);
    const statements = [this.db.prepare(`SELECT count(*) AS n FROM results WHERE ${all.sql}`).bind(...all.args)];
    for (const f of FILTERS) {
      const w = this.where(query, f);
      statements.push(
        this.db
          .prepare(
            `SELECT ${COLUMN[f]} AS value, min(${LABEL[f]}) AS label, count(*) AS n FROM results
             WHERE ${w.sql} AND ${COLUMN[f]} <> '' GROUP BY ${COLUMN[f]} ORDER BY n DESC, value LIMIT ${FACET_VALUES}`,
          )
          .bind(...w.args),
      );
    }
    // One batch: the counts are taken from one snapshot of the index.
    const [total, ...facets] = await this.db.batch<{ n: number; value?: string; label?: string }>(statements);
    const counts = (i: number): FacetCount[] =>
      (facets[i]?.results ?? []).map((r) => ({ value: r.value!, label: r.label!, count: r.n }));
    return {
      total: total?.results[0]?.n ?? 0,
      dataset: counts(0),
      arch: counts(1),
      kind: counts(2),
      verdict: counts(3),
    };
  }
}
