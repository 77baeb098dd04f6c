/**
 * The gallery's contract: what `GET /api/gallery` and `GET /api/gallery/facets` take and answer. The route
 * (functions/routes/gallery.ts), the index (functions/storage/galleryIndex.ts) and the client (client.ts) all
 * import these types and rules, so a change here is a change on both sides of the wire.
 */
import { sourceSchema } from '../result/schema';
import { VERDICTS, type ResultSummary, type Verdict } from '../result/summary';

/** What kind of result a document is, named by its schema id (the gallery's `kind` filter). */
export type ResultKind = 'layer' | 'profile' | 'experiment';
export const RESULT_KINDS: readonly ResultKind[] = ['layer', 'profile', 'experiment'];
const KIND_OF_SCHEMA: Record<string, ResultKind> = {
  'kleinscope/analysis@1': 'layer',
  'kleinscope/profile@1': 'profile',
};
export function kindOfSchema(schema: string): ResultKind | null {
  return KIND_OF_SCHEMA[schema] ?? null;
}

export const SORTS = ['new', 'old', 'ratio', 'title'] as const;
export type GallerySort = (typeof SORTS)[number];

export const MAX_LIMIT = 50;
export const DEFAULT_LIMIT = 20;
/** Search text, in code points; and how many words of it are searched. */
export const MAX_Q = 200;
export const MAX_TERMS = 12;

/** A gallery card: the server's summary of the latest version, its verdict and where to find it. */
export type GalleryItem = ResultSummary & {
  id: string;
  version: number;
  publishedAt: string;
  kind: ResultKind;
  verdict: Verdict;
  /** Longest H1 bar over the next; null with fewer than two H1 bars (h1Bars says how many). */
  ratio: number | null;
  h1Bars: number;
  /** Pooled experiments only (kind "experiment", page /x/<id>): runs done so far, updated as runs complete. */
  progress?: { total: number; done: number; leased: number; open: number; rejected: number };
};

export interface GalleryPage {
  items: GalleryItem[];
  nextCursor: string | null;
}

export interface FacetCount {
  /** The value to filter by. */
  value: string;
  /** How it is shown (a dataset or architecture as first published; filters ignore case). */
  label: string;
  count: number;
}

/**
 * Counts for the current query: each facet counts under every other filter but its own, so the page can offer
 * the alternatives to a chosen value; `total` counts under all of them.
 */
export interface GalleryFacets {
  total: number;
  dataset: FacetCount[];
  arch: FacetCount[];
  kind: FacetCount[];
  verdict: FacetCount[];
}

/** The query both endpoints take (facets ignore sort, cursor and limit). */
export interface GalleryQuery {
  q?: string;
  dataset?: string;
  arch?: string;
  layer?: number;
  kind?: ResultKind;
  verdict?: Verdict;
  sort?: GallerySort;
  cursor?: string;
  limit?: number;
}

export const FILTERS = ['dataset', 'arch', 'kind', 'verdict'] as const;
export type FacetName = (typeof FILTERS)[number];

/** The query as URL parameters, in a fixed order (the page's URL and the client's request use the same). */
export function galleryParams(query: GalleryQuery): URLSearchParams {
  const p = new URLSearchParams();
  if (query.q) p.set('q', query.q);
  if (query.dataset) p.set('dataset', query.dataset);
  if (query.arch) p.set('arch', query.arch);
  if (query.layer !== undefined) p.set('layer', String(query.layer));
  if (query.kind) p.set('kind', query.kind);
  if (query.verdict) p.set('verdict', query.verdict);
  if (query.sort && query.sort !== 'new') p.set('sort', query.sort);
  if (query.cursor) p.set('cursor', query.cursor);
  if (query.limit !== undefined) p.set('limit', String(query.limit));
  return p;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a query is refused, naming the parameter; the route turns it into a 400. */
export class GalleryQueryError extends Error {}

/**
 * Reads a query from URL parameters. Filters accept exactly what the result schema accepts for the field they
 * match (a dataset that can be published can be filtered), so the two never disagree on lengths or ranges.
 */
export function parseGalleryQuery(params: URLSearchParams): GalleryQuery {
  const get = (name: string) => {
    const v = params.get(name);
    return v === null || v === '' ? undefined : v;
  };
  const query: GalleryQuery = {};
  const q = get('q');
  if (q !== undefined) {
    if (LONE_SURROGATE.test(q)) throw new GalleryQueryError('q is not valid Unicode text');
    if ([...q].length > MAX_Q) throw new GalleryQueryError(`q is longer than ${MAX_Q} characters`);
    if (searchTerms(q).length === 0 && q.trim() !== '') {
      throw new GalleryQueryError('q has no letters or digits to search for');
    }
    if (q.trim() !== '') query.q = q;
  }
  for (const [name, field] of [
    ['dataset', sourceSchema.shape.dataset],
    ['arch', sourceSchema.shape.architecture],
  ] as const) {
    const v = get(name);
    if (v === undefined) continue;
    const r = field.safeParse(v);
    if (!r.success)
      throw new GalleryQueryError(`${name} is not a value a result can have (${r.error.issues[0]?.message})`);
    query[name] = v;
  }
  const layer = get('layer');
  if (layer !== undefined) {
    const n = /^[0-9]{1,16}$/.test(layer) ? Number(layer) : NaN;
    if (!sourceSchema.shape.layer.safeParse(n).success) {
      throw new GalleryQueryError(`layer must be a positive integer, got '${layer.slice(0, 20)}'`);
    }
    query.layer = n;
  }
  const kind = get('kind');
  if (kind !== undefined) {
    if (!(RESULT_KINDS as readonly string[]).includes(kind)) {
      throw new GalleryQueryError(`kind must be one of ${RESULT_KINDS.join(', ')}`);
    }
    query.kind = kind as ResultKind;
  }
  const verdict = get('verdict');
  if (verdict !== undefined) {
    if (!(VERDICTS as readonly string[]).includes(verdict)) {
      throw new GalleryQueryError(`verdict must be one of ${VERDICTS.join(', ')}`);
    }
    query.verdict = verdict as Verdict;
  }
  const sort = get('sort');
  if (sort !== undefined) {
    if (!(SORTS as readonly string[]).includes(sort)) {
      throw new GalleryQueryError(`sort must be one of ${SORTS.join(', ')}, got '${sort.slice(0, 20)}'`);
    }
    query.sort = sort as GallerySort;
  }
  const limit = get('limit');
  if (limit !== undefined) {
    if (!/^[0-9]{1,4}$/.test(limit) || Number(limit) < 1) {
      throw new GalleryQueryError(`limit must be an integer from 1 to ${MAX_LIMIT}, got '${limit.slice(0, 20)}'`);
    }
    // A larger page is clamped, not refused: the answer is still correct, just shorter.
    query.limit = Math.min(MAX_LIMIT, Number(limit));
  }
  const cursor = get('cursor');
  if (cursor !== undefined) query.cursor = cursor;
  return query;
}

/**
 * The words of a search, each as the letters and digits FTS5's unicode61 tokenizer would index. Everything else
 * (quotes, `*`, parentheses, `-`, `:`) separates words, so no input can reach FTS5 as query syntax: `NEAR`, `OR`
 * and `AND` are searched as the words they are.
 */
export function searchTerms(q: string): string[][] {
  const words: string[][] = [];
  for (const word of q.split(/\s+/u)) {
    const parts = word.match(/[\p{L}\p{N}\p{M}]+/gu);
    if (parts) words.push(parts);
    if (words.length === MAX_TERMS) break;
  }
  return words;
}
