import type { ResultDocument } from '../result/schema';
import type { MapperSummary, ResultSummary, VersionEntry } from '../result/summary';
import { validateResult } from '../result/validate';

/** A failed API call: `status` 0 means the network could not be reached (offline, server down). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail || code);
    this.name = 'ApiError';
  }
  get offline(): boolean {
    return this.status === 0;
  }
}

export interface Published {
  id: string;
  version: number;
  url: string;
  token: string;
}

export interface VersionList {
  id: string;
  latest: number;
  createdAt: string;
  updatedAt: string;
  /** Withdrawn results stay readable at their links but leave the gallery. */
  withdrawn: boolean;
  withdrawnAt: string | null;
  versions: VersionEntry[];
}

/** A gallery card: the server's summary of the document (src/lib/result/summary.ts) and where to find it. */
export type GallerySummary = ResultSummary & { id: string; version: number; publishedAt: string };

export interface GalleryPage {
  items: GallerySummary[];
  nextCursor: string | null;
}

export interface GalleryQuery {
  cursor?: string;
  limit?: number;
  dataset?: string;
  arch?: string;
  layer?: number | string;
}

/** One side of a comparison, in the API's `ID` or `ID@N` form. */
export type ResultRef = string;

/** One side of a comparison: what the server says about each result without sending it whole. */
export interface CompareSide {
  id: string;
  version: number;
  title: string | null;
  source: ResultDocument['source'];
  mapper: MapperSummary & { lens: string };
  persistence: { complex: string; modulus: number; nPoints: number; bars: number[] };
}

/** Distances are null when infinite (the diagrams have different numbers of essential classes). */
export interface DimensionDistance {
  dim: number;
  points: [number, number];
  bottleneck: number | null;
  wasserstein: number | null;
  wasserstein2: number | null;
  exact: boolean;
  /** The true distance lies within value +- bound; 0 when exact. */
  errorBound: { bottleneck: number; wasserstein: number; wasserstein2: number };
}

export interface CompareResponse {
  a: CompareSide;
  b: CompareSide;
  distances: DimensionDistance[];
  notes: string[];
}

export interface ApiClient {
  publish(doc: ResultDocument): Promise<Published>;
  result(id: string, version?: number): Promise<ResultDocument>;
  versions(id: string): Promise<VersionList>;
  gallery(query?: GalleryQuery): Promise<GalleryPage>;
  compare(a: ResultRef, b: ResultRef): Promise<CompareResponse>;
}

/** Ids are opaque to the client but must stay one path segment. */
function seg(id: string): string {
  return encodeURIComponent(id);
}

/**
 * A small typed client of the Kleinscope HTTP API. `base` is the origin ('' = same origin). Documents read
 * from the server are validated against the shared schema, since a page must not render a malformed one.
 */
export function createClient(base = '', fetchFn: typeof fetch = (...a) => fetch(...a)): ApiClient {
  async function call<T>(path: string, init?: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetchFn(base + '/api' + path, init);
    } catch {
      throw new ApiError(0, 'offline', 'the server could not be reached; you may be offline');
    }
    let body: unknown = null;
    const text = await res.text();
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      if (res.ok) throw new ApiError(res.status, 'bad_response', 'the server answered with something other than JSON');
    }
    if (!res.ok) {
      const e = (body ?? {}) as { error?: unknown; detail?: unknown };
      const code = typeof e.error === 'string' ? e.error : `http_${res.status}`;
      const detail = typeof e.detail === 'string' ? e.detail : `${res.status} ${res.statusText}`.trim();
      throw new ApiError(res.status, code, detail);
    }
    return body as T;
  }

  function checked(value: unknown): ResultDocument {
    const v = validateResult(value);
    if (!v.ok)
      throw new ApiError(200, 'invalid_document', `the stored document is invalid at ${v.field}: ${v.message}`);
    return v.value;
  }

  return {
    publish: (doc) =>
      call<Published>('/results', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(doc),
      }),
    result: async (id, version) =>
      checked(await call<unknown>(version === undefined ? `/results/${seg(id)}` : `/results/${seg(id)}/v/${version}`)),
    versions: (id) => call<VersionList>(`/results/${seg(id)}/versions`),
    gallery: (query = {}) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
      const qs = params.toString();
      return call<GalleryPage>('/gallery' + (qs ? `?${qs}` : ''));
    },
    compare: (a, b) => call<CompareResponse>(`/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`),
  };
}

/** What the page shows for a failed call. */
/**
 * Whether trying the same request again can help: not for a missing or withdrawn result, or a request the server
 * refused as wrong (4xx), except a timeout or a rate limit.
 */
export function isRetryable(e: unknown): boolean {
  if (!(e instanceof ApiError)) return true;
  return e.offline || e.status >= 500 || e.status === 408 || e.status === 429;
}

/**
 * The sentence a page shows for a failed call. `doing` says what failed: reading a result (which the service
 * worker may have kept for offline reading) or publishing one (which always needs the server).
 */
export function describeError(e: unknown, doing: 'read' | 'publish' = 'read'): string {
  if (e instanceof ApiError) {
    if (e.offline && doing === 'publish')
      return 'You are offline: publishing needs the server. Nothing is lost; reconnect and publish again.';
    if (e.offline) return 'You are offline and this page was not saved for offline reading. Reconnect and retry.';
    if (e.status === 404) return `Not found: ${e.detail}`;
    if (e.status === 410) return `This result was withdrawn by its owner. ${e.detail}`;
    return `${e.detail} (${e.code}, HTTP ${e.status})`;
  }
  return e instanceof Error ? e.message : String(e);
}
